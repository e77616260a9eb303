"""Shared steps of the scale tests: a desk in the store, mentions in the ingest API's format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from otklik.db.models import Action, Brand, BrandQuery, Case, Channel, Mention, Source

GROUP = 100500
GROUP_TOKEN = "vk1.a.group-secret"


def seed_desk(sessions: sessionmaker[Session]) -> int:
    """A brand watching "зерно" with its VK community as the channel; returns the brand id."""
    with sessions() as session:
        brand = Brand(slug="zerno", name="Зерно", sla_minutes=60, follow_up_days=2.0,
                      languages=["ru"], working_hours={}, settings={})
        session.add(brand)
        session.flush()
        session.add(BrandQuery(brand_id=brand.id, name="main", text="зерно"))
        source = Source(brand_id=brand.id, network="vk", name="Зерно wall", kind="wall",
                        params={"owner_id": -GROUP, "owned": True}, enabled=False,
                        credentials={"access_token": "read", "group_token": GROUP_TOKEN})
        session.add(source)
        session.flush()
        session.add(Channel(brand_id=brand.id, network="vk", external_id=str(-GROUP),
                            name="Зерно", source_id=source.id))
        session.commit()
        return brand.id


def question(n: int, *, post: int = 1301) -> dict[str, Any]:
    """A customer's question to the brand under its post (opens a case: one per author)."""
    at = datetime.now(UTC) - timedelta(minutes=5)
    return {
        "network": "vk", "external_id": f"-{GROUP}_{post}_c{9000 + n}",
        "text": f"Зерно, когда вернёте деньги за заказ номер {n}? Жду уже неделю",
        "created_at": at.isoformat(), "url": f"https://vk.com/wall-{GROUP}_{post}?reply={9000 + n}",
        "author": {"external_id": str(311000 + n), "handle": f"id{311000 + n}",
                   "name": "Ольга Петрова"},
        "place": {"external_id": str(-GROUP), "name": "Зерно", "kind": "group"},
        "thread_external_id": f"-{GROUP}_{post}", "parent_external_id": f"-{GROUP}_{post}",
    }


def count(sessions: sessionmaker[Session], model: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def mention_ids(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Mention.external_id)))


def action_status(sessions: sessionmaker[Session], action_id: int) -> Action:
    with sessions() as session:
        action = session.get(Action, action_id)
        assert action is not None
        session.expunge(action)
        return action


def case_ids(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return list(session.scalars(select(Case.id).order_by(Case.id)))
