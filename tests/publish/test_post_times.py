"""Times in posts to customers are in the brand's zone and language, never bare UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from otklik.publish.texts import brand_zone, fmt_time

AT = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def test_russian_brand_without_a_zone_posts_moscow_time() -> None:
    assert fmt_time(AT, brand_zone({}, "ru"), "ru") == "2 декабря, 09:00 (мск)"


def test_a_brand_zone_is_used_and_named() -> None:
    zone = brand_zone({"tz": "Asia/Yekaterinburg"}, "ru")
    assert fmt_time(AT, zone, "ru") == "2 декабря, 11:00 (UTC+5)"
    assert fmt_time(AT, brand_zone({}, "en"), "en") == "Dec 2, 06:00 (UTC)"


def test_a_bad_zone_name_falls_back_to_the_language_default() -> None:
    assert fmt_time(AT, brand_zone({"tz": "Mars/Olympus"}, "ru"), "ru").endswith("(мск)")
    assert fmt_time(None) == ""
