"""QueryIndex: the prefilter never changes the answer, only the work; the pipeline enricher."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otklik.domain.enrichment import Enriched
from otklik.domain.posts import Author, Place
from otklik.query import QuerySyntaxError, parse
from otklik.query.index import QueryIndex, brand_matcher
from tests.factories import make_post

FIXTURE = Path(__file__).parent.parent / "fixtures" / "query" / "mentions.csv"

QUERIES = [
    (1, 11, "сбер OR sber OR сбербанк"),
    (1, 12, "(сбер OR sber) NEAR/3 (карта OR card)"),
    (1, 13, "сбер* -вакансия"),
    (1, 14, "#сбер OR @sberbank"),
    (2, 21, "втб OR vtb"),
    (2, 22, '"втб онлайн" OR "vtb online"'),
    (3, 31, "NOT (сбер OR втб) lang:ru"),  # no anchor: checked on every mention
    (3, 32, "network:vk"),
    (4, 41, "delta ONEAR/4 delay*"),
    (4, 42, "united -(airlines OR airline)"),
    (5, 51, "кофейня OR кофе*"),
]


def _mentions() -> list[dict[str, str]]:
    with FIXTURE.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_index_agrees_with_each_query_on_real_texts() -> None:
    index = QueryIndex(QUERIES)
    compiled = [(b, q, parse(t)) for b, q, t in QUERIES]
    seen = 0
    for mention in _mentions():
        expected: dict[int, list[int]] = {}
        for brand_id, query_id, query in compiled:
            if query.matches(mention):
                expected.setdefault(brand_id, []).append(query_id)
        assert index.match(mention) == expected
        seen += bool(expected)
    assert seen >= 10  # the fixture really exercises the queries


def test_prefilter_narrows_and_always_checks_unanchored_queries() -> None:
    index = QueryIndex(QUERIES)
    assert index.always_checked == 2
    from otklik.query.matcher import analyse

    plain = index.candidates(analyse({"text": "погода в Москве"}))
    assert len(plain) == 2  # only the two queries without anchor
    sber = index.candidates(analyse({"text": "Сбер выпустил карту"}))
    assert {0, 1, 2} <= sber and 4 not in sber


def test_bad_queries_are_reported_not_fatal() -> None:
    index = QueryIndex([(1, 1, "сбер"), (1, 2, "сбер AND ("), (2, 3, "втб")])
    assert len(index) == 2
    assert [(b, q) for b, q, _ in index.errors] == [(1, 2)]
    assert isinstance(index.errors[0][2], QuerySyntaxError)
    with pytest.raises(QuerySyntaxError):
        index.add(1, 4, "NEAR/2")


WORDS = ["сбер", "сбера", "сбербанк", "карту", "card", "втб", "онлайн", "vtb", "online",
         "delta", "delayed", "united", "airlines", "кофейне", "кофемашина", "вакансия",
         "#сбер", "@sberbank", "погода", "😀"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=10), st.sampled_from(["ru", "en", None]),
       st.sampled_from(["vk", "x", None]))
def test_index_equals_brute_force_property(words: list[str], lang: str | None,
                                          network: str | None) -> None:
    index = _INDEX
    mention = {"text": " ".join(words), "lang": lang, "network": network}
    expected: dict[int, list[int]] = {}
    for brand_id, query_id, query in _COMPILED:
        if query.matches(mention):
            expected.setdefault(brand_id, []).append(query_id)
    assert index.match(mention) == expected


_INDEX = QueryIndex(QUERIES)
_COMPILED = [(b, q, parse(t)) for b, q, t in QUERIES]


def test_brand_matcher_fills_brand_matches_from_posts() -> None:
    index = QueryIndex(QUERIES)
    enrich = brand_matcher(index)
    posts = [
        make_post(text="Сбер заблокировал карту", network="x"),
        make_post(text="ВТБ Онлайн не открывается", network="vk"),
        make_post(text="Зашли в кофейню #утро", network="telegram",
                  author=Author(external_id="1", handle="olga"),
                  place=Place(external_id="-5", name="Кофейни")),
    ]
    batch = [Enriched(post=p, lang="ru") for p in posts]
    batch[0].brand_matches = {1: [11]}  # something earlier already found stays
    enrich(batch)
    assert batch[0].brand_matches == {1: [11, 12, 13]}
    assert batch[1].brand_matches == {2: [21, 22], 3: [32]}  # 31 excludes ВТБ
    assert batch[2].brand_matches == {3: [31], 5: [51]}


def test_queries_share_one_analysis() -> None:
    from otklik.query.matcher import analyse

    doc = analyse({"text": "Сбер и ВТБ", "lang": "ru"})
    results = [parse(t).matches(doc) for _, _, t in QUERIES]
    assert results == [parse(t).matches({"text": "Сбер и ВТБ", "lang": "ru"})
                       for _, _, t in QUERIES]
    assert list(itertools.compress(range(len(results)), results)) == [0, 2, 4]
