"""The report as a PDF a director reads: HTML + CSS rendered by WeasyPrint.

Fonts are DejaVu Sans (Debian's `fonts-dejavu-core`, Cyrillic included) and, for emoji, Symbola
when `fonts-symbola` is installed, embedded by WeasyPrint as subsets; the brand, the period and
"page N / M" are in every page's margin boxes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from otklik.reports.figures import Figures
from otklik.reports.i18n import translator
from otklik.reports.summary import number, sentences
from otklik.wording import words
from otklik.wording.codes import word
from otklik.wording.spike_story import ratio_words

_env = Environment(loader=PackageLoader("otklik.reports", "templates"),
                   autoescape=select_autoescape(["html"]))
FONTS = ("DejaVu Sans", "Symbola")


def css_string(text: str) -> Markup:
    """A CSS string literal that no brand name can break out of (quotes, `</style>`)."""
    out = "".join(f"\\{ord(c):x} " if c in '"\\<>\n\r' else c for c in text)
    return Markup(f'"{out}"')


def period_words(since: datetime, until: datetime, lang: str, tz: tzinfo) -> str:
    """ "19 нояб. 2026 — 3 дек. 2026": `until` is exclusive, so the last day shown is the day
    before it."""
    return f"{words.day(since, lang, tz)} — {words.day(until - timedelta(seconds=1), lang, tz)}"


def context(f: Figures, lang: str, tz: tzinfo) -> dict[str, Any]:
    """Everything the template shows, already in words of the reader's language."""
    from otklik.reports import charts  # matplotlib: loaded when a report is drawn

    t = translator(lang)

    def num(value: float | int | None) -> str:
        return number(value, lang)

    def pct(share: float | None) -> str:
        return words.percent(share, lang)

    def minutes(value: float | None) -> str:
        return words.duration(value, lang)

    w = f.window
    period = period_words(w.since, w.until, lang, tz)
    d, p = f.desk, f.previous_desk

    def kept(m: Any) -> str:
        return pct(1 - m.sla_breached / m.complaints if m.complaints else None)

    desk = [
        (t("desk_cases_opened"), num(d.complaints), num(p.complaints)),
        (t("desk_answered_publicly"), num(d.answered_publicly),
         num(p.answered_publicly)),
        (t("desk_first_answer_median"),
         minutes(d.first_answer_minutes.get("median")),
         minutes(p.first_answer_minutes.get("median"))),
        (t("desk_first_answer_p90"),
         minutes(d.first_answer_minutes.get("p90")), minutes(p.first_answer_minutes.get("p90"))),
        (t("sla_kept"), kept(d), kept(p)),
        (t("desk_moved_to_private"),
         pct(d.moved_to_private_share), pct(p.moved_to_private_share)),
        (t("desk_loop_closed"), pct(d.loop_closure_rate), pct(p.loop_closure_rate)),
        (t("desk_closed"), num(d.closed), num(p.closed)),
        *[(t("desk_outcome", outcome=word("outcome", k, lang)), num(v),
           num(p.outcomes.get(k))) for k, v in d.outcomes.items()],
    ]
    spikes = [{
        "when": words.when(s.peak, lang, tz), "volume": s.volume,
        "negative": s.series == "negative",
        "line": ratio_words(s.volume, s.expected, lang)
        + (": " + ", ".join(term for term, _ in s.terms) if s.terms else ""),
    } for s in f.spikes]
    return {
        "f": f, "lang": lang, "t": t, "num": num, "pct": pct, "minutes": minutes,
        "when": lambda v: words.when(v, lang, tz, year=True),
        "hours": lambda h: minutes(h * 60) if h is not None else t("still_open"),
        "stance": lambda s: word("stance", s, lang),
        "word": lambda domain, code: word(domain, code, lang),
        "period": period,
        "previous": period_words(w.previous.since, w.previous.until, lang, tz),
        "header_css": css_string(f"{f.name} · {period}"),
        "summary": sentences(f, lang, tz),
        "volume_svg": Markup(charts.volume_chart(f, lang)),
        "sentiment_svg": Markup(charts.sentiment_chart(f, lang)),
        "spikes": spikes,
        "desk": desk,
        "care_tables": [(t("by_network"),
                         [replace(r, label=word("network", r.label, lang)) for r in f.by_network]),
                        (t("by_responder"), f.by_responder)],
        "examples": [(t("negative"), f.examples.get("negative", [])),
                     (t("positive"), f.examples.get("positive", []))],
    }


@cache
def _drawable() -> frozenset[int]:
    """The code points the report's fonts have in both weights: DejaVu Sans, and Symbola's
    emoji if installed (matplotlib's font list finds them; it ships DejaVu itself)."""
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    points: set[int] = set()
    for family in FONTS:
        found = []
        for weight in ("normal", "bold"):
            try:
                found.append(font_manager.findfont(font_manager.FontProperties(
                    family=family, weight=weight), fallback_to_default=False))
            except ValueError:
                continue
        if found:
            points |= set.intersection(*(set(TTFont(p, lazy=True).getBestCmap())
                                         for p in found))
    return frozenset(points)


def drawable(text: str) -> str:
    """`text` without the characters no font of the report has (an emoji, mostly): a glyph a
    font lacks makes WeasyPrint write a custom encoding some PDF readers cannot read text from,
    and would show as an empty box anyway."""
    have = _drawable()
    missing = {ord(c): None for c in set(text) if ord(c) not in have and not c.isspace()}
    return text.translate(missing) if have and missing else text


def html(f: Figures, lang: str, tz: tzinfo) -> str:
    return drawable(_env.get_template("report.html").render(context(f, lang, tz)))


def write_pdf(f: Figures, path: Path, lang: str, tz: tzinfo) -> None:
    from weasyprint import HTML  # heavy: loaded only when a PDF is asked for

    HTML(string=html(f, lang, tz)).write_pdf(path)
