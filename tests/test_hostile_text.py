"""Hostile text is data: a megabyte of one word, of emoji or of invisible marks is stored whole
and enriched in time comparable to a normal batch (issue 24: a cubic regex froze ingest)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from otklik.actions.brands import create_brand
from otklik.actions.unit import transaction
from otklik.db.models import Mention
from otklik.domain.enrichment import ENRICH_CHARS
from otklik.flow.pipeline import ingest
from otklik.flow.wiring import Enrichment
from otklik.nlp.normalize import fix_lookalikes, normalize, replace_urls
from tests.factories import make_post

HOSTILE = {
    "one word": "ха" * 500_000,
    "emoji": "😡" * 1_000_000,
    "bidi and zero-width": "\u202e\u200b\u200d\u2066" * 25_000,
    "dotted": "a." * 500_000,
    "mixed scripts": "пpивет" * 100_000,
}


@pytest.mark.parametrize("text", ["ха" * 5000, "a." * 5000, "a-" * 5000, "пpи" * 5000])
def test_normalisation_is_linear_in_a_run_of_letters(text):
    """Twice the text costs about twice the time (a cubic rule: eight times), generously bounded."""
    def cost(t: str) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            normalize(t)
            best = min(best, time.perf_counter() - start)
        return best

    small, large = cost(text), cost(text * 4)
    assert large < 40 * small + 0.05


def test_lookalikes_and_links_keep_their_meaning():
    assert fix_lookalikes("пpивет мир") == "привет мир"
    assert fix_lookalikes("Аррle") == "Apple"
    assert replace_urls("меню на zerno.ru/menu тут").split() == ["меню", "на", "xxurl", "тут"]
    assert replace_urls("a.b/c") == "a.b/c"


def test_hostile_texts_are_stored_whole_and_enriched_in_bounded_time(sqlite_store):
    with transaction(sqlite_store.sessions) as s:
        create_brand(s, "Зерно", queries=["зерно OR ха"])
    with transaction(sqlite_store.sessions) as s:
        enrichers = Enrichment().enrichers(s)
    normal = [make_post(text=f"Кофе в Зерне опять холодный, ждала {i} минут") for i in range(20)]
    with transaction(sqlite_store.sessions) as s:
        ingest(s, normal[:2], enrichers=enrichers)  # warm the models
    start = time.perf_counter()
    with transaction(sqlite_store.sessions) as s:
        ingest(s, normal[2:], enrichers=enrichers)
    baseline = time.perf_counter() - start
    posts = [make_post(text=t) for t in HOSTILE.values()]
    start = time.perf_counter()
    with transaction(sqlite_store.sessions) as s:
        ingest(s, posts, enrichers=enrichers)
    hostile = time.perf_counter() - start
    # a generous factor of a normal batch (the old rule took hours on the first text)
    assert hostile < 50 * baseline + 10
    with transaction(sqlite_store.sessions) as s:
        stored = {m.external_id: m for m in s.scalars(select(Mention))}
        for post, text in zip(posts, HOSTILE.values(), strict=True):
            mention = stored[post.external_id]
            assert mention.text == text  # whole, though enrichment read ENRICH_CHARS of it
            assert mention.enriched_at is not None
    assert min(len(t) for t in HOSTILE.values()) > ENRICH_CHARS
