"""The demo coffee chain's cafés: the streets its customers' posts name, plus coordinates on
some posts that name none (as phones add them), so the league table and the map have life on
a fresh `make run`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.locations import LocationInput, save_location
from otklik.db.models import Brand, Location
from otklik.domain.posts import Author, Post

# (name, address, lat, lon, aliases, hours, team); the streets are those of `texts.STREETS`
ZERNO = [
    ("Зерно на Тверской", "Москва, Тверская ул., 12", 55.7627, 37.6070, ["Пушкинская"],
     "пн–вс 7:30–23:00", "Команда Тверской"),
    ("Зерно на Покровке", "Москва, ул. Покровка, 17", 55.7590, 37.6450, ["Китай-город"],
     "пн–вс 8:00–22:00", "Команда Покровки"),
    ("Зерно на Никольской", "Москва, Никольская ул., 10", 55.7570, 37.6235, ["Лубянка"],
     "пн–вс 8:00–23:00", "Команда Никольской"),
    ("Зерно на Садовой", "Москва, ул. Большая Садовая, 5", 55.7680, 37.5940, ["Маяковская"],
     "пн–пт 7:00–22:00, сб–вс 9:00–22:00", "Команда Садовой"),
    ("Зерно на Арбате", "Москва, ул. Арбат, 10", 55.7515, 37.5960, ["Арбатская"],
     "пн–вс 8:00–23:00", "Команда Арбата"),
    ("Зерно на Ленинском", "Москва, Ленинский пр-т, 37", 55.7070, 37.5850, ["Ленинский проспект"],
     "пн–вс 8:00–21:00", "Команда Ленинского"),
]
# a share of the posts that name no street get the coordinates of a café, these the most
# (the complaints' cafés: Садовая and Арбат get more of the bad days)
GEO_SHARE = 0.3
WEIGHTS = (2, 1, 1, 4, 3, 1)
STREET_WORDS = ("Тверск", "Покровк", "Никольск", "Садов", "Арбат", "Ленинск")
JITTER = 0.0012  # degrees: within ~130 m of the café


def add_locations(session: Session, brand: Brand, responsible: str = "") -> None:
    """The demo brand's cafés (once); the first answers to `responsible` (an e-mail), if given."""
    if session.scalar(select(Location.id).where(Location.brand_id == brand.id)) is not None:
        return
    for number, (name, address, lat, lon, aliases, hours, team) in enumerate(ZERNO):
        save_location(session, brand.id, LocationInput(
            name=name, address=address, lat=lat, lon=lon, aliases=aliases, hours=hours,
            team=team, responsible=responsible if number == 0 else ""), actor="demo")


def _unit(key: str, salt: str) -> float:
    """A stable number in [0, 1) from a post's id: the demo is the same on every build."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def place_posts(posts: Sequence[Post], brand_word: str = "Зерн") -> int:
    """Give coordinates near a café to a share of the brand's posts that name no street;
    returns how many were placed."""
    placed = 0
    total = sum(WEIGHTS)
    for post in posts:
        text = post.text
        if (brand_word not in text or post.lat is not None or post.network not in ("vk", "x")
                or any(w in text for w in STREET_WORDS)):
            continue
        if _unit(post.external_id, "geo") >= GEO_SHARE:
            continue
        pick, acc = _unit(post.external_id, "cafe") * total, 0.0
        for (_, _, lat, lon, *_), weight in zip(ZERNO, WEIGHTS, strict=True):
            acc += weight
            if pick < acc:
                post.lat = lat + (_unit(post.external_id, "lat") - 0.5) * JITTER
                post.lon = lon + (_unit(post.external_id, "lon") - 0.5) * JITTER
                placed += 1
                break
    return placed


# what geo-listening hears near the cafés: posts that do not name the brand
HEARD = [
    (4, "В кофейне у Арбатской отравился сэндвичем, весь вечер плохо. Больше туда ни ногой", 3),
    (3, "Кофейня на Садовой: кофе холодный, бариста весь заказ сидел в телефоне", 9),
    (0, "Зашёл за кофе у Пушкинской, очередь на полчаса, а касса одна", 20),
    (2, "Кофейня возле Никольской — самые вкусные сырники в центре, спасибо девочкам!", 30),
]


def heard_nearby(end: datetime) -> list[Post]:
    """Posts with coordinates next to the cafés that name no brand, hours before `end`."""
    posts = []
    for n, (cafe, text, hours) in enumerate(HEARD):
        _, _, lat, lon, *_ = ZERNO[cafe]
        posts.append(Post(network="vk", external_id=f"-77_{n + 1}", text=text,
                          created_at=end - timedelta(hours=hours),
                          url=f"https://vk.com/wall-77_{n + 1}",
                          author=Author(f"vk-geo{n}", f"id77{n}", ["Игорь Белов", "Оксана Титова",
                                        "Роман Жуков", "Алина Фомина"][n]),
                          lat=lat + 0.0004 * (n - 1.5), lon=lon - 0.0003 * (n - 1.5)))
    return posts
