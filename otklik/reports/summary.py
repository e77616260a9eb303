"""The report's first paragraph: what changed against the previous period and why, in words.

"Упоминаний на 18 % больше; негатив 24 % → 31 %, из-за «Сбой оплаты» 29 нояб. (инцидент #3,
закрыт за 4 ч)". Pure: figures in, sentences out, in the reader's language (the `report_…`
phrases of the `wording` catalogue).
"""

from __future__ import annotations

from datetime import tzinfo

from otklik.reports.figures import Figures
from otklik.reports.i18n import translator
from otklik.wording import words
from otklik.wording.spike_story import ratio_words


def number(value: float | int | None, lang: str) -> str:
    """A count as the desk writes it, except that Russian typography leaves a four-digit number
    whole ("1522", "12 345"): the figure a reader (or a search) looks for reads as one word."""
    if lang != "en" and isinstance(value, int) and abs(value) < 10_000:
        return str(value)
    return words.number(value, lang)


def mentions_n(n: int, lang: str) -> str:
    """ "1522 упоминания" / "1,522 mentions"."""
    return translator(lang)("mentions_n", n=n, count=number(n, lang))


def change(now: int, before: int, lang: str) -> str:
    """ "на 18 % больше" / "18% more"; "столько же" when equal; no figure without a base."""
    t = translator(lang)
    if before == 0:
        return t("change_none_before")
    delta = round(100 * (now - before) / before)
    if delta == 0:
        return t("change_same")
    return t("change_more" if delta > 0 else "change_fewer", delta=abs(delta))


def sentences(f: Figures, lang: str, tz: tzinfo) -> list[str]:
    """The summary, one finding a sentence."""
    t = translator(lang)
    out = [t("summary_volume", mentions=mentions_n(f.volume.total, lang).capitalize(),
             change=change(f.volume.total, f.previous.total, lang))]
    neg, before = f.volume.negative_share, f.previous.negative_share
    if neg is not None:
        shift = (f"{words.percent(before, lang)} → {words.percent(neg, lang)}"
                 if before is not None else words.percent(neg, lang))
        line = t("summary_negative", shift=shift)
        cause = _cause(f, lang, tz)
        if cause and (before is None or neg > before):
            line += t("summary_because", cause=cause)
        out.append(line + ".")
    if f.words:
        about = ", ".join(term for term, _ in f.words[:5])
        out.append(t("summary_words_more" if f.previous.total else "summary_words_top",
                     about=about))
    spikes = [s for s in f.spikes if s.series == "all"] or f.spikes
    if spikes:
        top = max(spikes, key=lambda s: s.volume)
        terms = ", ".join(term for term, _ in top.terms[:3])
        out.append(t("summary_spikes", count=len(spikes), when=words.when(top.peak, lang, tz),
                     mentions=mentions_n(top.volume, lang),
                     ratio=ratio_words(top.volume, top.expected, lang),
                     about=t("summary_spike_about", terms=terms) if terms else ""))
    d = f.desk
    if d.complaints:
        median = d.first_answer_minutes.get("median")
        answer = (t("summary_first_answer", span=words.duration(median, lang))
                  if median is not None else t("summary_no_answers"))
        out.append(t("summary_desk", complaints=number(d.complaints, lang), answer=answer,
                     kept=words.percent(1 - d.sla_breached / d.complaints, lang),
                     closed=words.percent(d.loop_closure_rate, lang)))
    for a in f.events.attacks:
        coverage = (t("summary_attack_coverage", share=words.percent(a.coverage, lang))
                    if a.coverage else "")
        out.append(t("summary_attack", when=words.when(a.start, lang, tz), posts=a.posts,
                     accounts=a.accounts, coverage=coverage))
    return out


def _cause(f: Figures, lang: str, tz: tzinfo) -> str:
    """The period's incident with the most complaints, told briefly; "" if there was none."""
    if not f.events.incidents:
        return ""
    t = translator(lang)
    inc = max(f.events.incidents, key=lambda i: (i.cases, i.negative_after))
    hours = inc.hours_to_resolve
    state = (t("summary_resolved_in", span=words.duration(hours * 60, lang))
             if hours is not None else t("still_open"))
    return t("summary_cause", title=inc.title, day=words.day(inc.started_at, lang, tz),
             id=inc.id, state=state)
