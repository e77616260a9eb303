"""Numbers, durations and times in words, in Russian and English: pure functions, no I/O.

The desk is read by SMM and customer-care leads, so minutes become "1 ч 23 мин", counts take
their plural form ("5 упоминаний") and times are local and readable ("3 дек., 14:05"), never ISO
with a `Z`. Stored times stay UTC; the zone is chosen per page (see `otklik.web.render`).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = {"ru": "Europe/Moscow", "en": "UTC"}

# Russian plural forms: one (1, 21, 31…), few (2–4, 22–24…), many (0, 5–20, 25…)
_UNITS: dict[str, dict[str, tuple[str, ...]]] = {
    "ru": {"day": ("дн",), "hour": ("ч",), "min": ("мин",), "sec": ("с",)},
    "en": {"day": ("d",), "hour": ("h",), "min": ("min",), "sec": ("s",)},
}
_MONTHS_RU = ("янв.", "февр.", "марта", "апр.", "мая", "июня", "июля", "авг.", "сент.",
              "окт.", "нояб.", "дек.")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for n: 1 упоминание, 3 упоминания, 5 упоминаний, 21 упоминание."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def plural(n: int, forms: str, lang: str) -> str:
    """`forms` is "one|few|many" (Russian) or "one|other" (English); returns the bare word."""
    parts = forms.split("|")
    if lang == "en":
        return parts[0] if abs(int(n)) == 1 else parts[-1]
    while len(parts) < 3:
        parts.append(parts[-1])
    return plural_ru(n, parts[0], parts[1], parts[2])


def number(value: float | int | None, lang: str, digits: int = 0) -> str:
    """12 345 (narrow no-break space between thousands in Russian), 12,345 in English."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    if lang == "en":
        return text
    return text.replace(",", "\u202f").replace(".", ",")


def percent(share: float | None, lang: str) -> str:
    """A share in [0, 1] as a whole percent: "39 %" (Russian typography) or "39%"."""
    if share is None:
        return "—"
    value = round(100 * share)
    return f"{value}\u00a0%" if lang == "ru" else f"{value}%"


def duration(minutes: float | None, lang: str, parts: int = 2) -> str:
    """A length of time in its two largest units: "2 дн 3 ч", "1 ч 23 мин", "45 с"."""
    if minutes is None:
        return "—"
    units = _UNITS["en" if lang == "en" else "ru"]
    seconds = int(round(abs(minutes) * 60))
    if seconds < 60:
        return f"{seconds} {units['sec'][0]}"
    pieces: list[tuple[int, str]] = []
    for name, size in (("day", 86400), ("hour", 3600), ("min", 60)):
        count, seconds = divmod(seconds, size)
        if count or pieces:
            pieces.append((count, name))
    shown = [f"{c} {units[n][0]}" for c, n in pieces[:parts] if c]
    return " ".join(shown) or f"0 {units['min'][0]}"


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
    """ "3 дек., 14:05" (the year only when it is not this year), "Dec 3, 14:05" in English."""
    if value is None:
        return "—"
    t = local(value, tz)
    ref = local(now or datetime.now(UTC), tz)
    clock = t.strftime("%H:%M:%S" if seconds else "%H:%M")
    show_year = t.year != ref.year if year is None else year
    if lang == "en":
        day = f"{_MONTHS_EN[t.month - 1]} {t.day}" + (f", {t.year}" if show_year else "")
    else:
        day = f"{t.day} {_MONTHS_RU[t.month - 1]}" + (f" {t.year}" if show_year else "")
    return f"{day}, {clock}"


def day(value: datetime | None, lang: str, tz: tzinfo) -> str:
    """The date alone: "3 дек. 2026" / "Dec 3, 2026"."""
    if value is None:
        return "—"
    t = local(value, tz)
    if lang == "en":
        return f"{_MONTHS_EN[t.month - 1]} {t.day}, {t.year}"
    return f"{t.day} {_MONTHS_RU[t.month - 1]} {t.year}"


def ago(value: datetime | None, lang: str, now: datetime | None = None) -> str:
    """ "2 ч назад" / "2 h ago"; a time in the future reads "через 2 ч" / "in 2 h"."""
    if value is None:
        return "—"
    now = now or datetime.now(UTC)
    minutes = (local(now, UTC) - local(value, UTC)).total_seconds() / 60
    if abs(minutes) < 1:
        return "только что" if lang != "en" else "just now"
    span = duration(minutes, lang, parts=1)
    if minutes >= 0:
        return f"{span} ago" if lang == "en" else f"{span} назад"
    return f"in {span}" if lang == "en" else f"через {span}"


def sla(left_minutes: float | None, lang: str) -> str:
    """What is left of an SLA: "осталось 40 мин" or "просрочено на 2 дн 3 ч"."""
    if left_minutes is None:
        return "—"
    span = duration(left_minutes, lang)
    if left_minutes < 0:
        return f"overdue by {span}" if lang == "en" else f"просрочено на {span}"
    return f"{span} left" if lang == "en" else f"осталось {span}"


def zone_label(tz: tzinfo, lang: str, at: datetime | None = None) -> str:
    """ "время: Europe/Moscow (UTC+3)" for a page footer or a form's datetime field."""
    moment = at or datetime.now(UTC)
    offset = moment.astimezone(tz).utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    name = getattr(tz, "key", "UTC")
    return f"{name} (UTC{hours:+d})" if hours else f"{name} (UTC)"
