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

BATCH = 2000
MAX_TEXT = 32000  # a spreadsheet cell holds 32,767 characters
COLUMNS = ("id", "created_at", "network", "sentiment", "author", "place", "url", "text", "reach",
           "engagement", "case_id")
HEADERS = {
    "ru": ("id", "время", "сеть", "тональность", "автор", "площадка", "ссылка", "текст", "охват",
           "вовлечённость", "обращение"),
    "en": COLUMNS,
}


def _statement(brand_id: int, w: Window) -> Any:
    case_id = (select(func.min(CaseMention.case_id))
               .join(Case, Case.id == CaseMention.case_id)
               .where(CaseMention.mention_id == Mention.id, Case.brand_id == brand_id)
               .scalar_subquery())
    author = func.coalesce(Author.name, Author.handle, Author.external_id)
    place = func.coalesce(Place.name, Place.external_id)
    return (
        select(Mention.id, MentionBrand.created_at, Mention.network, MentionBrand.sentiment,
               author, place, Mention.url, Mention.text, Mention.reach, Mention.engagement,
               case_id)
        .select_from(MentionBrand)
        .join(Mention, Mention.id == MentionBrand.mention_id)
        .outerjoin(Author, Author.id == Mention.author_id)
        .outerjoin(Place, Place.id == Mention.place_id)
        .where(MentionBrand.brand_id == brand_id, MentionBrand.created_at >= w.since,
               MentionBrand.created_at < w.until)
        .order_by(MentionBrand.created_at)
    )


def mention_rows(session: Session, brand_id: int, w: Window, tz: tzinfo = UTC
                 ) -> Iterator[tuple[Any, ...]]:
    """(id, local time without zone, network, sentiment, author, place, url, text, reach,
    engagement, case id) per mention, oldest first."""
    result = session.execute(_statement(brand_id, w).execution_options(yield_per=BATCH))
    for row in result:
        mid, created, network, sentiment, author, place, url, text, reach, eng, case = row
        yield (mid, _local(created, tz), network, sentiment or "", author or "", place or "",
               url or "", (text or "")[:MAX_TEXT], reach, eng, case)


def _local(value: datetime, tz: tzinfo) -> datetime:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(tz).replace(tzinfo=None)


def write_csv(session: Session, brand_id: int, w: Window, path: Path, lang: str,
              tz: tzinfo = UTC) -> int:
    """The mentions sheet as CSV (UTF-8, header row); returns the rows written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS.get(lang, COLUMNS))
        for row in mention_rows(session, brand_id, w, tz):
            writer.writerow([v.isoformat(sep=" ") if isinstance(v, datetime) else
                             ("" if v is None else v) for v in row])
            count += 1
    return count
