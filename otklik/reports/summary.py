"""The report's first paragraph: what changed against the previous period and why, in words.

"Упоминаний на 18 % больше; негатив 24 % → 31 %, из-за «Сбой оплаты» 29 нояб. (инцидент #3,
закрыт за 4 ч)". Pure: figures in, sentences out, Russian or English.
"""

from __future__ import annotations

from datetime import tzinfo

from otklik.reports.figures import Figures
from otklik.wording import words
from otklik.wording.spike_story import ratio_words


def _ru_en(lang: str, ru: str, en: str) -> str:
    return en if lang == "en" else ru


def number(value: float | int | None, lang: str) -> str:
    """A count as the desk writes it, except that Russian typography leaves a four-digit number
    whole ("1522", "12 345"): the figure a reader (or a search) looks for reads as one word."""
    if lang != "en" and isinstance(value, int) and abs(value) < 10_000:
        return str(value)
    return words.number(value, lang)


def mentions_n(n: int, lang: str) -> str:
    """ "1522 упоминания" / "1,522 mentions"."""
    forms = "mention|mentions" if lang == "en" else "упоминание|упоминания|упоминаний"
    return f"{number(n, lang)} {words.plural(n, forms, lang)}"


def change(now: int, before: int, lang: str) -> str:
    """ "на 18 % больше" / "18% more"; "столько же" when equal; no figure without a base."""
    if before == 0:
        return _ru_en(lang, "в прошлом периоде упоминаний не было",
                      "there were none in the previous period")
    delta = round(100 * (now - before) / before)
    if delta == 0:
        return _ru_en(lang, "столько же, сколько в прошлом периоде",
                      "as many as in the previous period")
    more = delta > 0
    return _ru_en(lang, f"на {abs(delta)}\u00a0% {'больше' if more else 'меньше'}, "
                        "чем в прошлом периоде",
                  f"{abs(delta)}% {'more' if more else 'fewer'} than in the previous period")


def sentences(f: Figures, lang: str, tz: tzinfo) -> list[str]:
    """The summary, one finding a sentence."""
    out = [_ru_en(lang, f"{mentions_n(f.volume.total, lang).capitalize()} за период: "
                        f"{change(f.volume.total, f.previous.total, lang)}.",
                  f"{mentions_n(f.volume.total, lang).capitalize()} in the period: "
                  f"{change(f.volume.total, f.previous.total, lang)}.")]
    neg, before = f.volume.negative_share, f.previous.negative_share
    if neg is not None:
        shift = (f"{words.percent(before, lang)} → {words.percent(neg, lang)}"
                 if before is not None else words.percent(neg, lang))
        line = _ru_en(lang, f"Негатив {shift}", f"Negative {shift}")
        cause = _cause(f, lang, tz)
        if cause and (before is None or neg > before):
            line += _ru_en(lang, f", из-за {cause}", f", because of {cause}")
        out.append(line + ".")
    if f.words:
        about = ", ".join(t for t, _ in f.words[:5])
        out.append(_ru_en(lang, f"Чаще, чем раньше, писали о: {about}." if f.previous.total
                          else f"Чаще всего писали о: {about}.",
                          f"Written about more than before: {about}." if f.previous.total
                          else f"Most written about: {about}."))
    spikes = [s for s in f.spikes if s.series == "all"] or f.spikes
    if spikes:
        top = max(spikes, key=lambda s: s.volume)
        about = ", ".join(t for t, _ in top.terms[:3])
        out.append(_ru_en(
            lang,
            f"Всплесков: {len(spikes)}; крупнейший {words.when(top.peak, lang, tz)} — "
            f"{mentions_n(top.volume, lang)}, {ratio_words(top.volume, top.expected, lang)}"
            + (f" (пишут о: {about})" if about else "") + ".",
            f"Spikes: {len(spikes)}; the largest on {words.when(top.peak, lang, tz)}: "
            f"{mentions_n(top.volume, lang)}, {ratio_words(top.volume, top.expected, lang)}"
            + (f" (about: {about})" if about else "") + "."))
    d = f.desk
    if d.complaints:
        kept = 1 - d.sla_breached / d.complaints
        median = d.first_answer_minutes.get("median")
        answer = (_ru_en(lang, f"первый ответ — медиана {words.duration(median, lang)}",
                         f"first answer median {words.duration(median, lang)}")
                  if median is not None else
                  _ru_en(lang, "публичных ответов не было", "none answered publicly"))
        out.append(_ru_en(
            lang,
            f"Обращений: {number(d.complaints, lang)}; {answer}, SLA соблюдён в "
            f"{words.percent(kept, lang)} случаев; петля замкнута в "
            f"{words.percent(d.loop_closure_rate, lang)}.",
            f"Complaints: {number(d.complaints, lang)}; {answer}, SLA kept in "
            f"{words.percent(kept, lang)}; loop closed in "
            f"{words.percent(d.loop_closure_rate, lang)}."))
    for a in f.events.attacks:
        out.append(_ru_en(
            lang,
            f"Скоординированная атака {words.when(a.start, lang, tz)}: {a.posts} постов "
            f"от {a.accounts} аккаунтов" + (f", опровержение покрыло "
                                             f"{words.percent(a.coverage, lang)} охвата"
                                             if a.coverage else "") + ".",
            f"A coordinated attack on {words.when(a.start, lang, tz)}: {a.posts} posts by "
            f"{a.accounts} accounts" + (f", the refutation covered "
                                        f"{words.percent(a.coverage, lang)} of its reach"
                                        if a.coverage else "") + "."))
    return out


def _cause(f: Figures, lang: str, tz: tzinfo) -> str:
    """The period's incident with the most complaints, told briefly; "" if there was none."""
    if not f.events.incidents:
        return ""
    inc = max(f.events.incidents, key=lambda i: (i.cases, i.negative_after))
    hours = inc.hours_to_resolve
    state = (_ru_en(lang, f"закрыт за {words.duration(hours * 60, lang)}",
                    f"resolved in {words.duration(hours * 60, lang)}")
             if hours is not None else _ru_en(lang, "ещё открыт", "still open"))
    return _ru_en(lang,
                  f"«{inc.title}» {words.day(inc.started_at, lang, tz)} "
                  f"(инцидент #{inc.id}, {state})",
                  f"“{inc.title}” on {words.day(inc.started_at, lang, tz)} "
                  f"(incident #{inc.id}, {state})")
