"""The full-text prefilter is a superset of the exact matches, on SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql

from otklik.query import parse
from otklik.query.fts import fts5_match, pg_tsquery
from tests.query.test_cases import CASES

# (query, text) pairs where the exact matcher says yes and the text alone decides
POSITIVE = [(q, m) for q, m, ok in CASES if ok and isinstance(m, str)]
EXTRA = [
    ("the", "the end"), ("running", "he runs every day"), ("runn*", "running late"),
    ("happ*", "so happy"), ("сбер NEAR/2 карта -реклама", "Сбер выпустил карту"),
    ("(the OR сбер) AND карта", "the карта"), ("не", "не работает"), ("=и", "я и ты"),
    ("iphone15", "new iphone15 pro"), ("my_brand", "love my_brand"), ("🔥 сбер", "сбер 🔥"),
    ("#coca-cola", "#coca-cola"), ("@ivan.petrov", "hi @ivan.petrov"), ("мой", "мои деньги"),
    ("ёж", "ежи"), ("банк* NEAR/3 (сбер OR втб)", "банкоматы втб"),
]


@pytest.fixture(scope="module")
def fts5() -> Iterator[Callable[[str, str], bool]]:
    """A bare FTS5 table with the store's tokenizer: does MATCH expr find the text?"""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(text, tokenize='unicode61 remove_diacritics 2')")

    def finds(expr: str, text: str) -> bool:
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t(text) VALUES (?)", (text,))
        return conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expr,)).fetchone()[0] == 1

    yield finds
    conn.close()


@pytest.mark.parametrize(("query", "text"), POSITIVE + EXTRA)
def test_fts5_prefilter_keeps_every_match(fts5: Callable[[str, str], bool], query: str,
                                          text: str) -> None:
    q = parse(query)
    assert q.matches({"text": text})
    expr = fts5_match(q.tree)
    if expr is not None:
        assert fts5(expr, text), expr


def test_prefilter_narrows_and_declines_when_unsafe() -> None:
    assert fts5_match(parse("NOT сбер").tree) is None
    assert fts5_match(parse("lang:ru").tree) is None
    assert fts5_match(parse("сбер OR lang:ru").tree) is None
    assert fts5_match(parse("🔥").tree) is None
    assert pg_tsquery(parse("the").tree) is None  # an English stop word PostgreSQL drops
    expr = fts5_match(parse("сбер -реклама lang:ru").tree)
    assert expr is not None and "реклам" not in expr and '"сбера"' in expr
    assert fts5_match(parse("банк*").tree) == '"банк"*'
    assert pg_tsquery(parse("банк*").tree) == "'банк':*"


WORDS = ["сбер", "сбера", "карту", "карта", "втб", "кофейне", "кофеен", "the", "runs",
         "running", "cards", "#кофе", "ёлки", "йогурт", "🔥", "и", "не", "delta", "delayed"]
QUERIES = ["сбер", "карта", "сбер NEAR/1 карта", "(сбер OR втб) -кофе", "кофейня OR #кофе",
           "елка", "йогурт*", "run", "card* the", '"сбера карту"', "delay* OR delta", "=не"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(QUERIES), st.lists(st.sampled_from(WORDS), min_size=1, max_size=8))
def test_fts5_superset_property(fts5: Callable[[str, str], bool], query: str,
                                words: list[str]) -> None:
    text = " ".join(words)
    q = parse(query)
    expr = fts5_match(q.tree)
    if q.matches({"text": text}) and expr is not None:
        assert fts5(expr, text)


def _pg_finds(conn: object, expr: str, text: str) -> bool:
    row = conn.execute(  # type: ignore[attr-defined]
        sql("SELECT (to_tsvector('russian', :t) || to_tsvector('english', :t)) @@ "
            "(to_tsquery('russian', :q) || to_tsquery('english', :q))"),
        {"t": text, "q": expr},
    ).scalar()
    return bool(row)


def test_pg_prefilter_keeps_every_match(pg_store: object) -> None:
    engine = pg_store.engine  # type: ignore[attr-defined]
    missed = []
    with engine.connect() as conn:
        for query, text in POSITIVE + EXTRA:
            q = parse(query)
            expr = pg_tsquery(q.tree)
            if expr is not None and not _pg_finds(conn, expr, text):
                missed.append((query, text, expr))
        for query in QUERIES:  # every combination of two words, exhaustively
            q = parse(query)
            expr = pg_tsquery(q.tree)
            for a in WORDS:
                for b in WORDS:
                    text = f"{a} {b}"
                    if expr is not None and q.matches({"text": text}) \
                            and not _pg_finds(conn, expr, text):
                        missed.append((query, text, expr))
    assert missed == []
