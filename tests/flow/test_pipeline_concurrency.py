"""Enrichment runs before the batch's first write: other writers are not held up by it, and a
writer that stores the same posts meanwhile leaves each post stored once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from otklik.actions.unit import transaction
from otklik.db.models import Mention, MentionVersion
from otklik.domain.enrichment import Enriched
from otklik.domain.posts import Post
from otklik.flow.pipeline import IngestResult, ingest
from otklik.nlp.enrichers import DuplicateEnricher
from tests.factories import make_post

HANG_GUARD = 120.0  # seconds: only ends a test that would otherwise hang; nothing is timed


class Paused:
    """An enricher that stops in the middle of enrichment until the test lets it go."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, items: Sequence[Enriched]) -> None:
        self.entered.set()
        if not self.release.wait(HANG_GUARD):
            raise AssertionError("the test never released the enricher")


def ingest_paused(
    sessions: sessionmaker[Session], posts: list[Post], meanwhile: Callable[[], None],
    enrichers: Sequence[Callable[[Sequence[Enriched]], None]] = (),
) -> IngestResult:
    """Ingest `posts` in a thread; run `meanwhile` while that batch is being enriched."""
    paused = Paused()
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            with transaction(sessions) as session:
                out["result"] = ingest(session, posts, enrichers=[*enrichers, paused])
        except BaseException as exc:  # handed to the test's thread
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert paused.entered.wait(HANG_GUARD), out.get("error")
        meanwhile()
    finally:
        paused.release.set()
        thread.join(HANG_GUARD)
    if "error" in out:
        raise out["error"]
    return out["result"]


def test_another_connection_writes_while_a_batch_is_enriched(sqlite_store: Any) -> None:
    """With no busy timeout at all, the other writer fails at once if the batch held the lock."""
    impatient = create_engine(sqlite_store.url, connect_args={"timeout": 0})
    other = make_post(text="Пока идёт импорт, пишет кто-то ещё")
    batch = [make_post(author=p.author) for p in [make_post() for _ in range(3)]]
    with transaction(sqlite_store.sessions) as session:  # authors already stored: an upsert
        ingest(session, [make_post(author=p.author) for p in batch])

    def write_elsewhere() -> None:
        with transaction(sessionmaker(impatient)) as session:
            ingest(session, [other])

    try:
        result = ingest_paused(sqlite_store.sessions, batch, write_elsewhere)
    finally:
        impatient.dispose()
    assert result.inserted == 3
    with sqlite_store.sessions() as session:
        stored = set(session.scalars(select(Mention.external_id)))
    assert {p.external_id for p in [*batch, other]} <= stored


def test_a_writer_storing_the_same_posts_meanwhile_leaves_each_once(store: Any) -> None:
    exemplar = make_post(text="Зерно списало деньги дважды за один заказ, верните мои деньги!")
    copy = make_post(text="Зерно списало деньги дважды за один заказ, верните мои деньги!!!")
    edited = make_post(text="Кофе холодный")
    with transaction(store.sessions) as session:
        ingest(session, [edited])
    edited.text = "Кофе холодный, и ждала 20 минут"
    duplicates = DuplicateEnricher()

    def same_posts_elsewhere() -> None:  # another worker got the same posts and was quicker
        with transaction(store.sessions) as session:
            ingest(session, [exemplar, edited])

    result = ingest_paused(store.sessions, [exemplar, copy, edited], same_posts_elsewhere,
                           enrichers=[duplicates])
    assert (result.inserted, result.updated, result.unchanged) == (1, 0, 2)
    with transaction(store.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 3
        assert session.scalars(select(MentionVersion.text)).all() == ["Кофе холодный"]
        rows = {m.external_id: m for m in session.scalars(select(Mention))}
        assert result.mention_ids == [rows[p.external_id].id for p in (exemplar, copy, edited)]
        cluster = rows[copy.external_id].cluster_id
        assert cluster is not None and rows[exemplar.external_id].cluster_id == cluster
