"""Reports on a schedule, e-mailed with the PDF attached through the brand's e-mail alert channel.

A channel asks for them in its config: `"reports": ["weekly", "monthly", "incident"]`.
- weekly: Monday 09:00 in the brand's zone (`working_hours["tz"]`), the seven days before;
- monthly: the 1st at 09:00, the month before;
- incident: once it is resolved, its span.
Each is due for a day after its moment (a desk that was down longer does not send stale ones).

Exactly once: a delivery is a row in `alert_outbox` (kind "report", the record of who was sent
what), claimed under a write lock on the channel's row taken by a no-op UPDATE. A second scheduler
ticking the same minute waits for the first's commit and then finds its claim (PostgreSQL), or is
refused the lock because its snapshot is stale (SQLite) and leaves the report to the first. The
claim is committed before the PDF is made, so no lock is held while rendering; a failed send is
marked so and tried again 15 minutes later, a claim left "sending" for 30 minutes too.
"""

from __future__ import annotations

import logging
import smtplib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from otklik.alerts.notifiers import EmailNotifier, build_notifier
from otklik.db.models import AlertChannel, AlertOutbox, Brand, Incident
from otklik.reports.build import write_report
from otklik.reports.figures import Window, window_of
from otklik.reports.pdf import period_words
from otklik.wording import words

log = logging.getLogger("otklik.reports")
KINDS = ("weekly", "monthly", "incident")
GRACE = timedelta(days=1)
STALE = timedelta(minutes=30)
RETRY = timedelta(minutes=15)
SEND_AT = time(9, 0)
Sender = Callable[[dict[str, Any], str, str, Path], None]


@dataclass(frozen=True)
class Due:
    channel_id: int
    brand_id: int
    kind: str
    key: str  # unique per channel: "weekly:2026-11-30", "incident:3"
    window: Window
    incident: str = ""


@dataclass
class Delivery:
    due: Due
    state: str  # sent, failed
    error: str = ""


def brand_zone(brand: Brand) -> tzinfo:
    hours = brand.working_hours if isinstance(brand.working_hours, dict) else {}
    return words.zone(str(hours.get("tz") or "") or None, "ru")


def scheduled(kinds: list[str], tz: tzinfo, now: datetime) -> list[tuple[str, str, Window]]:
    """(kind, key, window) of the weekly and monthly reports whose moment passed within a day."""
    local = now.astimezone(tz)
    out = []
    if "weekly" in kinds:
        monday = local.date() - timedelta(days=local.weekday())
        moment = datetime.combine(monday, SEND_AT, tz)
        if moment > local:
            monday -= timedelta(days=7)
            moment = datetime.combine(monday, SEND_AT, tz)
        if local - moment < GRACE:
            out.append(("weekly", f"weekly:{monday}",
                        window_of(monday - timedelta(days=7), monday - timedelta(days=1), tz)))
    if "monthly" in kinds:
        first = local.date().replace(day=1)
        moment = datetime.combine(first, SEND_AT, tz)
        if moment <= local and local - moment < GRACE:
            last = first - timedelta(days=1)
            out.append(("monthly", f"monthly:{first}", window_of(date(last.year, last.month, 1),
                                                                  last, tz)))
    return out


def due_reports(session: Session, now: datetime) -> list[Due]:
    """Every report some e-mail channel asked for whose moment has come (claimed or not)."""
    out = []
    channels = session.scalars(select(AlertChannel).where(
        AlertChannel.kind == "email", AlertChannel.enabled.is_(True)))
    for ch in channels:
        kinds = [k for k in (ch.config or {}).get("reports") or [] if k in KINDS]
        if not kinds:
            continue
        brands = ([session.get(Brand, ch.brand_id)] if ch.brand_id is not None
                  else list(session.scalars(select(Brand).order_by(Brand.id))))
        for brand in brands:
            if brand is None:
                continue
            for kind, key, window in scheduled(kinds, brand_zone(brand), now):
                out.append(Due(ch.id, brand.id, kind, f"{key}:{brand.id}", window))
            if "incident" in kinds:
                for inc in session.scalars(select(Incident).where(
                        Incident.brand_id == brand.id, Incident.resolved_at.is_not(None),
                        Incident.resolved_at <= now, Incident.resolved_at > now - GRACE)):
                    assert inc.resolved_at is not None
                    out.append(Due(ch.id, brand.id, "incident", f"incident:{inc.id}",
                                   Window(inc.started_at, inc.resolved_at), inc.title))
    return out


def claim(session: Session, due: Due, now: datetime) -> int | None:
    """The outbox row this process now owns for `due`, or None if another has it (or sent it)."""
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


def send_email(config: dict[str, Any], subject: str, text: str, attachment: Path) -> None:
    """One message with the file attached, through the channel's SMTP settings."""
    notifier = build_notifier("email", config)
    assert isinstance(notifier, EmailNotifier)
    message = EmailMessage()
    message["From"], message["To"] = notifier.sender, ", ".join(notifier.to)
    message["Subject"] = subject
    message.set_content(text)
    message.add_attachment(attachment.read_bytes(), maintype="application", subtype="pdf",
                           filename=attachment.name)
    smtp_class = smtplib.SMTP_SSL if notifier.ssl else smtplib.SMTP
    with smtp_class(notifier.host, notifier.port, timeout=30) as smtp:
        if notifier.starttls:
            smtp.starttls()
        if notifier.username:
            smtp.login(notifier.username, notifier.password or "")
        smtp.send_message(message)


def _subject(brand: Brand, due: Due, tz: tzinfo) -> str:
    what = {"weekly": "Недельный отчёт", "monthly": "Месячный отчёт",
            "incident": f"Отчёт об инциденте «{due.incident}»"}[due.kind]
    period = period_words(due.window.since, due.window.until, "ru", tz)
    return f"[otklik] {brand.name}: {what}, {period}"


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
                    send(dict(channel.config or {}), _subject(brand, d, tz),
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
