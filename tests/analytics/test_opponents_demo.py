"""On the demo: the only opponents are the ones it plants (the regulars of «Зерно — вся правда»
and the campaign's accounts the attack detector names); the card-terminal outage's
customers and the everyday complainers are not a group, and the brand's own VK group has many
complaints, not a hostile stance."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from otklik.actions.unit import transaction
from otklik.db.models import Attack, Brand, Community
from otklik.demo.build import build_demo
from otklik.demo.scenario import OWN_VK_GROUP
from tests.web.conftest import make_desk

REGULARS = {f"vk:vk-h{i}" for i in range(6)}  # the demo's hostile community


def groups(session: Any) -> dict[str, list[set[str]]]:
    out: dict[str, list[set[str]]] = {}
    rows = session.execute(select(Brand.slug, Community.details).join(
        Community, Community.brand_id == Brand.id).where(Community.kind == "author_group"))
    for slug, details in rows:
        out.setdefault(slug, []).append(set(details["members"]))
    return out


def test_demo_opponents_are_the_planted_ones(sqlite_store: Any) -> None:
    build_demo(sqlite_store.sessions)
    with transaction(sqlite_store.sessions) as s:
        zerno = s.scalar(select(Brand).where(Brand.slug == "zerno"))
        own = s.scalar(select(Community).where(
            Community.key == f"vk:{OWN_VK_GROUP.external_id}"))
        assert own.stance == "official" and own.details["complaints"]
        bots = {a for authors in s.scalars(select(Attack.authors)) for a in authors}
        found = groups(s)
    assert set(found) == {"zerno"}
    # the attack detector runs first, so the campaign's accounts are a group on the first build
    assert REGULARS in found["zerno"] and len(found["zerno"]) == 2
    campaign = next(g for g in found["zerno"] if g != REGULARS)
    assert campaign <= bots and len(campaign) >= 2
    assert not bots & REGULARS  # regulars in their own words are opponents, not a campaign
    page = make_desk(sqlite_store).client("viewer").get(f"/communities?brand={zerno.id}")
    assert page.status_code == 200
    assert "много жалоб" in page.text and "Враждебность:" in page.text
    assert "Клиенты, которые жалуются в одну волну" in page.text
    assert "скоординированная кампания" in page.text  # the campaign's one day, explained
