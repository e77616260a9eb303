"""`otklik.query.search`: history search on both stores (full-text prefilter + exact match)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from otklik.actions.unit import transaction
from otklik.db.models import Brand, BrandQuery
from otklik.domain.posts import Author, Place
from otklik.flow.pipeline import ingest
from otklik.query import QuerySyntaxError
from otklik.query.search import index_from_store, search
from tests.factories import BASE_TIME, make_post

TEXTS = [
    ("vk", "Были вчера в кофейне Зерно, очень вкусно"),
    ("vk", "В городе мало хороших кофеен"),
    ("x", "Купили ёлку, пахнет лесом #новыйгод"),
    ("x", "Сбер заблокировал мою карту без объяснений"),
    ("telegram", "Реклама: карта Сбера с кешбэком"),
    ("x", "Delta flight delayed again, 3 hours"),
    ("vk", "Кофемашина сломалась"),
    ("reddit", "my sber card works fine abroad"),
]


@pytest.fixture
def filled(store):  # type: ignore[no-untyped-def]
    posts = [
        make_post(network=net, text=text, created_at=BASE_TIME + timedelta(minutes=i),
                  url=f"https://{'m.vk.com' if net == 'vk' else 'example.org'}/p/{i}",
                  author=Author(external_id=f"a{i}", handle=f"user{i}", name="Ольга"),
                  place=Place(external_id=f"p{i % 2}", name=f"place{i % 2}"),
                  lat=55.75 if i % 2 == 0 else None, lon=37.62 if i % 2 == 0 else None)
        for i, (net, text) in enumerate(TEXTS)
    ]
    with transaction(store.sessions) as session:
        ingest(session, posts)
    return store


def _texts(found: list) -> list[str]:  # type: ignore[type-arg]
    return [m.text for m in found]


def test_word_forms_newest_first(filled) -> None:  # type: ignore[no-untyped-def]
    with transaction(filled.sessions) as session:
        assert _texts(search(session, "кофейня")) == [TEXTS[1][1], TEXTS[0][1]]
        assert _texts(search(session, "кофейня", limit=1)) == [TEXTS[1][1]]
        assert _texts(search(session, "елка")) == [TEXTS[2][1]]
        assert _texts(search(session, "#новыйгод")) == [TEXTS[2][1]]
        assert _texts(search(session, "delay NEAR/2 flight")) == [TEXTS[5][1]]


def test_boolean_near_and_fields(filled) -> None:  # type: ignore[no-untyped-def]
    with transaction(filled.sessions) as session:
        assert _texts(search(session, "(сбер OR sber) NEAR/3 (карта OR card) -реклама")) == [
            TEXTS[7][1], TEXTS[3][1]]
        assert _texts(search(session, "(сбер OR sber) network:x")) == [TEXTS[3][1]]
        assert _texts(search(session, "сбер OR sber", network="telegram")) == [TEXTS[4][1]]
        assert _texts(search(session, "кофе* site:vk.com author:user6")) == [TEXTS[6][1]]
        assert _texts(search(session, "place:p1 карта")) == [TEXTS[3][1]]
        assert len(search(session, "geo:55.75,37.62,1")) == 4
        # no full-text prefilter is possible: the whole history is read, newest first
        assert _texts(search(session, "NOT (кофейня OR кофе* OR сбер OR sber OR delta OR елка)",
                             limit=5)) == []
        assert len(search(session, "NOT кофейня")) == 6


def test_bad_query_raises_its_error(filled) -> None:  # type: ignore[no-untyped-def]
    with transaction(filled.sessions) as session, pytest.raises(QuerySyntaxError):
        search(session, "сбер AND (")


def test_index_from_store_uses_enabled_queries(filled) -> None:  # type: ignore[no-untyped-def]
    with transaction(filled.sessions) as session:
        brand = Brand(slug="sber", name="Сбер")
        session.add(brand)
        session.flush()
        session.add_all([
            BrandQuery(brand_id=brand.id, text="сбер OR sber"),
            BrandQuery(brand_id=brand.id, text="сбер NEAR/2 карта", enabled=False),
        ])
        session.flush()
        index = index_from_store(session)
        assert len(index) == 1
        assert list(index.match({"text": "Сбер и карта"})) == [brand.id]


@pytest.mark.parametrize(("query", "rows"), [
    ("кофейня", 2), ("сбер OR sber", 3), ("кофе*", 3), ("елка", 1), ("delay", 1),
])
def test_the_store_prefilter_narrows(filled, query: str, rows: int) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from otklik.db.models import Mention
    from otklik.query import parse
    from otklik.query.search import fts_condition

    with transaction(filled.sessions) as session:
        condition = fts_condition(session, parse(query))
        assert condition is not None
        count = session.scalar(select(func.count()).select_from(Mention).where(condition))
        assert count == rows


def test_public_api_names() -> None:
    import sys

    import otklik.query
    from otklik.query.search import filter_by_query

    module = sys.modules["otklik.query.search"]
    assert callable(otklik.query.search) and otklik.query.search is module.search
    assert filter_by_query is module.filter_by_query


def test_pipeline_stores_brand_matches(store) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from otklik.db.models import Mention, MentionBrand
    from otklik.query.index import QueryIndex, brand_matcher

    with transaction(store.sessions) as session:
        brands = [Brand(slug="sber", name="Сбер"), Brand(slug="zerno", name="Зерно")]
        session.add_all(brands)
        session.flush()
        sber, zerno = (b.id for b in brands)
        index = QueryIndex([(sber, 1, "сбер OR sber"), (sber, 2, "сбер NEAR/2 карта"),
                            (zerno, 3, '"кофейня зерно"')])
        posts = [make_post(text="Сбер заблокировал карту"),
                 make_post(text="Были в кофейне Зерно"), make_post(text="Погода")]
        ingest(session, posts, enrichers=[brand_matcher(index)])
        rows = session.execute(
            select(Mention.text, MentionBrand.brand_id, MentionBrand.query_ids)
            .join(MentionBrand, MentionBrand.mention_id == Mention.id).order_by(Mention.id)
        ).all()
        assert [(t, b, sorted(q)) for t, b, q in rows] == [
            ("Сбер заблокировал карту", sber, [1, 2]), ("Были в кофейне Зерно", zerno, [3])]
