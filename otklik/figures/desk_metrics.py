"""A brand's desk metrics over a period, read from the store: the few columns the figures need,
not whole cases (the overview asks on every view); the arithmetic is `care.metrics.compute`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.care.metrics import CaseFacts, DeskMetrics, compute
from otklik.db.models import Action, Case, Mention


def desk_metrics(session: Session, brand_id: int, start: datetime, end: datetime) -> DeskMetrics:
    """Metrics of the brand's cases opened in [start, end).

    Reads the few columns the figures need, not whole cases: the overview asks on every view."""
    rows = session.execute(
        select(Case.id, Case.state, Case.first_response_at, Case.outcome,
               Case.sla_breached_at, Mention.created_at)
        .join(Mention, Mention.id == Case.root_mention_id)
        .where(Case.brand_id == brand_id, Case.created_at >= start, Case.created_at < end)
    ).all()
    ids = [row.id for row in rows]
    sent: dict[int, set[str]] = {}
    for i in range(0, len(ids), 500):
        for case_id, kind in session.execute(
            select(Action.case_id, Action.kind)
            .where(Action.case_id.in_(ids[i:i + 500]), Action.status == "sent")
        ):
            if case_id is not None:
                sent.setdefault(case_id, set()).add(kind)
    facts = [
        CaseFacts(state=row.state, appeared_at=row.created_at,
                  first_public_at=row.first_response_at,
                  sent_kinds=frozenset(sent.get(row.id, ())), outcome=row.outcome,
                  sla_breached=row.sla_breached_at is not None)
        for row in rows
    ]
    return compute(facts)
