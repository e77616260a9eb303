"""Parsing: error positions and wording, canonical printing, and properties over any input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otklik.query import QuerySyntaxError, parse

ERRORS = [
    # (query, position, a word the expectation must contain)
    ("", 0, "word"),
    ("   ", 3, "word"),
    ("сбер AND", 8, "word"),
    ("сбер OR OR втб", 8, "word"),
    ("(сбер OR втб", 12, '")"'),
    ("сбер)", 4, "unmatched"),
    ('сбер "служба поддержки', 5, "closing"),
    ("сбер NEAR карта", 5, "NEAR/n"),
    ("сбер NEAR/x карта", 5, "NEAR/n"),
    ("сбер NEAR/2 lang:ru", 12, "beside NEAR"),
    ("сбер NEAR/2 NOT карта", 12, "word"),
    ("geo:55.7,37.6", 4, "radius"),
    ("geo:95,37.6,10", 4, "latitude"),
    ("site:", 5, "value"),
    ("author:", 7, "value"),
    ("author:@", 7, "value"),
    ("network:myspace", 8, "network"),
    ("lang:russian", 5, "language code"),
    ("б*нк", 1, "end of a word"),
    ("б*", 0, "2 letters"),
    ("#", 1, "hashtag"),
    ("#кофе!", 1, "hashtag"),
    ("сбер & | втб", 7, "word"),
    ('сбер ""', 6, "phrase with a word"),
    ("!!!", 0, "word"),
    ("сбер\nAND\n)", 9, "word"),
]


@pytest.mark.parametrize(("text", "position", "needle"), ERRORS)
def test_error_position_and_expectation(text: str, position: int, needle: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    err = info.value
    assert err.position == position
    assert needle in err.expected
    before = text[:position]
    assert err.line == before.count("\n") + 1
    assert err.column == position - (before.rfind("\n") + 1) + 1
    assert isinstance(err, ValueError)


def test_line_and_column_on_a_later_line() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse("сбер OR\n  (втб")
    assert (info.value.line, info.value.column) == (2, 7)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    for text in ("NOT " * 900 + "a", "-" * 5000 + "a", "(" * 500 + "a" + ")" * 500, "a " * 6000):
        with pytest.raises(QuerySyntaxError):
            parse(text)


@pytest.mark.parametrize(("text", "canonical"), [
    ("сбер втб", "сбер AND втб"),
    ("сбер OR втб карта", "сбер OR (втб AND карта)"),
    ("(Сбер | ВТБ) -реклама", "(сбер OR втб) AND NOT реклама"),
    ('"=Кофейне Зерно" NEAR/3 #Кофе', '"=кофейне зерно" NEAR/3 #кофе'),
    ("банк* ONEAR/2 ёлка", "банк* ONEAR/2 елка"),
    ("author:@Ivan site:https://www.vk.com/x geo:55.7,37.6,10km",
     "author:ivan AND site:vk.com AND geo:55.7,37.6,10"),
    ('place:-1 AUTHOR:"author:x"', 'place:"-1" AND author:"author:x"'),
])
def test_canonical_form(text: str, canonical: str) -> None:
    q = parse(text)
    assert str(q) == canonical
    assert parse(str(q)).tree == q.tree


QUERY_ALPHABET = st.sampled_from(
    list("абвсекофйёЁ abcXYZ019()\"'|&-*#@=:/.,!?\n\t😀") +
    ["AND", "OR", "NOT", "NEAR/2", "ONEAR/0", "NEAR/", "author:", "geo:", "site:", "lang:",
     "сбер", "кофейня", " "]
)
queries = st.one_of(st.text(max_size=60), st.lists(QUERY_ALPHABET, max_size=25).map("".join))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries)
def test_parser_never_raises_anything_else(text: str) -> None:
    try:
        q = parse(text)
    except QuerySyntaxError as err:
        assert 0 <= err.position <= len(text)
        assert err.expected
        return
    assert parse(str(q)).tree == q.tree  # the canonical form means the same query


TEXTS = st.lists(st.sampled_from(
    ["сбер", "сбера", "карту", "карта", "втб", "кофейне", "кофе", "#кофе", "@sber", "sber",
     "cards", "card", "flights", "😀", "и", "не", "ёлка", "елки", "банкомат"]), max_size=12
).map(" ".join)
SIMPLE = st.sampled_from(
    ["сбер", "карта", "втб", "кофейня", "#кофе", "@sber", "card", "банк*", '"сбер карта"',
     "=кофе", "елка", "lang:ru", "😀"])


@st.composite
def small_queries(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(SIMPLE)
    left, right = draw(small_queries(depth - 1)), draw(small_queries(depth - 1))
    op = draw(st.sampled_from(["AND", "OR", "", "NOT", "-"]))
    if op in ("NOT", "-"):
        return f"{op} ({left})"
    return f"({left}) {op} ({right})"


@settings(max_examples=300, deadline=None)
@given(small_queries(), TEXTS, st.sampled_from([None, "ru", "en"]))
def test_not_not_q_matches_exactly_what_q_matches(query: str, text: str, lang: str | None) -> None:
    mention = {"text": text, "lang": lang}
    q = parse(query)
    assert parse(f"NOT NOT ({query})").matches(mention) == q.matches(mention)
    assert parse(f"NOT ({query})").matches(mention) != q.matches(mention)
