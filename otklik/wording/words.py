"""Numbers, durations and times in words for the reader's locale: Babel (CLDR data), no I/O.

The desk is read by SMM and customer-care leads, so minutes become "1 ч 23 мин", counts take
their plural form ("5 упоминаний") and times are local and readable ("29 нояб., 12:05"), never
ISO with a `Z`. Babel formats numbers, dates, units and relative times; the few phrases around
them ("просрочено на …") are in the `wording` catalogue. Stored times stay UTC; the zone is chosen
per page (see `otklik.web.render`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_skeleton, format_time, format_timedelta
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from otklik.wording.catalogues import say

DEFAULT_ZONE = {"ru": "Europe/Moscow", "en": "UTC"}

# Plural categories (CLDR) in the order the forms are written: "one|few|many", "one|other".
_FORMS = {"ru": ("one", "few", "many"), "en": ("one", "other")}
_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def _locale(lang: str) -> str:
    return "en" if lang == "en" else "ru"


def plural(n: int, forms: str, lang: str) -> str:
    """`forms` is "one|few|many" (Russian) or "one|other" (English); the form CLDR's plural rule
    picks for n (1 упоминание, 3 упоминания, 5 упоминаний, 21 упоминание)."""
    parts = forms.split("|")
    order = _FORMS[_locale(lang)]
    category = Locale.parse(_locale(lang)).plural_form(abs(int(n)))
    index = order.index(category) if category in order else len(order) - 1
    return parts[min(index, len(parts) - 1)]


def number(value: float | int | None, lang: str, digits: int = 0) -> str:
    """12 345 in Russian, 12,345 in English; `digits` after the decimal sign."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def percent(share: float | None, lang: str) -> str:
    """A share in [0, 1] as a whole percent: "39 %" (Russian typography) or "39%"."""
    if share is None:
        return "—"
    return format_percent(share, locale=_locale(lang))


def duration(minutes: float | None, lang: str, parts: int = 2) -> str:
    """A length of time in its two largest units: "2 дн. 3 ч", "1 ч 23 мин", "45 с"."""
    if minutes is None:
        return "—"
    loc = _locale(lang)
    left = int(round(abs(minutes) * 60))
    if left >= 60:
        left -= left % 60  # seconds only for less than a minute
    pieces: list[str] = []
    for name, size in _UNITS:
        count, left = divmod(left, size)
        if count or pieces:
            pieces.append(format_unit(count, f"duration-{name}", length="short", locale=loc)
                          if count else "")
    shown = [p for p in pieces[:parts] if p]
    if not shown:
        return format_unit(0, "duration-minute", length="short", locale=loc)
    return format_list(shown, style="unit-narrow", locale=loc)


def zone(name: str | None, lang: str) -> tzinfo:
    """The zone named (an IANA name), or the language's default; a bad name is not an error."""
    for candidate in (name, DEFAULT_ZONE.get(lang, "UTC")):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return UTC


def local(value: datetime, tz: tzinfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz)


def when(value: datetime | None, lang: str, tz: tzinfo, now: datetime | None = None,
         *, seconds: bool = False, year: bool | None = None) -> str:
    """ "29 нояб., 12:05" (the year only when it is not this year), "Nov 29, 9:05 AM"."""
    if value is None:
        return "—"
    loc = _locale(lang)
    t = local(value, tz)
    ref = local(now or datetime.now(UTC), tz)
    show_year = t.year != ref.year if year is None else year
    date = format_skeleton("yMMMd" if show_year else "MMMd", t, locale=loc)
    clock = format_time(t, "medium" if seconds else "short", tzinfo=tz, locale=loc)
    return str(Locale.parse(loc).datetime_formats["short"]).format(clock, date)


def day(value: datetime | None, lang: str, tz: tzinfo) -> str:
    """The date alone: "3 дек. 2026 г." / "Dec 3, 2026"."""
    if value is None:
        return "—"
    return format_skeleton("yMMMd", local(value, tz), locale=_locale(lang))


def clock(value: datetime, lang: str, tz: tzinfo) -> str:
    """The time of day alone: "14:05" / "2:05 PM"."""
    return format_time(local(value, tz), "short", tzinfo=tz, locale=_locale(lang))


def ago(value: datetime | None, lang: str, now: datetime | None = None) -> str:
    """ "2 ч назад" / "2 hr. ago"; a time in the future reads "через 2 ч" / "in 2 hr."."""
    if value is None:
        return "—"
    delta = local(value, UTC) - local(now or datetime.now(UTC), UTC)
    if abs(delta) < timedelta(minutes=1):
        return say("just_now", lang)
    return format_timedelta(delta, add_direction=True, format="short", locale=_locale(lang))


def sla(left_minutes: float | None, lang: str) -> str:
    """What is left of an SLA: "осталось 40 мин" or "просрочено на 2 дн. 3 ч"."""
    if left_minutes is None:
        return "—"
    key = "sla_overdue_by" if left_minutes < 0 else "sla_time_left"
    return say(key, lang, span=duration(left_minutes, lang))


def zone_label(tz: tzinfo, lang: str, at: datetime | None = None) -> str:
    """ "время: Europe/Moscow (UTC+3)" for a page footer or a form's datetime field."""
    moment = at or datetime.now(UTC)
    offset = moment.astimezone(tz).utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    name = getattr(tz, "key", "UTC")
    return f"{name} (UTC{hours:+d})" if hours else f"{name} (UTC)"
