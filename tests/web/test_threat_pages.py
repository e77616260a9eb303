"""Communities, attacks, refutations, incidents and announcements on the desk.

The data is made by the real writers: posts go through `ingest`, the IRA campaign fixture (its
texts led by a hostile HTML snippet) is found by `refresh_attacks`, places and opponents by
`refresh_communities`; the pages then drive `otklik.actions.refutations` / `incidents` /
`announcements` with a fake connector standing in for the network.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from otklik.actions.attacks import refresh_attacks
from otklik.actions.brands import create_brand
from otklik.actions.communities import refresh_communities
from otklik.db.models import (
    Action,
    Announcement,
    Attack,
    Channel,
    Community,
    Incident,
    Refutation,
    User,
)
from otklik.domain.posts import Author, Place, Post
from otklik.flow.pipeline import ingest
from tests.analytics.test_attack_replies import written
from tests.web.conftest import PASSWORD, make_desk
from tests.web.live import chromium, serve, shot, sign_in

FIXTURES = Path(__file__).parent.parent / "fixtures" / "attacks"
HOSTILE = '<script>alert("atk")</script><img src=x onerror=alert(2)>'


def _records(name: str) -> list[dict[str, Any]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def seed_threats(store: Any) -> dict[str, Any]:
    """A brand with an X channel; the IRA campaign (hostile-prefixed) inside an organic day,
    and a hostile place, all within the last day. Attacks and communities refreshed."""
    now = datetime.now(UTC).replace(microsecond=0)
    organic, camp = _records("airline_organic.jsonl"), _records("ira_fergusonremembers.jsonl")
    shift = now - timedelta(hours=6) - _when(organic[len(organic) // 2]["created_at"])
    camp_shift = (now - timedelta(hours=6)) - _when(camp[0]["created_at"])
    posts: list[Post] = []
    sentiment: dict[str, str] = {}
    for d in organic:
        posts.append(Post(network="x", external_id=d["id"], text=d["text"],
                          created_at=_when(d["created_at"]) + shift,
                          author=Author(external_id=d["author"], handle=d["author"]),
                          place=Place(external_id=f"misc{len(posts) % 5}")))
        sentiment[d["id"]] = "neutral"
    for d in camp:
        posts.append(Post(network="x", external_id=d["id"], text=f"{HOSTILE} {d['text']}",
                          created_at=_when(d["created_at"]) + camp_shift,
                          author=Author(external_id=d["author"], handle=d["author"],
                                        followers=d.get("followers")),
                          place=Place(external_id="antibrand", name="Антибренд", audience=5000)))
        sentiment[d["id"]] = "negative"
    for i in range(25):
        posts.append(Post(network="x", external_id=f"h{i}", text=f"ужасный сервис {i}",
                          created_at=now - timedelta(days=2, hours=i),
                          author=Author(external_id=f"hater{i}"),
                          place=Place(external_id="antibrand", name="Антибренд",
                                      audience=5000)))
        sentiment[f"h{i}"] = "negative"
    with store.sessions() as session:
        brand = create_brand(session, "Зерно", slug="zerno", queries=["кофе"])
        channel = Channel(brand_id=brand.id, network="x", external_id="zerno_x", name="Зерно X")
        session.add(channel)
        session.flush()

        def match(batch: Any) -> None:
            for item in batch:
                item.brand_matches = {brand.id: []}
                item.sentiment = sentiment[item.post.external_id]

        ingest(session, posts, enrichers=[match])
        attacks = refresh_attacks(session, brand.id, now=now)
        communities = refresh_communities(session, brand.id, now=now)
        session.commit()
        return {"brand": brand.id, "channel": channel.id, "attacks": attacks.created,
                "communities": communities.created}


@dataclass
class FakeNetwork:
    """Stands in for the network: records what was posted and replied, gives ids back."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def factory(self, _settings: Any, _session: Any) -> Any:
        return lambda _channel: _Connector(self)


class _Client:
    async def aclose(self) -> None:
        return None


class _Connector:
    def __init__(self, net: FakeNetwork) -> None:
        self.net, self.client = net, _Client()

    async def post(self, _target: Any, text: str) -> str:
        self.net.sent.append(("post", text))
        return f"post-{len(self.net.sent)}"

    async def reply(self, target: Any, text: str) -> str:
        self.net.sent.append(("reply", target.external_id))
        return f"reply-{len(self.net.sent)}"


def _desk(store: Any) -> tuple[Any, FakeNetwork, dict[str, Any]]:
    net = FakeNetwork()
    desk = make_desk(store, source_factory=net.factory)
    return desk, net, seed_threats(store)


def _escaped(page: str) -> None:
    """The hostile snippet shows as text, never as markup."""
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(" in page


def test_communities_page_orders_hostile_first_and_escapes(sqlite_store: Any) -> None:
    desk, _, seeded = _desk(sqlite_store)
    page = desk.client("viewer").get(f"/communities?brand={seeded['brand']}")
    assert page.status_code == 200
    with sqlite_store.sessions() as s:
        rows = list(s.scalars(select(Community)))
        hostile = next(c for c in rows if c.key == "x:antibrand")
        group = next(c for c in rows if c.kind == "author_group")
        places = [c for c in rows if c.kind == "place"]
    assert hostile.flagged and hostile.stance == "unofficial-hostile"
    order = [int(i) for i in re.findall(r'<tr id="community-(\d+)"', page.text)]
    assert order[0] == hostile.id and sorted(order) == sorted(c.id for c in places)
    row = re.search(rf'<tr id="community-{hostile.id}".*?</tr>', page.text, re.S).group(0)
    assert "неофициальная, враждебная" in row and ">61<" in row and ">5\u00a0000<" in row
    card = re.search(rf'id="group-{group.id}".*?</article>', page.text, re.S).group(0)
    assert f"Участники: {len(group.details['members'])}" in card
    # accounts without a stored author show their id on the network, escaped (not `net:id`)
    assert all(html.escape(m.partition(":")[2] or m, quote=False) in card
               for m in group.details["members"])
    _escaped(card)
    _escaped(page.text)


def test_attack_to_refutation_through_the_pages(sqlite_store: Any) -> None:
    desk, net, seeded = _desk(sqlite_store)
    (attack_id,) = seeded["attacks"]
    viewer = desk.client("viewer")
    listing = viewer.get("/attacks")
    assert f'id="attack-{attack_id}"' in listing.text and "без ответа" in listing.text
    # the summary and the signals in Russian words, never the detector's keys
    assert "опубликовали 36 упоминаний" in listing.text
    assert "Аккаунты, писавшие несколько раз" in listing.text
    assert "repeat_account_share" not in listing.text
    _escaped(listing.text)
    assert f'action="/attacks/{attack_id}/refutation"' not in listing.text  # viewer: no button
    overview = viewer.get(f"/overview?brand={seeded['brand']}").text
    assert re.search(r'id="kpi-attacks"[^>]*>1<', overview)
    assert re.search(r'id="kpi-hostile"[^>]*>1<', overview)

    responder = desk.client("responder")
    assert f'action="/attacks/{attack_id}/refutation"' in responder.get("/attacks").text
    built = responder.post(f"/attacks/{attack_id}/refutation", data={"claim": "всё ложь"})
    assert built.status_code == 303
    url = built.headers["location"]
    ref_id = int(url.rsplit("/", 1)[1])
    page = responder.get(url).text
    assert "всё ложь" in page and 'id="coverage">0%' in page
    assert page.count('class="reply"') == 36 and page.count('class="placement"') >= 1

    assert f'action="{url}/approve"' in page and f'action="{url}/publish"' not in page
    refused = responder.post(f"{url}/publish")  # not approved yet: a message, nothing sent
    assert "approve" in refused.headers["location"] and net.sent == []
    assert responder.post(f"{url}/approve").status_code == 303
    assert responder.post(f"{url}/publish").headers["location"] == url
    assert [kind for kind, _ in net.sent] == ["post"]
    assert f'action="{url}/publish"' not in responder.get(url).text  # sent: no second button
    assert responder.post(f"{url}/replies", data={"limit": "2"}).status_code == 303
    assert [kind for kind, _ in net.sent] == ["post", "reply", "reply"]

    with sqlite_store.sessions() as s:
        ref = s.get(Refutation, ref_id)
        coverage = ref.coverage
        community = ref.placements[0]["community_id"]
        assert s.get(Attack, attack_id).responded_at is not None
        assert s.scalar(select(Action.status).where(
            Action.refutation_id == ref_id, Action.kind == "post")) == "sent"
    assert 0 < coverage < 1
    page = responder.get(url).text
    assert f'id="coverage">{round(100 * coverage)}%' in page
    assert responder.post(f"{url}/placements/{community}",
                          data={"status": "contacted", "note": "написали админу"}
                          ).status_code == 303
    bad = responder.post(f"{url}/placements/{community}", data={"status": "bribed"})
    assert "error=" in bad.headers["location"]
    page = responder.get(url).text
    assert '<option value="contacted" selected>' in page and "написали админу" in page
    assert responder.post(f"{url}/placements/999999", data={"status": "todo"}).status_code == 404
    assert "ответили" in viewer.get("/attacks").text
    assert re.search(r'id="kpi-attacks"[^>]*>0<', viewer.get("/overview").text)


def test_incident_with_bad_keywords_shows_the_position(sqlite_store: Any) -> None:
    desk, net, seeded = _desk(sqlite_store)
    responder = desk.client("responder")
    form = {"brand": str(seeded["brand"]), "title": "Не работает оплата картой",
            "keywords": "оплата AND (карта", "channel": [str(seeded["channel"])]}
    bad = responder.post("/incidents", data=form)
    assert bad.status_code == 422 and 'class="error query-problem"' in bad.text
    marked = re.search(r'<pre class="caret"><span>(.*?)</span><mark>', bad.text, re.S)
    position = int(re.search(r"позиция (\d+)", bad.text).group(1))
    assert marked is not None and len(html.unescape(marked.group(1))) == position
    with sqlite_store.sessions() as s:
        assert s.scalars(select(Incident)).first() is None

    form.update(keywords="оплата AND карта", publish_now="true",
                description=HOSTILE)
    opened = responder.post("/incidents", data=form)
    assert opened.status_code == 303
    url = opened.headers["location"]
    assert [kind for kind, _ in net.sent] == ["post"]
    page = responder.get(url).text
    assert "Не работает оплата картой" in page and "открыт" in page and "отправлено" in page
    _escaped(page)
    assert responder.post(f"{url}/update", data={"text": "чиним", "status": "monitoring"}
                          ).status_code == 303
    assert responder.post(f"{url}/close", data={"text": "починили"}).status_code == 303
    assert len(net.sent) == 3 and "починили" in net.sent[-1][1]
    listing = desk.client("viewer").get("/incidents").text
    assert "решён" in listing and 'id="open-incident"' not in listing  # viewer: no forms
    again = responder.post(f"{url}/update", data={"text": "ещё"})
    assert "error=" in again.headers["location"] and len(net.sent) == 3


def test_announcements_calendar(sqlite_store: Any) -> None:
    desk, _, seeded = _desk(sqlite_store)
    responder = desk.client("responder")
    soon = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    start = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    form = {"brand": str(seeded["brand"]), "title": "Профилактика <b>ночью</b>",
            "publish_at": soon, "event_start": start, "kind": "maintenance",
            "channel": [str(seeded["channel"])]}
    assert responder.post("/announcements", data=form).status_code == 303
    late = responder.post("/announcements", data={**form, "publish_at": start,
                                                    "event_start": soon})
    assert late.status_code == 422 and "до начала события" in late.text
    nothing = responder.post("/announcements", data={**form, "channel": []})
    assert nothing.status_code == 422 and "at least one channel" in nothing.text
    with sqlite_store.sessions() as s:
        assert len(s.scalars(select(Announcement)).all()) == 1
    page = desk.client("viewer").get("/incidents").text
    upcoming = page.split("Предстоящие")[1].split("Прошедшие")[0]
    assert "Профилактика &lt;b&gt;ночью&lt;/b&gt;" in upcoming
    assert desk.client("viewer").post("/announcements", data=form).status_code == 403


def seed_smear(store: Any) -> int:
    """The real IRA taxi smear (seed stories copied word for word, pushed again the next day)
    ending an hour ago, and the SYNTHETIC replies recommending «Такси Б» (tests/analytics/
    test_attack_replies.py) on its second day; attacks refreshed. The brand's id."""
    now = datetime.now(UTC).replace(microsecond=0)
    smear = _records("ira_ru_taxi_smear.jsonl")
    shift = now - timedelta(hours=1) - _when(smear[-1]["created_at"])
    replies = written(_when(smear[-1]["created_at"]) + shift - timedelta(hours=6))
    posts = [Post(network="x", external_id=d["id"], text=d["text"],
                  created_at=_when(d["created_at"]) + shift,
                  url=f"https://x.com/{d['author']}/status/{d['id']}",
                  author=Author(external_id=d["author"], handle=d["author"]))
             for d in smear]
    posts += [Post(network="x", external_id=m.id, text=m.text, created_at=m.created_at,
                   author=Author(external_id=m.author, handle=m.author)) for m in replies]
    with store.sessions() as session:
        brand = create_brand(session, "Такси 068", slug="taxi068", queries=["такси"])

        def match(batch: Any) -> None:
            for item in batch:
                item.brand_matches = {brand.id: []}
                item.sentiment = "negative"

        ingest(session, posts, enrichers=[match])
        refresh_attacks(session, brand.id, now=now)
        session.commit()
        return int(brand.id)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_an_attack_tells_its_seeds_targets_recommendation_and_waves(
    sqlite_store: Any, lang: str,
) -> None:
    """The smear's card in Chromium: the sentences, the waves chart drawn by the static script
    (the CSP allows no inline one), the seeds with their first post, the targets by name."""
    brand = seed_smear(sqlite_store)
    desk = make_desk(sqlite_store)
    with sqlite_store.sessions() as s:
        s.execute(update(User).values(lang=lang))
        s.commit()
    said = {
        "ru": ("Одна и та же история, скопированная слово в слово", "аккаунтами",
               "Ответы сходятся на 2 адресатах и советуют «Такси Б»",
               "Кампания вернулась: вторая волна", "Кому отправлены ответы"),
        "en": ("The same story, copied word for word by", "accounts",
               "The replies converge on 2 targets and recommend «Такси Б»",
               "The campaign came back: a second wave on", "Whom the replies were sent to"),
    }[lang]
    with serve(desk.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base, "viewer@example.org", PASSWORD)
        page.goto(f"{base}/attacks?brand={brand}")
        page.wait_for_selector(".attack-waves[data-rendered='1'] canvas")
        text = page.inner_text("main")
        for phrase in said:
            assert phrase in text, phrase
        assert "@mariamozhaiskay" in page.inner_text(".attack-targets")
        assert page.locator(".seed a[href^='https://x.com/']").count() >= 1
        for code in ("copy_share", "converge_share", "named «", "bursts"):
            assert code not in text
        shot(page, f"attack-smear-{lang}")
        assert not errors, errors
