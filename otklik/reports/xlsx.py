"""The report as an XLSX an analyst works in: one sheet per section and every mention.

XlsxWriter in `constant_memory` mode writes each row to disk as it comes, so the mentions sheet
streams from the store (its rows through `sheet.RowSheet`, one call a row); each sheet has a
frozen, filtered header and set widths. Strings are never read as formulas or links (a post
starting with "=" stays text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy.orm import Session

from otklik.care.metrics import DeskMetrics
from otklik.reports.figures import Figures
from otklik.reports.i18n import translator
from otklik.reports.pdf import period_words
from otklik.reports.rows import headers, mention_rows
from otklik.reports.sheet import RowSheet
from otklik.reports.summary import sentences
from otklik.wording.codes import word
from otklik.wording.spike_story import ratio_words

EXCEL_ROWS = 1_048_576
SENTIMENTS = ("negative", "neutral", "positive")
MENTION_WIDTHS = (10, 17, 10, 11, 24, 24, 40, 80, 10, 10, 10)


class _Book:
    """Sheets written top to bottom, each with a bold frozen header and an autofilter."""

    def __init__(self, path: Path, tz: tzinfo) -> None:
        self.wb = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "remove_timezone": True})
        self.bold = self.wb.add_format({"bold": True, "bg_color": "#F3F5F7"})
        self.when = self.wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.share = self.wb.add_format({"num_format": "0.0%"})
        self.tz = tz

    def cell(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(self.tz).replace(tzinfo=None) if value.tzinfo else value
        return value

    def sheet(self, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
              widths: Sequence[int] | None = None, shares: Sequence[int] = ()) -> int:
        """One table; returns the rows written. `shares` are columns shown as percents."""
        ws = self.wb.add_worksheet(name[:31])
        widths = widths or [max(12, len(h) + 2) for h in header]
        for i, width in enumerate(widths):
            ws.set_column(i, i, width, self.share if i in shares else None)
        ws.write_row(0, 0, header, self.bold)
        ws.freeze_panes(1, 0)
        n = 0
        for n, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                v = self.cell(value)
                if isinstance(v, datetime):
                    ws.write_datetime(n, col, v, self.when)
                elif v is not None:
                    ws.write(n, col, v)
        ws.autofilter(0, 0, max(n, 1), len(header) - 1)
        return n


def write_xlsx(session: Session, f: Figures, path: Path, lang: str, tz: tzinfo) -> int:
    """Writes the workbook; returns the number of mention rows (one per mention)."""
    t = translator(lang)
    book = _Book(path, tz)
    w = f.window
    summary = [(t("brand"), f.name),
               (t("period"), period_words(w.since, w.until, lang, tz)),
               (t("previous_period"),
                period_words(w.previous.since, w.previous.until, lang, tz)),
               (t("mentions_total"), f.volume.total),
               (t("mentions_previous"), f.previous.total),
               *((t("finding"), line) for line in sentences(f, lang, tz)),
               *((t("written_about"), f"{term} ({n})") for term, n in f.words)]
    book.sheet(t("sheet_summary"), (t("what"), t("value")), summary,
               (30, 110))
    book.sheet(t("sheet_by_day"),
               (t("day"), t("mentions"), t("negative"),
                t("negative_share")),
               ((d["t"], d["n"], d["neg"], d["neg"] / d["n"] if d["n"] else None)
                for d in f.volume.days), (12, 12, 12, 14), shares=(3,))
    book.sheet(t("h_spikes"),
               (t("peak"), t("series"), t("mentions"),
                t("usual"), t("how_much_more"),
                t("about")),
               ((s.peak, word("series", s.series, lang), s.volume, round(s.expected, 1),
                 ratio_words(s.volume, s.expected, lang), ", ".join(x for x, _ in s.terms))
                for s in f.spikes), (17, 10, 12, 10, 26, 60))
    book.sheet(t("sheet_places_authors"),
               (t("kind"), t("name"), t("network"),
                t("mentions")),
               [*((t("place"), p["label"], word("network", p["network"], lang),
                   p["count"]) for p in f.places),
                *((t("author"), a["label"], word("network", a["network"], lang),
                   a["count"]) for a in f.authors)], (12, 40, 14, 12))
    book.sheet(t("sheet_communities"),
               (t("who"), t("community_kind"), t("stance"),
                t("mentions"), t("negative_before"),
                t("negative_after")),
               ((c.name, word("community_kind", c.kind, lang),
                 word("stance", c.stance, lang), c.volume, c.share_before,
                 c.share_after) for c in f.communities), (60, 16, 16, 12, 14, 14), shares=(4, 5))
    book.sheet(t("sheet_desk"), (t("slice"), t("figure"),
                                              t("this_period"),
                                              t("previous")),
               _desk_rows(f, lang), (16, 36, 14, 14))
    book.sheet(t("sheet_events"),
               (t("what"), "#", t("title"), t("start"),
                t("end"), t("cases_posts"),
                t("negative_before_accounts"),
                t("negative_after_coverage")),
               _event_rows(f, lang), (14, 6, 40, 17, 17, 14, 16, 16))
    if any(r.id is not None for r in f.locations):
        book.sheet(t("h_locations"),
                   (t("location"), t("address"), t("team"),
                    t("mentions"), t("in_previous_period"),
                    t("negative_share"),
                    t("open_cases"), t("sla_kept"),
                    t("loop_closed")),
                   ((r.name if r.id is not None else t("no_location"), r.address,
                     r.team, r.mentions, r.previous, r.negative_share, r.open_cases, r.sla_kept,
                     r.loop_closed) for r in f.locations),
                   (30, 40, 20, 12, 14, 14, 14, 12, 12), shares=(5, 7, 8))
    book.sheet(t("h_examples"),
               (t("sentiment"), t("time"), t("author"),
                t("place"), t("reach"), t("link"),
                t("text")),
               ((word("sentiment", e.sentiment, lang),
                 e.created_at, e.author, e.place, e.reach, e.url, e.text)
                for key in ("negative", "positive") for e in f.examples.get(key, [])),
               (12, 17, 24, 24, 10, 40, 80))
    total = _mentions(book, mention_rows(session, f.brand_id, w, tz), lang)
    book.wb.close()
    return total


def _mentions(book: _Book, rows: Iterator[tuple[Any, ...]], lang: str) -> int:
    """The mentions sheet: the hot loop of a big report, so each row goes out in one call
    (`RowSheet`); past a sheet's last row the rest go on the next."""
    t = translator(lang)
    base = t("sheet_mentions")
    header = headers(lang)
    sentiments = {code: word("sentiment", code, lang) for code in SENTIMENTS}
    networks: dict[str, str] = {}
    formats = [book.when if i == 1 else None for i in range(len(header))]
    total, n, part = 0, 0, 0
    ws: RowSheet | None = None
    for mid, created, network, sentiment, author, place, url, text, reach, eng, case in rows:
        if ws is None or n == EXCEL_ROWS - 1:
            if ws is not None:
                ws.autofilter(0, 0, n, len(header) - 1)
            part += 1
            ws = book.wb.add_worksheet(base + (f" {part}" if part > 1 else ""),
                                       worksheet_class=RowSheet)
            for i, width in enumerate(MENTION_WIDTHS):
                ws.set_column(i, i, width)
            ws.write_row(0, 0, header, book.bold)
            ws.freeze_panes(1, 0)
            ws.columns(formats)
            n = 0
        n += 1
        if network not in networks:
            networks[network] = word("network", network, lang)
        ws.put(n, (mid, created, networks[network], sentiments.get(sentiment, sentiment),
                   author, place, url, text, reach, eng, case))
        total += 1
    if ws is None:  # no mention in the period: the sheet is still there, with its header
        book.sheet(base, header, (), MENTION_WIDTHS)
    else:
        ws.autofilter(0, 0, max(n, 1), len(header) - 1)
    return total


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def _desk_figures(lang: str) -> list[tuple[str, Callable[[DeskMetrics], Any]]]:
    """The care desk's figures as the PDF names them; shares as percents."""
    t = translator(lang)
    return [
        (t("fig_cases_opened"), lambda m: m.complaints),
        (t("fig_answered_publicly"), lambda m: m.answered_publicly),
        (t("fig_first_answer_median"), lambda m: m.first_answer_minutes.get("median")),
        (t("fig_first_answer_p90"), lambda m: m.first_answer_minutes.get("p90")),
        (t("fig_sla_breached"), lambda m: m.sla_breached),
        (t("fig_sla_kept"),
         lambda m: _percent(1 - m.sla_breached / m.complaints) if m.complaints else None),
        (t("fig_moved_to_private"), lambda m: m.moved_to_private),
        (t("loop_closed"), lambda m: m.loop_closed),
        (t("fig_loop_closed"), lambda m: _percent(m.loop_closure_rate)),
        (t("fig_closed"), lambda m: m.closed),
    ]


def _desk_rows(f: Figures, lang: str) -> list[tuple[Any, ...]]:
    """All cases against the previous period, then by network and by responder."""
    t = translator(lang)
    figures = _desk_figures(lang)
    d, p = f.desk, f.previous_desk
    total = t("desk_all")
    rows: list[tuple[Any, ...]] = [(total, name, get(d), get(p)) for name, get in figures]
    rows += [(total, t("fig_outcome", outcome=word("outcome", k, lang)), v, p.outcomes.get(k))
             for k, v in d.outcomes.items()]
    for label, group, code in ((t("network"), f.by_network, "network"),
                               (t("responder"), f.by_responder, None)):
        for r in group:
            who = f"{label}: {word(code, r.label, lang) if code else r.label}"
            rows += [(who, name, get(r.metrics), None) for name, get in figures]
            rows.append((who, t("resolved"), r.resolved, None))
    return rows


def _event_rows(f: Figures, lang: str) -> list[tuple[Any, ...]]:
    t = translator(lang)
    e = f.events
    return [
        *((t("incident"), i.id, i.title, i.started_at, i.resolved_at,
           i.cases, i.negative_before, i.negative_after) for i in e.incidents),
        *((t("announcement"), a.id, a.title, a.publish_at, None, None, None,
           None) for a in e.announcements),
        *((t("attack"), a.id,
           t("refutation_state", state=word("refutation_status", a.refutation, lang)
             if a.refutation else t("none")),
           a.start, a.end, a.posts, a.accounts, a.coverage) for a in e.attacks),
    ]
