"""The ingest pipeline: idempotent, edits keep history, enrichment stored, nothing deleted."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from otklik.actions.unit import transaction
from otklik.db.models import (
    Author,
    Brand,
    DuplicateCluster,
    Mention,
    MentionBrand,
    MentionVersion,
    Place,
)
from otklik.domain.enrichment import Enriched
from otklik.domain.posts import Author as AuthorRef
from otklik.flow.pipeline import ingest
from tests.factories import make_post


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_same_batch_twice_is_stored_once(store):
    posts = [make_post() for _ in range(30)]
    with transaction(store.sessions) as s:
        first = ingest(s, posts)
    with transaction(store.sessions) as s:
        second = ingest(s, posts + posts[:5])  # repeats inside the batch too
    assert (first.inserted, second.inserted, second.unchanged) == (30, 0, 30)
    assert first.mention_ids == second.mention_ids
    with transaction(store.sessions) as s:
        assert count(s, Mention) == 30
        assert count(s, Author) == len({p.author.external_id for p in posts})
        assert count(s, Place) == 1


def test_edit_updates_text_and_keeps_the_earlier_version(store):
    post = make_post(text="Кофе холодный")
    with transaction(store.sessions) as s:
        ingest(s, [post])
    post.text = "Кофе холодный, и ждала 20 минут"
    with transaction(store.sessions) as s:
        result = ingest(s, [post])
    assert result.updated == 1
    with transaction(store.sessions) as s:
        mention = s.scalars(select(Mention)).one()
        assert mention.text == "Кофе холодный, и ждала 20 минут"
        assert mention.edited_at is not None
        assert s.scalars(select(MentionVersion.text)).all() == ["Кофе холодный"]


def test_hashtags_mentions_and_thread_are_normalised(store):
    post = make_post(text="#Зерно спасибо @Zerno_Coffee за #латте", parent_external_id="-1_5")
    with transaction(store.sessions) as s:
        ingest(s, [post])
    with transaction(store.sessions) as s:
        m = s.scalars(select(Mention)).one()
        assert m.hashtags == ["зерно", "латте"]
        assert m.user_mentions == ["zerno_coffee"]
        assert (m.parent_external_id, m.thread_external_id) == ("-1_5", "-1_5")
        assert m.created_at.tzinfo is not None


def test_enrichers_run_on_new_and_edited_posts_only(store):
    seen: list[str] = []

    def fake_sentiment(batch: Sequence[Enriched]) -> None:
        for item in batch:
            seen.append(item.post.external_id)
            item.sentiment = "negative"
            item.sentiment_scores = {"negative": 0.9, "neutral": 0.07, "positive": 0.03}

    posts = [make_post(external_id="a"), make_post(external_id="b")]
    with transaction(store.sessions) as s:
        ingest(s, posts, enrichers=[fake_sentiment])
    posts[1].text += " (edited)"
    with transaction(store.sessions) as s:
        ingest(s, posts, enrichers=[fake_sentiment])
    assert seen == ["a", "b", "b"]
    with transaction(store.sessions) as s:
        m = s.scalars(select(Mention).where(Mention.external_id == "a")).one()
        assert m.sentiment == "negative"
        assert abs(m.sentiment_score - 0.87) < 1e-9
        assert m.enriched_at is not None


def test_brand_matches_and_duplicate_clusters_are_stored(store):
    with transaction(store.sessions) as s:
        brand = Brand(slug="zerno", name="Зерно")
        s.add(brand)
    first = make_post(external_id="orig", text="Таракан в круассане! Не ходите туда")
    copies = [make_post(external_id=f"copy{i}", text="Таракан в круассане!! Не ходите туда")
              for i in range(3)]

    def matcher(batch: Sequence[Enriched]) -> None:
        for item in batch:
            item.brand_matches = {brand.id: [7]}
            if item.post.external_id.startswith("copy"):
                item.duplicate_of = ("vk", "orig")

    with transaction(store.sessions) as s:
        ingest(s, [first], enrichers=[matcher])
    with transaction(store.sessions) as s:
        ingest(s, copies, enrichers=[matcher])
    with transaction(store.sessions) as s:
        assert count(s, MentionBrand) == 4
        assert s.scalars(select(MentionBrand.query_ids)).first() == [7]
        cluster = s.scalars(select(DuplicateCluster)).one()
        assert cluster.size == 4
        assert set(s.scalars(select(Mention.cluster_id))) == {cluster.id}


def test_author_details_refresh_without_duplicating(store):
    author = AuthorRef(external_id="u1", handle="olga", name="Ольга", followers=10)
    with transaction(store.sessions) as s:
        ingest(s, [make_post(author=author)])
    author2 = AuthorRef(external_id="u1", handle="olga", name="Ольга С.", followers=25)
    with transaction(store.sessions) as s:
        ingest(s, [make_post(author=author2)])
    with transaction(store.sessions) as s:
        row = s.scalars(select(Author)).one()
        assert (row.name, row.followers) == ("Ольга С.", 25)


def test_empty_batch_does_nothing(store):
    with transaction(store.sessions) as s:
        assert ingest(s, []).stored == 0


def test_brand_rows_carry_the_mention_time_place_author_and_label(store):
    """The overview reads only `mention_brands`: its copies must equal the mention's."""
    with transaction(store.sessions) as s:
        brand = Brand(slug="zerno", name="Зерно")
        s.add(brand)

    def matcher(batch: Sequence[Enriched]) -> None:
        for item in batch:
            item.brand_matches = {brand.id: [1]}
            item.sentiment = "positive"  # no targeted label: the mention's own is used

    with transaction(store.sessions) as s:
        ingest(s, [make_post(external_id="a")], enrichers=[matcher])
    with transaction(store.sessions) as s:
        m = s.scalars(select(Mention)).one()
        row = s.scalars(select(MentionBrand)).one()
        assert (row.created_at, row.place_id, row.author_id, row.sentiment) == (
            m.created_at, m.place_id, m.author_id, "positive")
        assert m.place_id is not None and m.author_id is not None


def test_an_edit_keeps_the_analysts_label_toward_the_brand(store):
    with transaction(store.sessions) as s:
        brand = Brand(slug="zerno", name="Зерно")
        s.add(brand)

    def model(batch: Sequence[Enriched]) -> None:
        for item in batch:
            item.brand_matches = {brand.id: [1]}
            item.sentiment = "positive"

    post = make_post(external_id="a", text="Кофе холодный")
    with transaction(store.sessions) as s:
        ingest(s, [post], enrichers=[model])
        s.execute(Mention.__table__.update().values(sentiment="negative",
                                                    sentiment_corrected=True))
        s.execute(MentionBrand.__table__.update().values(sentiment="negative"))
    post.text = "Кофе холодный, ждала 20 минут"
    with transaction(store.sessions) as s:
        assert ingest(s, [post], enrichers=[model]).updated == 1
    with transaction(store.sessions) as s:
        assert s.scalars(select(Mention.sentiment)).one() == "negative"
        assert s.scalars(select(MentionBrand.sentiment)).one() == "negative"
