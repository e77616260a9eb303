"""Отчёты: build a brand's report for whole days, preview it in the browser, download it; the
history of scheduled deliveries.

The preview is the PDF's own HTML (the same template WeasyPrint renders), so what the reader sees
before downloading is what the file holds. Days are counted in the desk's zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.db.models import AlertChannel, AlertOutbox
from otklik.domain.ids import StoreId, parse_id
from otklik.reports import pdf
from otklik.reports.figures import Window, collect, window_of
from otklik.web.api.reports import MAX_DAYS
from otklik.web.deps import Reader, SessionDep
from otklik.web.pages.common import brand_or_404, brands
from otklik.web.render import lang_of, render, zone_of
from otklik.web.report_file import report_download
from otklik.wording import words
from otklik.wording.catalogues import say
from otklik.wording.codes import word

router = APIRouter(include_in_schema=False)


def _day(value: str | None, field: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise HTTPException(422, f"{field}: not a date such as 2026-11-25: {value[:40]!r}"
                            ) from exc


def _window(request: Request, since: date, until: date) -> Window:
    """The days asked for; too long a period (it would hold a worker for minutes) is a 422."""
    if until < since:
        raise HTTPException(422, "until: must not be before since")
    if (until - since).days >= MAX_DAYS:
        raise HTTPException(422, f"until: a report covers at most {MAX_DAYS} days")
    try:
        return window_of(since, until, zone_of(request))
    except ValueError as exc:
        raise HTTPException(422, f"since: {exc}") from exc


@router.get("/reports")
def reports_page(
    request: Request, _: Reader, session: SessionDep, brand: str | None = None,
    since: str | None = None, until: str | None = None,
) -> Response:
    """The form: a brand, the first and last day (the last 7 days by default), the format."""
    lang, today = lang_of(request), datetime.now(zone_of(request)).date()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    return render(request, "reports.html", {
        "history": history(session, lang, zone_of(request)),
        "shortcuts": [  # (label, since, until)
            (say("report_last_7_days", lang), today - timedelta(days=6), today),
            (say("report_last_30_days", lang), today - timedelta(days=29), today),
            (say("report_last_month", lang), last_month_end.replace(day=1), last_month_end),
        ],
        "brands": brands(session),
        "brand_id": parse_id(brand) if brand else None,
        "since": _day(since, "since", today - timedelta(days=6)).isoformat(),
        "until": _day(until, "until", today).isoformat(),
    })


def history(session: Session, lang: str, tz: tzinfo, limit: int = 50) -> list[dict[str, str]]:
    """The latest scheduled deliveries (their records in `alert_outbox`), in words."""
    names = {b.id: b.name for b in brands(session)}
    out = []
    for row, channel in session.execute(
            select(AlertOutbox, AlertChannel).join(AlertChannel)
            .where(AlertOutbox.kind == "report")
            .order_by(AlertOutbox.id.desc()).limit(limit)):
        ev = row.event or {}
        try:
            since = datetime.fromisoformat(str(ev.get("since")))
            until = datetime.fromisoformat(str(ev.get("until")))
            period = pdf.period_words(since, until, lang, tz)
        except ValueError:
            period = "—"
        to = (channel.config or {}).get("to") or []
        out.append({
            "when": words.when(row.sent_at or row.created_at, lang, tz),
            "brand": names.get(int(ev.get("brand_id") or 0), "—"),
            "kind": word("report_kind", ev.get("report"), lang),
            "period": period,
            "to": ", ".join(to) if isinstance(to, list) else str(to),
            "state": word("delivery_state", row.state, lang),
        })
    return out


@router.get("/reports/preview")
def preview(
    request: Request, brand: StoreId, since: date, until: date, _: Reader, session: SessionDep,
) -> HTMLResponse:
    """The report as the PDF will show it, in the reader's language."""
    window = _window(request, since, until)
    brand_or_404(session, brand)
    figures = collect(session, brand, window)
    return HTMLResponse(pdf.html(figures, lang_of(request), zone_of(request)))


@router.get("/reports/file")
def report_file(
    request: Request, brand: StoreId, since: date, until: date, _: Reader, session: SessionDep,
    format: Literal["pdf", "xlsx", "csv"] = "pdf",
) -> FileResponse:
    """The report to download; the file lives in a temporary folder removed once sent."""
    window = _window(request, since, until)
    name = f"{brand_or_404(session, brand).slug}-{since.isoformat()}-{until.isoformat()}.{format}"
    return report_download(session, brand, window, name, lang_of(request), zone_of(request))
