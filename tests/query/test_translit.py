"""Transliteration suggestions for brand names, both directions."""

from __future__ import annotations

import pytest

from otklik.query import parse
from otklik.query.translit import suggest_variants, variants_query


@pytest.mark.parametrize(("name", "expected"), [
    ("Сбер", {"sber"}),
    ("Тинькофф", {"tinkoff", "tinkov"}),
    ("Яндекс", {"yandex", "yandeks"}),
    ("МегаФон", {"megafon"}),
    ("Билайн", {"bilayn"}),
    ("sber", {"сбер"}),
    ("tinkoff", {"тинкофф", "тинков"}),
    ("yandex", {"яндекс"}),
    ("beeline", {"билайн"}),
    ("Nike", {"найк"}),
])
def test_suggests_the_spellings_people_use(name: str, expected: set[str]) -> None:
    variants = suggest_variants(name)
    assert expected <= set(variants), variants
    assert name.lower() not in variants
    assert len(variants) <= 8


def test_variants_make_a_valid_query_that_matches_each_spelling() -> None:
    text = variants_query("Тинькофф")
    q = parse(text)
    for spelling in ("Тинькофф", "tinkoff", "Tinkov", "у Тинькоффа"):
        assert q.matches({"text": spelling}), spelling
    assert suggest_variants("   ") == []
    assert parse(variants_query("Почта России")).matches({"text": "pochta rossii опять"})
