"""The demo's team at work: the desk of a fresh demo looks like a working team's, not a pile of
200 unanswered, overdue complaints.

The team answered each live complaint when a team would have: most a little before the first-
response deadline (working hours respected, as the deadline already is), about one in seven
late. Complaints about a spike's subject wait, as a team holds its answers until the incident
is explained: that is what the incident flow (explain once, answer all with the link) is for,
and the user runs it. Answers go through the real path (templated private message first, then
the public reply) to the sandbox network, stamped with the time they were "sent". Complaints of
the last hours are left waiting; older answered ones are often resolved, so the follow-up
("удалось ли решить проблему?") is due on some of them.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.case_answers import answer_and_move_to_private
from otklik.actions.cases import resolve
from otklik.actions.send import SendRefused, SourceFactory
from otklik.actions.unit import commit_step
from otklik.db.models import Case, Mention, Spike
from otklik.domain import cases as sm
from otklik.publish.incidents import IncidentScope, keywords_query, spike_keywords
from otklik.query.search import mention_mapping

ACTOR = "demo-team"
LATE_SHARE = 0.15
RESOLVED_SHARE = 0.6


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def work_the_desk(session: Session, factory: SourceFactory, end: datetime,
                  seed: int = 7) -> dict[str, int]:
    """Answer (and often resolve) the new cases a team would have handled by `end`."""
    rng = random.Random(seed)
    held = [(spike.brand_id, IncidentScope(
        started_at=spike.start, query=keywords_query(spike_keywords(spike.explanation)),
        spike_start=spike.start, spike_end=spike.end)) for spike in session.scalars(select(Spike))]
    rows = session.execute(
        select(Case.id, Case.brand_id, Case.network, Case.first_response_due_at, Mention)
        .join(Mention, Mention.id == Case.root_mention_id)
        .where(Case.state == sm.NEW).order_by(Case.id)).all()
    answered = resolved = 0
    # mid-shift: the newest complaint on each of a brand's networks is still waiting for the
    # user to answer (so every network of the demo has one to try the playbook on)
    newest = {(brand_id, network): case_id for case_id, brand_id, network, *_ in rows}
    for case_id, brand_id, network, due, root in rows:
        waits = newest[(brand_id, network)] == case_id or any(
            b == brand_id and scope.explains(mention_mapping(root), root.created_at, end)
            for b, scope in held)
        if due is None or waits:
            continue
        due, written = _utc(due), _utc(root.created_at)
        if rng.random() < LATE_SHARE:
            at = due + timedelta(minutes=rng.uniform(20, 180))
        else:
            at = max(written + timedelta(minutes=3), due - timedelta(minutes=rng.uniform(5, 45)))
        if at >= end - timedelta(minutes=rng.uniform(30, 120)):
            continue  # still waiting for the team
        try:
            answer_and_move_to_private(session, case_id, actor=ACTOR, source_factory=factory,
                                       now=at)
        except (LookupError, ValueError, SendRefused):
            session.rollback()
            continue
        answered += 1
        done_at = at + timedelta(hours=rng.uniform(1, 8))
        if done_at < end and rng.random() < RESOLVED_SHARE:
            case = session.get(Case, case_id)
            if case is not None and case.state == sm.IN_PRIVATE:
                commit_step(session, partial(resolve, session, case_id, actor=ACTOR,
                                             now=done_at))
                resolved += 1
    return {"answered by the demo team": answered, "resolved": resolved}
