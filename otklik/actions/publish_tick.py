"""The publishing side's periodic step, for the local scheduler or a Celery beat task.

One call: publish the announcements and reminders that are due (never twice, see
`otklik.actions.delivery`), link new complaints to open incidents (with suggested replies), and
run the silence detector. Every alert goes through the shared dispatcher. Idempotent: a second
call right after the first sends and alerts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from otklik.actions.alert_dispatch import AlertDispatcher
from otklik.actions.alert_dispatch import Report as AlertReport
from otklik.actions.announcements import DueReport, publish_due_announcements
from otklik.actions.incidents import Linked, link_open_incidents
from otklik.actions.send import SourceFactory
from otklik.actions.silence import check_silence
from otklik.alerts.events import AlertEvent
from otklik.db.models import Action


@dataclass
class PublishTick:
    announcements: DueReport = field(default_factory=DueReport)
    incidents: Linked = field(default_factory=Linked)
    alerts: list[AlertEvent] = field(default_factory=list)
    delivery: AlertReport | None = None


def publish_tick(
    session: Session, now: datetime, source_factory: SourceFactory,
    dispatcher: AlertDispatcher | None = None,
) -> PublishTick:
    """Run the publishing side's due work once; commits."""
    out = PublishTick()
    out.announcements = publish_due_announcements(session, now, source_factory)
    for action_id in out.announcements.needs_review:
        action = session.get(Action, action_id)
        out.alerts.append(AlertEvent(
            "publish_review", action.brand_id if action else 0, None,
            f"announcement post (action {action_id}) may have been published; "
            f"otklik could not check: {action.last_error if action else ''}", at=now))
    out.incidents = link_open_incidents(session, now=now)
    out.alerts += check_silence(session, now)
    session.commit()
    if dispatcher is not None and out.alerts:
        out.delivery = dispatcher.submit(session, out.alerts, now)
    return out
