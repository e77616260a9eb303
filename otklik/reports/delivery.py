"""Reports on a schedule, e-mailed with the PDF attached through the brand's e-mail alert channel.

A channel asks for them in its config: `"reports": ["weekly", "monthly", "incident"]`.
- weekly: Monday 09:00 in the brand's zone (`working_hours["tz"]`), the seven days before;
- monthly: the 1st at 09:00, the month before;
- incident: once it is resolved, its span.
Each is due for a day after its moment (a desk that was down longer does not send stale ones).

Here: what is due, the message and its sending; claiming a delivery and recording it (exactly
once) is `otklik.actions.report_delivery`'s.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.alerts.notifiers import EmailNotifier, build_notifier
from otklik.db.models import AlertChannel, Brand, Incident
from otklik.reports.figures import Window, window_of
from otklik.reports.pdf import period_words
from otklik.wording import words

KINDS = ("weekly", "monthly", "incident")
GRACE = timedelta(days=1)
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


def subject(brand: Brand, due: Due, tz: tzinfo) -> str:
    what = {"weekly": "Недельный отчёт", "monthly": "Месячный отчёт",
            "incident": f"Отчёт об инциденте «{due.incident}»"}[due.kind]
    period = period_words(due.window.since, due.window.until, "ru", tz)
    return f"[otklik] {brand.name}: {what}, {period}"

