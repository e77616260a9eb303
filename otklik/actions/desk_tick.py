"""The desk's periodic step, for the local scheduler or a Celery beat task.

One call: record SLA reminders and breaches, flag cases whose comments were removed at the
source, send (or propose) due follow-ups, close follow-ups nobody answered, and hand every event
to the alert dispatcher (which groups them). Idempotent: running it twice in a row changes nothing
the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from otklik.actions import case_answers as answers
from otklik.actions import case_upkeep as upkeep
from otklik.actions.alert_dispatch import AlertDispatcher
from otklik.actions.alert_dispatch import Report as AlertReport
from otklik.actions.send import SourceFactory
from otklik.alerts.events import AlertEvent


@dataclass
class TickReport:
    alerts: list[AlertEvent] = field(default_factory=list)
    follow_ups: list[int] = field(default_factory=list)  # action ids drafted
    closed_silent: list[int] = field(default_factory=list)  # case ids
    delivery: AlertReport | None = None


def desk_tick(
    session: Session, *, source_factory: SourceFactory | None,
    dispatcher: AlertDispatcher | None = None, now: datetime | None = None,
    extra_events: list[AlertEvent] | None = None,
) -> TickReport:
    """Run the desk's due work once; commits. `extra_events` (e.g. new cases from ingest) are
    dispatched along with the tick's own."""
    now = now or datetime.now(UTC)
    report = TickReport(alerts=list(extra_events or []))
    report.alerts += upkeep.check_sla(session, now)
    report.alerts += upkeep.flag_removed_at_source(session)
    session.commit()
    report.follow_ups = [a.id for a in answers.run_due_follow_ups(
        session, now, source_factory=source_factory)]
    report.closed_silent = upkeep.close_silent_follow_ups(session, now)
    session.commit()
    if dispatcher is not None:
        report.delivery = dispatcher.submit(session, report.alerts, now)
    return report
