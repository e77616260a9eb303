"""Every mention of the brand in the period, one row each, streamed from the store.

The rows come in the order of the brand's window index (`mention_brands` by brand and time) with
`yield_per`, so a million mentions never sit in memory at once: the XLSX and CSV writers consume
them as they arrive.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.db.models import Author, Case, CaseMention, Mention, MentionBrand, Place
from otklik.reports.figures import Window
from otklik.wording.codes import word

BATCH = 2000
MAX_TEXT = 32000  # a spreadsheet cell holds 32,767 characters
COLUMNS = ("id", "created_at", "network", "sentiment", "author", "place", "url", "text", "reach",
           "engagement", "case_id")


def headers(lang: str) -> tuple[str, ...]:
    """The columns' names in the reader's language (the `report_column` entries)."""
    return tuple(word("report_column", column, lang) for column in COLUMNS)


def _statement(brand_id: int, w: Window) -> Any:
    author = func.coalesce(Author.name, Author.handle, Author.external_id)
    place = func.coalesce(Place.name, Place.external_id)
    return (
        select(Mention.id, MentionBrand.created_at, Mention.network, MentionBrand.sentiment,
               author, place, Mention.url, Mention.text, Mention.reach, Mention.engagement)
        .select_from(MentionBrand)
        .join(Mention, Mention.id == MentionBrand.mention_id)
        .outerjoin(Author, Author.id == Mention.author_id)
        .outerjoin(Place, Place.id == Mention.place_id)
        .where(MentionBrand.brand_id == brand_id, MentionBrand.created_at >= w.since,
               MentionBrand.created_at < w.until)
        .order_by(MentionBrand.created_at)
    )


def cases_of(session: Session, brand_id: int, w: Window) -> dict[int, int]:
    """mention id → the brand's (first) case holding it, for the mentions of the window: a few
    per hundred mentions, read once instead of a subquery per row."""
    return {int(m): int(c) for m, c in session.execute(
        select(CaseMention.mention_id, func.min(CaseMention.case_id))
        .join(Case, Case.id == CaseMention.case_id)
        .join(Mention, Mention.id == CaseMention.mention_id)
        .where(Case.brand_id == brand_id, Mention.created_at >= w.since,
               Mention.created_at < w.until)
        .group_by(CaseMention.mention_id))}


def mention_rows(session: Session, brand_id: int, w: Window, tz: tzinfo = UTC
                 ) -> Iterator[tuple[Any, ...]]:
    """(id, local time without zone, network, sentiment, author, place, url, text, reach,
    engagement, case id) per mention, oldest first."""
    cases = cases_of(session, brand_id, w)
    utc = tz is UTC or getattr(tz, "key", None) in ("UTC", "Etc/UTC")
    # Core rows from the session's connection: the ORM's row loading costs a third as much
    # again over half a million mentions, for plain columns it has nothing to add to.
    result = session.connection().execute(_statement(brand_id, w).execution_options(
        yield_per=BATCH))
    for mid, created, network, sentiment, author, place, url, text, reach, eng in result:
        created = created.replace(tzinfo=None) if utc else _local(created, tz)
        yield (mid, created, network, sentiment or "", author or "", place or "", url or "",
               (text or "")[:MAX_TEXT], reach, eng, cases.get(mid))


def _local(value: datetime, tz: tzinfo) -> datetime:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(tz).replace(tzinfo=None)


def write_csv(session: Session, brand_id: int, w: Window, path: Path, lang: str,
              tz: tzinfo = UTC) -> int:
    """The mentions sheet as CSV (UTF-8, header row); returns the rows written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(headers(lang))
        for row in mention_rows(session, brand_id, w, tz):
            writer.writerow([v.isoformat(sep=" ") if isinstance(v, datetime) else
                             ("" if v is None else v) for v in row])
            count += 1
    return count
