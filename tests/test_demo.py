"""`make run` builds this demo: it must load whole, tell a story, and keep organic posts apart."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from otklik.actions.unit import transaction
from otklik.db.models import Attack, Case, Mention, Spike
from otklik.demo.build import build_demo


def test_the_demo_loads_with_its_incident_attack_and_cases(sqlite_store: Any) -> None:
    report = build_demo(sqlite_store.sessions)
    assert report.brands == ["zerno", "severny"]
    assert report.mentions > 2000 and report.steps["cases opened"] > 50
    with transaction(sqlite_store.sessions) as s:
        assert s.scalar(select(func.count()).select_from(Mention)) == report.mentions
        assert s.scalar(select(func.count()).select_from(Case)) == report.steps["cases opened"]
        assert s.scalar(select(func.count()).select_from(Attack)) >= 1
        assert s.scalar(select(func.count()).select_from(Spike)) >= 1
        sizes = list(s.scalars(select(func.count()).select_from(Mention)
                              .where(Mention.cluster_id.is_not(None))
                              .group_by(Mention.cluster_id)))
    # the planted campaign is one big cluster; people's own posts mostly stand alone
    assert max(sizes) >= 30
    assert sum(sizes) < 0.75 * report.mentions
