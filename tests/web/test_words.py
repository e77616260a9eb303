"""Numbers, durations and times in words: the forms a Russian or English reader expects (Babel's
CLDR data for the locale; the catalogue's plural forms)."""

from __future__ import annotations

from datetime import UTC, datetime

from otklik.web.i18n import translator
from otklik.wording import words
from otklik.wording.codes import word

NBSP = "\u00a0"


def test_russian_plurals() -> None:
    t = translator("ru")
    assert [t("n_mentions", n=n) for n in (1, 3, 5, 11, 21, 22, 112)] == [
        "1 упоминание", "3 упоминания", "5 упоминаний", "11 упоминаний", "21 упоминание",
        "22 упоминания", "112 упоминаний"]
    assert translator("en")("n_mentions", n=1) == "1 mention"
    assert translator("en")("n_mentions", n=0) == "0 mentions"
    assert t("n_cases", n=12345) == f"12{NBSP}345 обращений"
    assert words.plural(21, "раз|раза|раз", "ru") == "раз"
    assert words.plural(3, "mention|mentions", "en") == "mentions"


def test_numbers_for_the_locale() -> None:
    assert words.number(12345.678, "ru", 1) == f"12{NBSP}345,7"
    assert words.number(12345.678, "en", 1) == "12,345.7"
    assert words.percent(0.39, "ru") == f"39{NBSP}%"
    assert words.percent(0.39, "en") == "39%"


def test_durations_and_sla_in_words() -> None:
    assert words.duration(1643, "ru") == "1 дн. 3 ч"
    assert words.duration(83, "ru") == "1 ч 23 мин"
    assert words.duration(0.5, "en") == "30 sec"
    assert words.duration(1643, "en") == "1 day 3 hr"
    assert words.sla(-1643, "ru") == "просрочено на 1 дн. 3 ч"
    assert words.sla(-27 * 60, "ru") == "просрочено на 1 дн. 3 ч"
    assert words.sla(40, "ru") == "осталось 40 мин"
    assert words.sla(40, "en") == "40 min left"


def test_times_are_local_and_readable() -> None:
    moscow = words.zone(None, "ru")
    at = datetime(2026, 11, 29, 9, 5, tzinfo=UTC)
    now = datetime(2026, 12, 3, tzinfo=UTC)
    assert words.when(at, "ru", moscow, now) == "29 нояб., 12:05"
    assert words.when(at, "en", words.zone("UTC", "en"), now) == "Nov 29, 9:05\u202fAM"
    assert words.when(at, "ru", moscow, datetime(2027, 1, 2, tzinfo=UTC)) == \
        "29 нояб. 2026\u202fг., 12:05"
    assert words.day(at, "en", moscow) == "Nov 29, 2026"
    assert words.clock(at, "ru", moscow) == "12:05"
    assert words.zone("Not/AZone", "ru") == moscow  # a bad brand setting is not an error
    assert words.ago(datetime(2026, 12, 2, 22, tzinfo=UTC), "ru", now) == "2 ч назад"
    assert words.ago(datetime(2026, 12, 2, 22, tzinfo=UTC), "en", now) == "2 hr. ago"
    assert words.ago(now, "ru", now) == "только что"


def test_codes_read_as_words_even_unknown_ones() -> None:
    assert word("state", "in_private", "ru") == "в личной переписке"
    assert word("event", "action.sending", "en") == "message sending"
    assert word("event", "case.something_new", "ru") == "обращение: something new"
    assert word("network", "vk", "ru") == "ВКонтакте"
    assert "_" not in word("kind", "brand_new_kind", "ru")
