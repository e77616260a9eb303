"""The care desk's cases of the period by network and by responder: grouped counts in the store.

The totals are `otklik.care.metrics.desk_metrics` (the desk's own figures); these rows split the
same cases (opened in the window, `not_actionable` ones left out as in the metrics) so a reader
sees where answers were late.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.db.models import Case, User
from otklik.domain.cases import NOT_ACTIONABLE

if TYPE_CHECKING:
    from otklik.reports.figures import Window


@dataclass
class CareRow:
    label: str
    opened: int
    answered: int
    resolved: int
    breached: int

    @property
    def sla_kept(self) -> float | None:
        return 1 - self.breached / self.opened if self.opened else None


def _rows(session: Session, key: Any, brand_id: int, w: Window) -> list[tuple[Any, ...]]:
    return list(session.execute(
        select(key, func.count(),
               func.count(Case.first_response_at),
               func.count(Case.resolved_at),
               func.count(Case.sla_breached_at))
        .where(Case.brand_id == brand_id, Case.created_at >= w.since,
               Case.created_at < w.until, Case.state != NOT_ACTIONABLE)
        .group_by(key).order_by(func.count().desc())
    ).all())


def care_rows(session: Session, brand_id: int, w: Window) -> tuple[list[CareRow], list[CareRow]]:
    """(by network, by responder); a case nobody was assigned is under "—"."""
    networks = [CareRow(str(k), *map(int, rest))
                for k, *rest in _rows(session, Case.network, brand_id, w)]
    people = _rows(session, Case.assignee_id, brand_id, w)
    ids = [k for k, *_ in people if k is not None]
    names = {u.id: (u.name or u.email)
             for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    responders = [CareRow(names.get(k, "—") if k is not None else "—", *map(int, rest))
                  for k, *rest in people]
    return networks, responders
