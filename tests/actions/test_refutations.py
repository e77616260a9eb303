"""A refutation plan for the demo's planted campaign, carried out against the local fake APIs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions import refutations as ref_actions
from otklik.actions.attacks import refresh_attacks
from otklik.actions.brands import create_brand
from otklik.actions.send import SendRefused
from otklik.analytics.attacks import AttackParams
from otklik.db.models import Action, Attack, Channel, Community, Mention, Place, Source
from otklik.demo.build import BRANDS
from otklik.demo.scenario import OWN_VK_GROUP, build_scenario
from otklik.flow.pipeline import ingest
from otklik.publish.refutation import Pacer
from otklik.query.index import brand_matcher
from otklik.query.search import index_from_store
from otklik.settings import Settings
from otklik.sources.outbound import registry_source_factory
from tests.network_desk import GROUP_TOKEN, READ_TOKEN, FakeNetworks

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# The demo campaign: 18 tiny, days-old accounts posting one hoax in three synchronised waves,
# found by the detector with its default parameters.
PARAMS = AttackParams()


class Sleeps:
    """A fake clock that only moves when the pacer sleeps (sends take no time here)."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = 0.0

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def demo_attack(session: Session, server: Any) -> tuple[Attack, Settings]:
    """Зерно from the demo, its VK community sending through the fake API, the attack found."""
    spec = BRANDS[0]
    brand = create_brand(session, spec["name"], slug=spec["slug"], queries=spec["queries"],
                         actor="demo")
    source = Source(brand_id=brand.id, network="vk", name="Зерно VK", kind="wall",
                    params={"owner_id": int(OWN_VK_GROUP.external_id), "owned": True},
                    credentials={"group_token": GROUP_TOKEN, "access_token": READ_TOKEN})
    session.add(source)
    session.flush()
    session.add(Channel(brand_id=brand.id, network="vk", external_id=OWN_VK_GROUP.external_id,
                        name=OWN_VK_GROUP.name or "", source_id=source.id))
    session.commit()
    scenario = build_scenario(seed=7, end=END)
    recent = [p for p in scenario.posts if p.created_at >= END - timedelta(days=3)]
    ingest(session, recent, enrichers=[brand_matcher(index_from_store(session))])
    found = refresh_attacks(session, brand.id, now=END, params=PARAMS)
    session.commit()
    assert len(found.created) == 1
    attack = session.get(Attack, found.created[0])
    assert attack is not None
    url = server.url_for("/").rstrip("/")
    return attack, Settings(vk_api_url=url, telegram_api_url=url, telegram_web_url=url)


def add_communities(session: Session, brand_id: int) -> dict[str, int]:
    rbc = session.scalars(select(Place).where(Place.network == "rss",
                                              Place.external_id == "rbc.ru")).first()
    if rbc is None:  # the demo's news site, when no RSS item fell in the ingested days
        rbc = Place(network="rss", external_id="rbc.ru", name="РБК", kind="site")
        session.add(rbc)
        session.flush()
    rows = {
        "neutral": Community(brand_id=brand_id, kind="place", key="reddit:moscow",
                             name="r/moscow", stance="unofficial-neutral", audience=90_000),
        "friendly": Community(brand_id=brand_id, kind="place", key="telegram:moscow_coffee_chat",
                              name="Кофе в Москве", stance="unofficial-friendly", audience=8_000),
        "media": Community(brand_id=brand_id, kind="place", key="rss:rbc.ru", name="РБК",
                           stance="unofficial-neutral", audience=900_000, place_id=rbc.id),
        "hostile": Community(brand_id=brand_id, kind="place", key="vk:-777111",
                             name="Зерно — вся правда", stance="unofficial-hostile",
                             audience=3_400),
        "official": Community(brand_id=brand_id, kind="place", key="vk:-100200",
                              name="Зерно — сеть кофеен", stance="official", audience=48_000),
    }
    session.add_all(rows.values())
    session.flush()
    return {k: v.id for k, v in rows.items()}


def test_refutation_of_the_demo_campaign(store: Any, net: FakeNetworks) -> None:
    with store.sessions() as s:
        attack, settings = demo_attack(s, net.server)
        factory = registry_source_factory(s, settings, max_retries=0)
        communities = add_communities(s, attack.brand_id)
        mentions = s.scalars(select(Mention).where(Mention.id.in_(attack.mention_ids))).all()
        assert len(mentions) >= 25 and all("таракан" in m.text for m in mentions)
        n_vk = sum(m.network == "vk" for m in mentions)
        n_x = sum(m.network == "x" for m in mentions)
        assert n_vk > 3 and n_vk + n_x == len(mentions)

        ref = ref_actions.build_plan(s, actor="anna", attack_id=attack.id,
                                     claim="в кофейне нашли таракана")
        s.commit()
        assert "в кофейне нашли таракана" in ref.official_text
        threads = ref.replies
        assert len(threads) == len(mentions)  # no campaign post answers another: one each
        assert [t["reach"] for t in threads] == sorted((t["reach"] for t in threads),
                                                       reverse=True)
        by_network = {n: [t for t in threads if t["network"] == n] for n in ("vk", "x")}
        assert len(by_network["vk"]) == n_vk and len(by_network["x"]) == n_x
        assert {t["status"] for t in by_network["vk"]} == {"drafted"}
        assert {t["status"] for t in by_network["x"]} == {"no_channel"}  # no X channel to use
        # the placements checklist: largest neutral or friendly places and media
        assert [p["community_id"] for p in ref.placements] == [
            communities["media"], communities["neutral"], communities["friendly"]]
        assert [p["media"] for p in ref.placements] == [True, False, False]
        assert ref.coverage == 0.0

        # the official post needs approval before anything goes out
        with pytest.raises(SendRefused, match="approve"):
            ref_actions.publish_official(s, ref.id, source_factory=factory, actor="anna")
        assert net.paths() == []
        ref_actions.approve_official(s, ref.id, actor="boss")
        s.commit()
        official = ref_actions.publish_official(s, ref.id, source_factory=factory,
                                                actor="anna")
        assert [a.status for a in official] == ["sent"]
        assert net.paths() == ["wall.post"]
        assert net.calls("wall.post")[0]["owner_id"] == "-100200"
        s.refresh(attack)
        assert attack.responded_at is not None  # the silence detector now stays quiet

        sleeps = Sleeps()
        report = ref_actions.send_replies(s, ref.id, source_factory=factory, actor="anna",
                                          pacer=Pacer(sleep=sleeps, clock=sleeps.clock))
        assert len(report.sent) == n_vk and report.failed == [] and report.paused is None
        assert len(report.skipped) == n_x
        sent = net.calls("wall.createComment")
        assert len(sent) == n_vk
        # one by one, largest reach first, each linking the official post
        expected_order = [t["external_id"] for t in by_network["vk"]]
        assert [f"{c['owner_id']}_{c['post_id']}" for c in sent] == expected_order
        assert all("https://vk.com/wall-100200_1203" in c["message"] for c in sent)
        # VK's budget: 3 requests a second
        assert sleeps.calls == [pytest.approx(1 / 3)] * (n_vk - 1)
        # coverage: the share of the campaign's reach (each post counting at least 1) answered
        weight = {m.external_id: max(m.reach or 0, 1) for m in mentions}
        vk_reach = sum(w for e, w in weight.items() if e.startswith("-"))
        expected = round(vk_reach / sum(weight.values()), 4)
        assert 0 < expected < 1
        assert report.coverage == expected
        status = ref_actions.status(s, ref.id)
        assert status["coverage"] == expected
        assert status["replies"] == {"sent": n_vk, "no_channel": n_x}
        assert status["official_url"] == "https://vk.com/wall-100200_1203"

        ref_actions.set_placement(s, ref.id, communities["media"], "contacted", actor="anna",
                                  note="пресс-служба РБК")
        assert ref_actions.status(s, ref.id)["placements"][0]["status"] == "contacted"
        with pytest.raises(ValueError, match="unknown placement status"):
            ref_actions.set_placement(s, ref.id, communities["media"], "done", actor="anna")

        # building again changes nothing already done and sends nothing
        again = ref_actions.build_plan(s, actor="anna", attack_id=attack.id)
        assert again.id == ref.id and again.coverage == expected
        assert ref_actions.send_replies(s, ref.id, source_factory=factory, actor="anna",
                                        pacer=Pacer(sleep=sleeps, clock=lambda: 0.0)).sent == []
        assert len(net.calls("wall.createComment")) == n_vk


def test_flood_control_pauses_the_replies(sqlite_store: Any, net: FakeNetworks) -> None:
    with sqlite_store.sessions() as s:
        attack, settings = demo_attack(s, net.server)
        factory = registry_source_factory(s, settings, max_retries=0)
        ref = ref_actions.build_plan(s, actor="anna", attack_id=attack.id)
        s.commit()
        net.flood_after, net.comments_tried = 3, 0
        pacer = Pacer(sleep=lambda _: None, clock=lambda: 0.0)
        first = ref_actions.send_replies(s, ref.id, source_factory=factory, actor="anna",
                                         pacer=pacer)
        assert len(first.sent) == 3 and len(first.failed) == 1
        assert first.paused is not None and "подождать" in first.paused
        assert len(net.calls("wall.createComment")) == 4  # stopped at the refusal
        net.flood_after, net.comments_tried = None, 0
        second = ref_actions.send_replies(s, ref.id, source_factory=factory, actor="anna",
                                          pacer=pacer)
        n_vk = sum(t["network"] == "vk" for t in ref.replies)
        assert len(second.sent) == n_vk - 3 and second.paused is None
        assert len(net.calls("wall.createComment")) == n_vk + 1
        replies = s.scalars(select(Action).where(Action.refutation_id == ref.id,
                                                 Action.kind == "public_reply",
                                                 Action.status == "sent")).all()
        assert len(replies) == n_vk and len({a.external_id for a in replies}) == n_vk
