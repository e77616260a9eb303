"""The demo scenario as data: two brands, two weeks of posts with a daily rhythm, an incident
with its spike of complaints, a hostile unofficial community and a planted campaign.

Pure and deterministic: the same seed and end time give the same posts.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from otklik.demo import texts as T
from otklik.domain.posts import Author, Place, Post

COFFEE = {"brand": "Зерно", "brand_in": "Зерне", "brand_gen": "Зерна", "brand_dat": "Зерну",
          "brand_en": "Zerno Coffee"}
BANK = {"bank": "Банк Северный", "bank_pr": "банке Северный", "bank_gen": "банка Северный",
        "bank_en": "Severny Bank"}
OWN_VK_GROUP = Place(external_id="-100200", name="Зерно — сеть кофеен", kind="group",
                     audience=48_000, url="https://vk.com/zerno_coffee")
HOSTILE_GROUP = Place(external_id="-777111", name="Зерно — вся правда", kind="group",
                      audience=3_400, url="https://vk.com/zerno_pravda")
BANK_TG = Place(external_id="severny_bank", name="Банк Северный", kind="channel",
                audience=120_000, url="https://t.me/severny_bank")


@dataclass
class Scenario:
    start: datetime
    end: datetime
    incident_start: datetime
    incident_end: datetime
    campaign_start: datetime
    posts: list[Post] = field(default_factory=list)


def hourly_rate(moment: datetime, base: float) -> float:
    """Mentions per hour: quiet nights, morning and evening peaks, calmer weekends (MSK = +3)."""
    hour = (moment.hour + 3) % 24
    day = 0.25 + 0.75 * math.exp(-((hour - 9) ** 2) / 6) + 0.6 * math.exp(-((hour - 19) ** 2) / 8)
    night = 0.08 if hour < 6 else 1.0
    weekend = 0.7 if moment.weekday() >= 5 else 1.0
    return base * day * night * weekend


def build_scenario(seed: int = 7, end: datetime | None = None, days: int = 14) -> Scenario:
    rng = random.Random(seed)
    end = (end or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    incident_start = (start + timedelta(days=days - 4)).replace(hour=9)  # 12:00 MSK
    scenario = Scenario(start, end, incident_start, incident_start + timedelta(hours=4),
                        (start + timedelta(days=days - 2)).replace(hour=16))
    gen = _Generator(rng, scenario)
    moment = start
    while moment < end:
        gen.organic_hour(moment)
        moment += timedelta(hours=1)
    gen.incident()
    gen.hostile_community()
    gen.campaign()
    gen.own_wall_threads()
    scenario.posts.sort(key=lambda p: p.created_at)
    return scenario


class _Generator:
    def __init__(self, rng: random.Random, scenario: Scenario) -> None:
        self.rng = rng
        self.s = scenario
        self.n = 0

    def _id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def _person(self, network: str, en: bool = False) -> Author:
        first, last = self.rng.choice(T.EN_NAMES if en else T.FIRST_NAMES)
        number = self.rng.randint(1, 400)
        return Author(
            external_id=f"{network}-u{number}{'e' if en else ''}",
            handle=f"{first.lower()}_{number}" if en else f"id{number}",
            name=f"{first} {last}",
            followers=int(self.rng.lognormvariate(4.5, 1.3)),
            created_at=self.s.start - timedelta(days=self.rng.randint(200, 3000)),
        )

    def _fill(self, template: str) -> str:
        drink, drink_gen = self.rng.choice(T.DRINKS)
        price = self.rng.randrange(180, 420, 10)
        values = {**COFFEE, **BANK, "street": self.rng.choice(T.STREETS),
                  "street_en": self.rng.choice(T.STREETS_EN), "drink": drink,
                  "drink_gen": drink_gen, "food": self.rng.choice(T.FOODS),
                  "when": self.rng.choice(T.WHEN), "minutes": self.rng.randint(15, 50),
                  "minutes_short": self.rng.randint(3, 7), "hour": self.rng.randint(7, 10),
                  "price": price, "price_old": price - self.rng.randrange(20, 60, 10),
                  "when_en": self.rng.choice(T.WHEN_EN), "years": self.rng.randint(2, 4),
                  "stars": self.rng.randint(4, 5), "hour_late": self.rng.randint(11, 19),
                  "hours": self.rng.randint(2, 9), "order": self.rng.randint(10_000, 99_999)}
        return template.format(**values)

    def _vary(self, text: str, mood: str, en: bool) -> str:
        """People phrase the same complaint differently: an opener, a detail and a tail of their
        own."""
        detail = self._fill(self.rng.choice((T.DETAILS_EN if en else T.DETAILS_RU)[mood]))
        tail = detail + " " + self.rng.choice((T.TAILS_EN if en else T.TAILS_RU)[mood])
        opener = "" if en else self.rng.choice(T.OPENERS_RU)
        if opener:
            names = (*COFFEE.values(), *BANK.values())
            text = opener + (text if text.startswith(names) else text[0].lower() + text[1:])
        if tail and text[-1].isalnum():
            text += "."
        return f"{text} {tail}".strip()

    def _post(self, network: str, text: str, when: datetime, author: Author,
              place: Place | None = None, **extra: object) -> Post:
        external_id = self._id({"vk": "-1_", "telegram": "tg", "x": "x", "reddit": "t3_",
                                "rss": "news"}.get(network, "p"))
        url = {
            "vk": f"https://vk.com/wall{external_id}",
            "x": f"https://x.com/{author.handle}/status/{external_id[1:]}",
            "reddit": f"https://www.reddit.com/r/moscow/comments/{external_id[3:]}/",
            "telegram": f"https://t.me/{place.external_id if place else 'chat'}/{external_id[2:]}",
            "rss": f"https://news.example.ru/{external_id}",
        }.get(network)
        post = Post(network=network, external_id=external_id, text=text, created_at=when,
                    url=url, author=author, place=place, reach=author.followers,
                    engagement=self.rng.randint(0, 30), **extra)  # type: ignore[arg-type]
        self.s.posts.append(post)
        return post

    def organic_hour(self, hour: datetime) -> None:
        for bank in (False, True):
            rate = hourly_rate(hour, 5.0 if bank else 9.0)
            for _ in range(self._poisson(rate)):
                when = hour + timedelta(seconds=self.rng.randint(0, 3599))
                en = self.rng.random() < 0.15
                mood = self.rng.choices(["positive", "neutral", "negative"], [0.3, 0.45, 0.25])[0]
                bank_text = T.BANK_EN if en else T.BANK_RU
                coffee_text = T.COFFEE_EN if en else T.COFFEE_RU
                bank_or_coffee = bank_text if bank else coffee_text
                text = self._vary(self._fill(self.rng.choice(bank_or_coffee[mood])), mood, en)
                network = self.rng.choice(["x", "reddit"] if en else ["vk", "vk", "telegram", "x"])
                place = None
                if network == "telegram":
                    place = BANK_TG if bank else Place("moscow_coffee_chat", "Кофе в Москве",
                                                       "chat", 8_000)
                if network == "reddit":
                    place = Place("moscow", "r/moscow", "subreddit", 90_000)
                self._post(network, text, when, self._person(network, en), place)
        if hour.hour == 7 and self.rng.random() < 0.5:
            self._post("rss", self._fill("{bank} снизил ставки по вкладам — РБК"),
                       hour, Author("rbc", "rbc", "РБК"), Place("rbc.ru", "РБК", "site"))

    def _poisson(self, lam: float) -> int:
        # Knuth's method: small rates only, deterministic through self.rng
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def incident(self) -> None:
        """Card terminals down for four hours: a wave of complaints in the customers' own words."""
        minutes = int((self.s.incident_end - self.s.incident_start).total_seconds() // 60)
        for _ in range(170):
            offset = min(minutes - 1, int(abs(self.rng.gauss(0, minutes / 3))))
            seconds = offset * 60 + self.rng.randint(0, 59)
            when = self.s.incident_start + timedelta(seconds=seconds)
            en = self.rng.random() < 0.12
            text = self._fill(self.rng.choice(T.INCIDENT_EN if en else T.INCIDENT_RU))
            network = "x" if en else self.rng.choice(["vk", "x", "telegram"])
            place = OWN_VK_GROUP if network == "vk" and self.rng.random() < 0.4 else None
            self._post(network, text, when, self._person(network, en), place)

    def hostile_community(self) -> None:
        regulars = [Author(f"vk-h{i}", f"id9{i}00", name, followers=self.rng.randint(50, 900))
                    for i, name in enumerate(["Кирилл Орлов", "Глеб Тарасов", "Вика Рябова",
                                              "Олег Фомин", "Инна Белова", "Стас Гусев"])]
        span = (self.s.end - self.s.start).total_seconds()
        for _ in range(70):
            when = self.s.start + timedelta(seconds=self.rng.randint(0, int(span)))
            root = self._post("vk", self._hostile(when), when, self.rng.choice(regulars),
                              HOSTILE_GROUP)
            if self.rng.random() < 0.5:
                reply_when = when + timedelta(minutes=self.rng.randint(2, 90))
                self._post("vk", self._hostile(reply_when), reply_when,
                           self.rng.choice(regulars), HOSTILE_GROUP,
                           parent_external_id=root.external_id)

    def _hostile(self, when: datetime) -> str:
        """A regular's post: the claim from the demo's stream, the opening and closing from a
        generator of the post's own (the demo's other posts stay as they were)."""
        claim = self._fill(self.rng.choice(T.HOSTILE))
        voice = random.Random(int(when.timestamp()))
        opening = voice.choice(T.HOSTILE_OPENINGS)
        closing = voice.choice(T.HOSTILE_CLOSINGS).format(**COFFEE)
        if not opening or opening.endswith("."):
            claim = claim[0].upper() + claim[1:]
        if closing and claim[-1] not in ".!?":
            claim += "."
        return " ".join(part for part in (opening, claim, closing) if part)

    def campaign(self) -> None:
        """A planted attack: 18 fresh, tiny accounts post the same hoax in three synchronised
        waves within an hour, most of them more than once (as coordinated networks do)."""
        bots = []
        for i in range(18):
            network = "x" if i % 3 else "vk"
            born = self.s.campaign_start - timedelta(days=self.rng.randint(1, 5))
            bots.append((network, Author(f"{network}-bot{i}", f"zerno_truth_{i:02d}",
                                         f"Правда {i}", followers=self.rng.randint(0, 8),
                                         created_at=born)))
        for wave_minute in (0, 20, 45):
            wave = self.s.campaign_start + timedelta(minutes=wave_minute)
            for network, author in self.rng.sample(bots, 13):
                when = wave + timedelta(seconds=self.rng.randint(0, 90))
                self._post(network, self._fill(self.rng.choice(T.CAMPAIGN)), when, author)

    def own_wall_threads(self) -> None:
        """Customers complain under the brand's own VK posts; one of them is Ольга."""
        post_time = self.s.end - timedelta(hours=30)
        wall = self._post("vk", "Новое зимнее меню в Зерне уже в кофейнях! Что попробуете первым?",
                          post_time, Author("-100200", "zerno_coffee", "Зерно"), OWN_VK_GROUP)
        olga = Author("vk-olga", "olga_smirnova", "Ольга Смирнова", followers=230)
        self._post("vk", "Зерно, заказала через приложение, деньги списали дважды, а кофе так "
                   "и не выдали. Кто вернёт деньги?", post_time + timedelta(hours=2), olga,
                   OWN_VK_GROUP, parent_external_id=wall.external_id,
                   thread_external_id=wall.external_id)
        for _ in range(6):
            when = post_time + timedelta(minutes=self.rng.randint(10, 600))
            mood = self.rng.choice(["positive", "neutral", "negative"])
            self._post("vk", self._fill(self.rng.choice(T.COFFEE_RU[mood])), when,
                       self._person("vk"), OWN_VK_GROUP, parent_external_id=wall.external_id,
                       thread_external_id=wall.external_id)
