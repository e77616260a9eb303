"""The mention stream's current filter as a CSV file, streamed: any number of rows, constant
memory.

Rows are read a keyset page at a time (`list_mentions` with `before_id`, newest first) in a
session of the download's own, which forgets each page once written, so a million mentions cost
what a thousand do. Excel-friendly: UTF-8 with a byte-order mark (or Excel reads Cyrillic as
cp1251), times in the desk's zone, words instead of codes, and a cell that starts like a formula
(= + - @, tab, carriage return) gets a leading apostrophe so a spreadsheet shows it as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import tzinfo

from sqlalchemy.orm import Session

from otklik.db.models import Mention
from otklik.figures.overview import MentionFilter, MentionPage, list_mentions
from otklik.wording import words
from otklik.wording.codes import word

PAGE = 500
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("csv_time", "network", "author", "csv_handle", "text", "csv_link", "sentiment",
           "place", "location", "case", "csv_mention_id")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: `=HYPERLINK(…)` becomes `'=HYPERLINK(…)`."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _row(m: Mention, page: MentionPage, t: Callable[..., str], lang: str,
         tz: tzinfo) -> list[str]:
    author = m.author
    place = m.place
    case_id = page.cases.get(m.id)
    return [safe_cell(c) for c in (
        words.local(m.created_at, tz).strftime("%Y-%m-%d %H:%M:%S"),
        word("network", m.network, lang),
        (author.name or "") if author else "",
        f"@{author.handle}" if author and author.handle else "",
        m.text,
        m.url or "",
        t(m.sentiment) if m.sentiment else "",
        (place.name or place.external_id) if place else "",
        ", ".join(name for _, name in page.locations.get(m.id, [])),
        str(case_id) if case_id else "",
        str(m.id),
    )]


def csv_chunks(sessions: Callable[[], Session], f: MentionFilter, t: Callable[..., str],
               lang: str, tz: tzinfo) -> Iterator[str]:
    """The file in pieces of one page each: the BOM and header first, then the mentions."""
    out = io.StringIO()
    writer = csv.writer(out)
    zone = str(getattr(tz, "key", "UTC"))
    writer.writerow([t(key, zone=zone) if key == "csv_time" else t(key) for key in COLUMNS])
    yield BOM + out.getvalue()
    with sessions() as session:
        cursor: int | None = None
        while True:
            page = list_mentions(session, f, limit=PAGE, before_id=cursor)
            out.seek(0)
            out.truncate()
            writer.writerows(_row(m, page, t, lang, tz) for m in page.mentions)
            yield out.getvalue()
            session.expunge_all()  # the page is written: forget it,
            session.rollback()  # and hold no snapshot open between pages
            cursor = page.next_cursor
            if cursor is None:
                return

