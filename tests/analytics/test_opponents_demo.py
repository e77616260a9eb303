"""On the demo: the only opponents are the ones it plants (the regulars of «Зерно — вся правда»
and, once the attack detector has named them, the campaign's accounts); the card-terminal outage's
customers and the everyday complainers are not a group, and the brand's own VK group has many
complaints, not a hostile stance."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from otklik.actions.communities import refresh_communities
from otklik.db.engine import session_scope
from otklik.db.models import Attack, Brand, Community, Mention
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
    with session_scope(sqlite_store.sessions) as s:
        assert groups(s) == {"zerno": [REGULARS]}
        zerno = s.scalar(select(Brand).where(Brand.slug == "zerno"))
        own = s.scalar(select(Community).where(
            Community.key == f"vk:{OWN_VK_GROUP.external_id}"))
        assert own.stance == "official" and own.details["complaints"]
        bots = {a for authors in s.scalars(select(Attack.authors)) for a in authors}
        now = s.scalar(select(func.max(Mention.created_at)))
    with session_scope(sqlite_store.sessions) as s:  # again, with the attack detector's word
        refresh_communities(s, zerno.id, now=now)
    with session_scope(sqlite_store.sessions) as s:
        found = groups(s)["zerno"]
    assert REGULARS in found and len(found) == 2
    campaign = next(g for g in found if g != REGULARS)
    assert campaign <= bots and len(campaign) >= 2
    page = make_desk(sqlite_store).client("viewer").get(f"/communities?brand={zerno.id}")
    assert page.status_code == 200
    assert "много жалоб" in page.text and "Враждебность:" in page.text
    assert "Клиенты, которые жалуются в одну волну" in page.text
    assert "скоординированная кампания" in page.text  # the campaign's one day, explained
