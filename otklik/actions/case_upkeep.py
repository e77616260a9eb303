"""The desk's upkeep of open cases, run by its periodic step and after pushes: SLA reminders and
breaches (each once), follow-ups the customer never answered, mentions that disappeared from the
network. Writers like `otklik.actions.cases`; each change is audited in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from otklik.actions import case_queries as queries
from otklik.actions.audit import record
from otklik.actions.cases import move_case, now_or
from otklik.actions.compose import mention_summary
from otklik.alerts.events import AlertEvent
from otklik.db.models import Mention
from otklik.domain import cases as sm


def close_silent_follow_ups(
    session: Session, now: datetime | None = None, *, actor: str = "system"
) -> list[int]:
    """Close followed-up cases the customer never answered (`no_answer`) after the brand's wait
    (`Brand.settings["follow_up_wait_days"]`, default 7)."""
    now = now_or(now)
    closed = []
    for case, brand in queries.silent_follow_ups(session):
        wait = float((brand.settings or {}).get("follow_up_wait_days", 7))
        if case.followed_up_at is not None and case.followed_up_at + timedelta(days=wait) <= now:
            move_case(session, case, sm.CLOSED, actor, now, reason="no answer to the follow-up",
                  outcome="no_answer")
            closed.append(case.id)
    return closed


def check_sla(session: Session, now: datetime | None = None, *,
              actor: str = "system") -> list[AlertEvent]:
    """Remind before the first public answer is due and record breaches (once each)."""
    now = now_or(now)
    events = []
    for case, brand in queries.sla_pending(session):
        remind = float((brand.settings or {}).get("sla_remind_minutes", 15))
        status = sm.sla_status(case.first_response_due_at, now, answered=False,
                               remind_before_minutes=remind)
        due = case.first_response_due_at
        assert due is not None
        if status == "breached" and case.sla_breached_at is None:
            case.sla_breached_at = due
            kind = "sla_breach"
        elif status == "remind" and case.sla_reminded_at is None:
            case.sla_reminded_at = now
            kind = "sla_reminder"
        else:
            continue
        record(session, actor, f"case.{kind}", "case", case.id, due=due.isoformat())
        root = session.get(Mention, case.root_mention_id)
        events.append(AlertEvent(kind, brand.id, case.id,
                                 mention_summary(root) if root else f"case {case.id}",
                                 priority=case.priority, url=root.url if root else None, at=now))
    return events


def flag_removed_at_source(
    session: Session, mention_ids: Sequence[int] | None = None, *, actor: str = "system"
) -> list[AlertEvent]:
    """Show on each case that one of its mentions disappeared from the network (never by us)."""
    events = []
    for case, mention in queries.cases_with_removed_mentions(session, mention_ids):
        case.removed_at_source = mention.removed_at_source
        record(session, actor, "case.removed_at_source", "case", case.id, mention_id=mention.id)
        events.append(AlertEvent("removed_at_source", case.brand_id, case.id,
                                 mention_summary(mention), priority=case.priority,
                                 url=mention.url))
    return events
