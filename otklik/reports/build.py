"""One entry for every caller (CLI, API, desk, schedule): a brand, a period, a file name; the
format is the file's extension."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sqlalchemy.orm import Session

from otklik.db.brands import get_brand
from otklik.db.models import Incident
from otklik.reports.figures import Window, collect, mention_count
from otklik.reports.pdf import write_pdf
from otklik.reports.rows import write_csv
from otklik.reports.xlsx import write_xlsx

FORMATS = ("pdf", "xlsx", "csv")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@dataclass
class Written:
    path: Path
    format: str
    mentions: int  # the brand's mentions in the period (the store's count)


def format_of(path: Path) -> str:
    """pdf, xlsx or csv from the extension; anything else is a ValueError naming it."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"{path.name}: the extension must be .pdf, .xlsx or .csv "
                         f"(got {path.suffix or 'none'})")
    return suffix


def write_report(session: Session, brand: str | int, window: Window, path: Path,
                 lang: str = "ru", tz: tzinfo = UTC) -> Written:
    """Writes the report to `path` in the format its extension names."""
    fmt = format_of(path)
    if lang not in ("ru", "en"):
        raise ValueError(f"language {lang!r}: expected ru or en")
    if fmt == "csv":
        b = get_brand(session, brand)
        return Written(path, fmt, write_csv(session, b.id, window, path, lang, tz))
    figures = collect(session, brand, window)
    if fmt == "pdf":
        write_pdf(figures, path, lang, tz)
        return Written(path, fmt, mention_count(session, figures.brand_id, window))
    return Written(path, fmt, write_xlsx(session, figures, path, lang, tz))


def incident_window(session: Session, brand: str | int, incident_id: int) -> Window:
    """An incident's span: from its start to its resolution (or now, while it is open)."""
    b = get_brand(session, brand)
    inc = session.get(Incident, incident_id)
    if inc is None or inc.brand_id != b.id:
        raise LookupError(f"no incident {incident_id} of brand {b.slug!r}")
    return Window(inc.started_at, inc.resolved_at or datetime.now(UTC))
