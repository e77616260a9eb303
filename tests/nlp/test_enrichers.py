"""The enrichers over batches, their order, and what the pipeline stores from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select

from otklik.actions.unit import transaction
from otklik.db.models import DuplicateCluster, Mention
from otklik.domain.enrichment import Enriched
from otklik.domain.posts import Author, Place
from otklik.flow.pipeline import ingest
from otklik.nlp.enrichers import (
    DuplicateEnricher,
    LanguageEnricher,
    NameEnricher,
    PriorityEnricher,
    QuestionEnricher,
    default_enrichers,
)
from tests.factories import BASE_TIME, make_post

COMPLAINT = ("@Beeline_RUS Здравствуйте, подскажите пожалуйста, почему не работает \"режим "
             "модема\" на Ipad Air? Посещение личного кабинета ничем не помогло")  # SentiRuEval


def batch(*posts) -> list[Enriched]:
    return [Enriched(post=p) for p in posts]


def test_language_keeps_a_supported_source_language_and_detects_the_rest() -> None:
    items = batch(make_post(text="Hello there, my flight was delayed", lang="ru"),
                  make_post(text="Привіт, як справи?"),
                  make_post(text="Guten Tag, meine Bestellung", lang="de"),
                  make_post(text="😡😡😡"))
    LanguageEnricher()(items)
    assert [i.lang for i in items] == ["ru", "uk", "en", "und"]
    LanguageEnricher(trust_source=False)(items[:1])
    assert items[0].lang == "en"


def test_names_and_questions() -> None:
    items = batch(make_post(text=COMPLAINT, author=Author("1", name="Роман Иванов")),
                  make_post(text="Вера в лучшее!", author=Author("2", name="Вера в лучшее")),
                  make_post(text="Где мой заказ?", author=None, place=Place("shop")))
    NameEnricher()(items)
    QuestionEnricher(owned_places=[("vk", "-1")])(items)
    assert [i.customer_name for i in items] == ["Роман", None, None]
    assert [i.is_question for i in items] == [True, False, False]  # the last: not addressed


def test_duplicates_persist_across_batches() -> None:
    enrich = DuplicateEnricher()
    first = batch(make_post(text=COMPLAINT))
    enrich(first)
    later = batch(make_post(text=COMPLAINT + " #билайн"), make_post(text="Совсем другой текст "
                                                                       "про кофе и круассаны"))
    enrich(later)
    assert first[0].duplicate_of is None
    assert later[0].duplicate_of == ("vk", first[0].post.external_id)
    assert later[1].duplicate_of is None


def test_default_order_and_injected_enrichers() -> None:
    calls: list[str] = []

    def matcher(items: Sequence[Enriched]) -> None:
        calls.append("matcher")
        for item in items:
            assert item.lang is not None  # language ran first
            item.brand_matches = {1: [1]}

    def sentiment(items: Sequence[Enriched]) -> None:
        calls.append("sentiment")
        for item in items:
            item.sentiment_scores = {"negative": 0.8, "neutral": 0.15, "positive": 0.05}

    chain = default_enrichers(sentiment=sentiment, matcher=matcher, owned_places=[("vk", "-1")],
                              clock=lambda: BASE_TIME + timedelta(hours=1))
    kinds = [getattr(e, "__name__", type(e).__name__) for e in chain]
    assert kinds == ["LanguageEnricher", "matcher", "sentiment", "NameEnricher",
                     "DuplicateEnricher", "QuestionEnricher", "PriorityEnricher"]
    items = batch(make_post(text="Почему не работает интернет?", place=Place("elsewhere")))
    for enrich in chain:
        enrich(items)
    assert calls == ["matcher", "sentiment"]
    item = items[0]
    assert item.is_question  # names the brand (matcher) and asks
    assert item.priority is not None and item.priority_reasons is not None
    assert item.priority_reasons["negativity"] > 0 and item.priority_reasons["question"] > 0


def test_priority_enricher_uses_its_clock() -> None:
    post = make_post()
    items = batch(post)
    PriorityEnricher(clock=lambda: post.created_at)(items)
    recent = items[0].priority_reasons["recency"]
    PriorityEnricher(clock=lambda: post.created_at + timedelta(days=5))(items)
    assert items[0].priority_reasons["recency"] < recent


def test_pipeline_stores_enrichment_and_clusters(store) -> None:
    chain = default_enrichers(owned_places=[("vk", "-1")])
    posts = [
        make_post(text=COMPLAINT, author=Author("u1", name="Роман Иванов", followers=900)),
        make_post(text=COMPLAINT.replace("ничем не", "не"), author=Author("u2", name="Вера")),
        make_post(text="Отличный кофе и быстрая доставка, спасибо!", author=None),
    ]
    with transaction(store.sessions) as s:
        ingest(s, posts[:1], enrichers=chain)
    with transaction(store.sessions) as s:
        ingest(s, posts[1:], enrichers=chain)  # a later batch: joins the stored cluster
    with transaction(store.sessions) as s:
        rows = {m.external_id: m for m in s.scalars(select(Mention))}
        first, copy, other = (rows[p.external_id] for p in posts)
        assert (first.lang, first.customer_name, first.is_question) == ("ru", "Роман", True)
        assert copy.customer_name == "Вера"
        assert first.cluster_id is not None and copy.cluster_id == first.cluster_id
        assert other.cluster_id is None
        cluster = s.get(DuplicateCluster, first.cluster_id)
        assert cluster.size == 2 and cluster.exemplar_mention_id == first.id
        assert first.priority is not None and set(first.priority_reasons) >= {"place", "question"}
