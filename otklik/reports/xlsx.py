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
from otklik.reports.pdf import STANCES, period_words
from otklik.reports.rows import COLUMNS, HEADERS, mention_rows
from otklik.reports.sheet import RowSheet
from otklik.reports.summary import sentences
from otklik.wording.codes import word
from otklik.wording.spike_story import ratio_words

EXCEL_ROWS = 1_048_576
SENTIMENT_WORDS = {"ru": {"negative": "негатив", "neutral": "нейтрально", "positive": "позитив"},
                   "en": {}}
MENTION_WIDTHS = (10, 17, 10, 11, 24, 24, 40, 80, 10, 10, 10)
COMMUNITY_KINDS = {"place": ("площадка", "place"),
                   "author_group": ("группа авторов", "author group")}


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
    def t(ru: str, en: str) -> str:
        return en if lang == "en" else ru

    book = _Book(path, tz)
    w = f.window
    summary = [(t("Бренд", "Brand"), f.name),
               (t("Период", "Period"), period_words(w.since, w.until, lang, tz)),
               (t("Прошлый период", "Previous period"),
                period_words(w.previous.since, w.previous.until, lang, tz)),
               (t("Упоминаний", "Mentions"), f.volume.total),
               (t("Упоминаний в прошлом периоде", "Mentions, previous period"), f.previous.total),
               *((t("Вывод", "Finding"), line) for line in sentences(f, lang, tz)),
               *((t("О чём писали", "Written about"), f"{term} ({n})") for term, n in f.words)]
    book.sheet(t("Сводка", "Summary"), (t("что", "what"), t("значение", "value")), summary,
               (30, 110))
    book.sheet(t("По дням", "By day"),
               (t("день", "day"), t("упоминаний", "mentions"), t("негатив", "negative"),
                t("доля негатива", "negative share")),
               ((d["t"], d["n"], d["neg"], d["neg"] / d["n"] if d["n"] else None)
                for d in f.volume.days), (12, 12, 12, 14), shares=(3,))
    book.sheet(t("Всплески", "Spikes"),
               (t("пик", "peak"), t("ряд", "series"), t("упоминаний", "mentions"),
                t("обычно", "usual"), t("насколько больше", "how much more"),
                t("о чём", "about")),
               ((s.peak, word("series", s.series, lang), s.volume, round(s.expected, 1),
                 ratio_words(s.volume, s.expected, lang), ", ".join(x for x, _ in s.terms))
                for s in f.spikes), (17, 10, 12, 10, 26, 60))
    book.sheet(t("Площадки и авторы", "Places and authors"),
               (t("что", "kind"), t("имя", "name"), t("сеть", "network"),
                t("упоминаний", "mentions")),
               [*((t("площадка", "place"), p["label"], word("network", p["network"], lang),
                   p["count"]) for p in f.places),
                *((t("автор", "author"), a["label"], word("network", a["network"], lang),
                   a["count"]) for a in f.authors)], (12, 40, 14, 12))
    book.sheet(t("Сообщества", "Communities"),
               (t("кто", "who"), t("вид", "kind"), t("позиция", "stance"),
                t("упоминаний", "mentions"), t("негатив до", "negative before"),
                t("негатив после", "negative after")),
               ((c.name, t(*COMMUNITY_KINDS.get(c.kind, (c.kind, c.kind))),
                 t(*STANCES.get(c.stance, (c.stance, c.stance))), c.volume, c.share_before,
                 c.share_after) for c in f.communities), (60, 16, 16, 12, 14, 14), shares=(4, 5))
    book.sheet(t("Обращения", "Care desk"), (t("срез", "slice"), t("показатель", "figure"),
                                              t("этот период", "this period"),
                                              t("прошлый", "previous")),
               _desk_rows(f, lang), (16, 36, 14, 14))
    book.sheet(t("События", "Events"),
               (t("что", "what"), "#", t("название", "title"), t("начало", "start"),
                t("конец", "end"), t("обращений / постов", "cases / posts"),
                t("негатив до / аккаунтов", "negative before / accounts"),
                t("негатив после / покрытие", "negative after / coverage")),
               _event_rows(f, lang), (14, 6, 40, 17, 17, 14, 16, 16))
    if any(r.id is not None for r in f.locations):
        book.sheet(t("Точки", "Locations"),
                   (t("точка", "location"), t("адрес", "address"), t("команда", "team"),
                    t("упоминаний", "mentions"), t("в прошлом периоде", "previous period"),
                    t("доля негатива", "negative share"),
                    t("открытых обращений", "open cases"), t("SLA соблюдён", "SLA kept"),
                    t("петля замкнута", "loop closed")),
                   ((r.name if r.id is not None else t("без точки", "no location"), r.address,
                     r.team, r.mentions, r.previous, r.negative_share, r.open_cases, r.sla_kept,
                     r.loop_closed) for r in f.locations),
                   (30, 40, 20, 12, 14, 14, 14, 12, 12), shares=(5, 7, 8))
    book.sheet(t("Примеры", "Examples"),
               (t("тональность", "sentiment"), t("время", "time"), t("автор", "author"),
                t("площадка", "place"), t("охват", "reach"), t("ссылка", "link"),
                t("текст", "text")),
               ((SENTIMENT_WORDS["en" if lang == "en" else "ru"].get(e.sentiment, e.sentiment),
                 e.created_at, e.author, e.place, e.reach, e.url, e.text)
                for key in ("negative", "positive") for e in f.examples.get(key, [])),
               (12, 17, 24, 24, 10, 40, 80))
    total = _mentions(book, mention_rows(session, f.brand_id, w, tz), lang)
    book.wb.close()
    return total


def _mentions(book: _Book, rows: Iterator[tuple[Any, ...]], lang: str) -> int:
    """The mentions sheet: the hot loop of a big report, so each row goes out in one call
    (`RowSheet`); past a sheet's last row the rest go on the next."""
    base = "Mentions" if lang == "en" else "Упоминания"
    header = HEADERS.get(lang, COLUMNS)
    sentiments = SENTIMENT_WORDS["en" if lang == "en" else "ru"]
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
    def t(ru: str, en: str) -> str:
        return en if lang == "en" else ru

    return [
        (t("обращений открыто", "cases opened"), lambda m: m.complaints),
        (t("отвечено публично", "answered publicly"), lambda m: m.answered_publicly),
        (t("первый ответ, медиана, мин", "first answer median, min"),
         lambda m: m.first_answer_minutes.get("median")),
        (t("первый ответ, p90, мин", "first answer p90, min"),
         lambda m: m.first_answer_minutes.get("p90")),
        (t("SLA нарушен", "SLA breached"), lambda m: m.sla_breached),
        (t("SLA соблюдён, %", "SLA kept, %"),
         lambda m: _percent(1 - m.sla_breached / m.complaints) if m.complaints else None),
        (t("переведено в личные", "moved to private"), lambda m: m.moved_to_private),
        (t("петля замкнута", "loop closed"), lambda m: m.loop_closed),
        (t("петля замкнута, %", "loop closed, %"), lambda m: _percent(m.loop_closure_rate)),
        (t("закрыто", "closed"), lambda m: m.closed),
    ]


def _desk_rows(f: Figures, lang: str) -> list[tuple[Any, ...]]:
    """All cases against the previous period, then by network and by responder."""
    def t(ru: str, en: str) -> str:
        return en if lang == "en" else ru

    figures = _desk_figures(lang)
    d, p = f.desk, f.previous_desk
    total = t("всего", "all")
    rows: list[tuple[Any, ...]] = [(total, name, get(d), get(p)) for name, get in figures]
    rows += [(total, t("исход: ", "outcome: ") + word("outcome", k, lang), v, p.outcomes.get(k))
             for k, v in d.outcomes.items()]
    for label, group, code in ((t("сеть", "network"), f.by_network, "network"),
                               (t("ответственный", "responder"), f.by_responder, None)):
        for r in group:
            who = f"{label}: {word(code, r.label, lang) if code else r.label}"
            rows += [(who, name, get(r.metrics), None) for name, get in figures]
            rows.append((who, t("решено", "resolved"), r.resolved, None))
    return rows


def _event_rows(f: Figures, lang: str) -> list[tuple[Any, ...]]:
    en = lang == "en"
    e = f.events
    return [
        *(("incident" if en else "инцидент", i.id, i.title, i.started_at, i.resolved_at,
           i.cases, i.negative_before, i.negative_after) for i in e.incidents),
        *(("announcement" if en else "анонс", a.id, a.title, a.publish_at, None, None, None,
           None) for a in e.announcements),
        *(("attack" if en else "атака", a.id,
           ("refutation: " if en else "опровержение: ")
           + (word("refutation_status", a.refutation, lang) if a.refutation
              else "none" if en else "нет"),
           a.start, a.end, a.posts, a.accounts, a.coverage) for a in e.attacks),
    ]
