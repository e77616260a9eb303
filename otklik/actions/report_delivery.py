"""Scheduled reports, e-mailed exactly once: the claim and the record of the sending (rows of
`alert_outbox`, kind "report"); what is due, the PDF and the message come from
`otklik.reports.delivery`.

A delivery is claimed under a write lock on the channel's row taken by a no-op UPDATE. A second
scheduler ticking the same minute waits for the first's commit and then finds its claim
(PostgreSQL), or is refused the lock because its snapshot is stale (SQLite) and leaves the report
to the first. The claim is committed before the PDF is made, so no lock is held while rendering;
a failed send is marked so and tried again 15 minutes later, a claim left "sending" for 30
minutes too.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from otklik.db.models import AlertChannel, AlertOutbox, Brand
from otklik.reports.build import write_report
from otklik.reports.delivery import GRACE, Due, Sender, brand_zone, due_reports, send_email, subject

log = logging.getLogger("otklik.reports")
STALE = timedelta(minutes=30)
RETRY = timedelta(minutes=15)


@dataclass
class Delivery:
    due: Due
    state: str  # sent, failed
    error: str = ""


def claim(session: Session, due: Due, now: datetime) -> int | None:
    """The outbox row this process now owns for `due` (committed), or None if another has it
    (or sent it)."""
    try:
        session.execute(update(AlertChannel).where(AlertChannel.id == due.channel_id)
                        .values(enabled=AlertChannel.enabled))  # the channel's write lock
        rows = session.scalars(select(AlertOutbox).where(
            AlertOutbox.channel_id == due.channel_id, AlertOutbox.kind == "report",
            or_(AlertOutbox.state == "sent", AlertOutbox.created_at > now - GRACE - STALE)))
        for row in rows:
            if (row.event or {}).get("key") == due.key and (
                    row.state == "sent"
                    or (row.state == "sending" and row.created_at > now - STALE)
                    or (row.state == "failed" and row.created_at > now - RETRY)):
                session.rollback()
                return None
        row = AlertOutbox(channel_id=due.channel_id, kind="report", state="sending",
                          created_at=now, event={
                              "key": due.key, "brand_id": due.brand_id, "report": due.kind,
                              "since": due.window.since.isoformat(),
                              "until": due.window.until.isoformat()})
        session.add(row)
        session.commit()
        return row.id
    except OperationalError:  # SQLite: another process holds (or just took) the lock
        session.rollback()
        return None


def deliver_due(sessions: sessionmaker[Session], now: datetime | None = None,
                send: Sender = send_email) -> list[Delivery]:
    """Claims, renders and sends every due report; returns what this process delivered."""
    now = now or datetime.now(UTC)
    with sessions() as session:
        due = due_reports(session, now)
    out = []
    for d in due:
        with sessions() as session:
            outbox_id = claim(session, d, now)
            if outbox_id is None:
                continue
            brand = session.get(Brand, d.brand_id)
            channel = session.get(AlertChannel, d.channel_id)
            assert brand is not None and channel is not None
            tz = brand_zone(brand)
            state, error = "sent", ""
            with tempfile.TemporaryDirectory(prefix="otklik-report-") as folder:
                path = Path(folder) / f"{brand.slug}-{d.key.split(':')[0]}.pdf"
                try:
                    written = write_report(session, brand.id, d.window, path, "ru", tz)
                    send(dict(channel.config or {}), subject(brand, d, tz),
                         f"{brand.name}: {written.mentions} упоминаний за период. "
                         "Отчёт — во вложении (PDF).", path)
                except Exception as exc:  # kept on the record and tried again on a later tick
                    session.rollback()
                    log.warning("report %s to channel %d failed: %s", d.key, d.channel_id, exc)
                    state, error = "failed", f"{type(exc).__name__}: {exc}"[:300]
            row = session.get(AlertOutbox, outbox_id)
            assert row is not None
            row.state = state
            row.sent_at = datetime.now(UTC) if state == "sent" else None
            row.event = {**row.event, **({"error": error} if error else {})}
            session.commit()
            out.append(Delivery(d, state, error))
    return out
