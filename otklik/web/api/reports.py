"""Reports: a brand's period against the one before, as figures (JSON) or a file to download.

The same `otklik.reports` functions the CLI and the desk call; the file is written to a temporary
directory and removed once it is sent (`otklik.web.report_file`).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse

from otklik.actions.brands import brand_by_id
from otklik.domain.ids import StoreId
from otklik.reports.figures import Window, collect, window_of
from otklik.reports.summary import sentences
from otklik.web.api.common import invalid
from otklik.web.deps import Reader, SessionDep, get_or_404
from otklik.web.report_file import report_download

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
Lang = Literal["ru", "en"]
MAX_DAYS = 366  # a year against the year before: longer ran for minutes and held a worker


def _window(since: date, until: date, tz: str) -> tuple[Window, ZoneInfo]:
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise invalid(("query", "tz"), f"not a time zone name: {tz[:60]!r}") from exc
    if until < since:
        raise invalid(("query", "until"), "must not be before since")
    if (until - since).days >= MAX_DAYS:
        raise invalid(("query", "until"), f"a report covers at most {MAX_DAYS} days")
    try:
        window = window_of(since, until, zone)
        window.previous  # noqa: B018 - the period before must exist too (not before year 1)
    except (OverflowError, ValueError) as exc:
        raise invalid(("query", "since"), "out of the calendar's range") from exc
    return window, zone


@router.get("")
def figures(
    brand_id: StoreId, since: date, until: date, _: Reader, session: SessionDep,
    lang: Lang = "ru", tz: str = "UTC",
) -> dict[str, Any]:
    """The report's figures and summary sentences; `until` is the last day, included."""
    window, zone = _window(since, until, tz)
    get_or_404(session, brand_by_id, brand_id)
    f = collect(session, brand_id, window)
    return {
        "brand_id": f.brand_id, "slug": f.slug, "name": f.name,
        "since": window.since, "until": window.until,
        "previous": {"since": window.previous.since, "until": window.previous.until},
        "mentions": f.volume.total, "previous_mentions": f.previous.total,
        "summary": sentences(f, lang, zone),
        "figures": jsonable_encoder(asdict(f)),
    }


@router.get("/download")
def download(
    brand_id: StoreId, since: date, until: date, _: Reader, session: SessionDep,
    format: Literal["pdf", "xlsx", "csv"] = "pdf", lang: Lang = "ru", tz: str = "UTC",
) -> FileResponse:
    """The report as a PDF, an XLSX or a CSV of the period's mentions."""
    window, zone = _window(since, until, tz)
    slug = get_or_404(session, brand_by_id, brand_id).slug
    name = f"{slug}-{since.isoformat()}-{until.isoformat()}.{format}"
    return report_download(session, brand_id, window, name, lang, zone)
