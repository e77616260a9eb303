"""Near-duplicate clusters under concurrent writers: copies of one attack text stored by two
batches at once neither wait for each other, deadlock, nor lose a member (issue 26)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from sqlalchemy import func, select, text

from otklik.actions.unit import transaction
from otklik.db.models import DuplicateCluster, Mention
from otklik.domain.enrichment import Enriched
from otklik.domain.posts import Author, Post
from otklik.flow.pipeline import ingest
from tests.factories import make_post


def copies_of(batch: Sequence[Enriched]) -> None:
    """An enricher standing in for the duplicate index: "copy-<root>-…" copies "<root>"."""
    for item in batch:
        if item.post.external_id.startswith("copy-"):
            item.duplicate_of = ("vk", item.post.external_id.split("-")[1])


def copies(root: str, tag: str, n: int) -> list[Post]:
    """Copies by accounts of their own (a batch that stores a new author first holds that
    author's key until it commits: the test is about the cluster)."""
    return [make_post(external_id=f"copy-{root}-{tag}{i}", text=f"Не ходите в Зерно {tag}{i}",
                      author=Author(f"bot-{root}-{tag}{i}", handle=f"bot{tag}{i}"))
            for i in range(n)]


def sizes(store) -> dict[int, int]:
    with store.sessions() as s:
        return {c.id: c.size for c in s.scalars(select(DuplicateCluster))}


def test_two_batches_of_copies_store_at_once_without_waiting(pg_store) -> None:
    """The cluster exists: a second batch of its copies stores while the first still holds its
    transaction open; it would fail on the lock timeout if it waited for any row."""
    with transaction(pg_store.sessions) as s:
        ingest(s, [make_post(external_id="root", text="Не ходите в Зерно")])
    with transaction(pg_store.sessions) as s:
        ingest(s, copies("root", "first", 3), enrichers=[copies_of])
    a, b = pg_store.sessions(), pg_store.sessions()
    try:
        for s in (a, b):
            s.execute(text("SET LOCAL lock_timeout = '5s'"))
        ingest(a, copies("root", "a", 50), enrichers=[copies_of])
        ingest(b, copies("root", "b", 50), enrichers=[copies_of])  # A has not committed
        b.commit()
        a.commit()
    finally:
        a.close()
        b.close()
    [(cluster_id, size)] = sizes(pg_store).items()
    assert size == 1 + 3 + 50 + 50
    with pg_store.sessions() as s:
        assert s.scalar(select(func.count()).where(Mention.cluster_id == cluster_id)) == 104
        assert s.get(DuplicateCluster, cluster_id).last_seen_at is not None


@pytest.mark.parametrize("rounds", [8])
def test_concurrent_batches_creating_clusters_neither_deadlock_nor_lose_members(
        pg_store, rounds: int) -> None:
    """Each round, two threads store copies of the same two new texts at once, each naming
    them in the opposite order: every copy ends in its text's one cluster."""
    roots = [f"r{i}" for i in range(2 * rounds)]
    with transaction(pg_store.sessions) as s:
        ingest(s, [make_post(external_id=r, text=f"Не ходите в Зерно {r}") for r in roots])
    errors: list[BaseException] = []

    def worker(name: str, flip: bool) -> None:
        try:
            for i in range(rounds):
                pair = roots[2 * i:2 * i + 2]
                posts = [p for r in (reversed(pair) if flip else pair)
                         for p in copies(r, f"{name}{i}x", 10)]
                with transaction(pg_store.sessions) as s:
                    ingest(s, posts, enrichers=[copies_of])
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n, n == "b")) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    found = sizes(pg_store)
    assert len(found) == len(roots)
    assert sorted(found.values()) == [1 + 10 + 10] * len(roots)
    with pg_store.sessions() as s:
        exemplars = dict(s.execute(select(DuplicateCluster.exemplar_mention_id,
                                          DuplicateCluster.id)).all())
        for mention_id, cluster_id in s.execute(
                select(Mention.id, Mention.cluster_id).where(Mention.external_id.in_(roots))):
            assert exemplars[mention_id] == cluster_id


def test_copies_join_in_chunks_on_both_stores(store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many copies and many new clusters in one batch, written a few rows per statement."""
    monkeypatch.setattr("otklik.flow.clusters.CHUNK", 3)
    roots = [make_post(external_id=f"r{i}", text=f"Не ходите в Зерно {i}") for i in range(7)]
    with transaction(store.sessions) as s:
        ingest(s, roots)
    with transaction(store.sessions) as s:
        ingest(s, [p for i in range(7) for p in copies(f"r{i}", "x", i + 1)],
               enrichers=[copies_of])
    assert sorted(sizes(store).values()) == [i + 2 for i in range(7)]


def test_a_new_cluster_does_not_hold_other_batches_until_its_batch_commits(pg_store) -> None:
    """The first copies of a stored text create its cluster; a second batch of copies stores
    while the first batch is still open (it waited for the whole first batch before)."""
    with transaction(pg_store.sessions) as s:
        ingest(s, [make_post(external_id="root", text="Не ходите в Зерно")])
    a, b = pg_store.sessions(), pg_store.sessions()
    try:
        for s in (a, b):
            s.execute(text("SET LOCAL lock_timeout = '5s'"))
        ingest(a, copies("root", "a", 20), enrichers=[copies_of])  # creates the cluster
        ingest(b, copies("root", "b", 20), enrichers=[copies_of])  # A has not committed
        b.commit()
        a.commit()
    finally:
        a.close()
        b.close()
    [(_, size)] = sizes(pg_store).items()
    assert size == 1 + 20 + 20


def test_a_cluster_made_apart_stays_when_its_batch_fails(pg_store) -> None:
    """The exemplar keeps its cluster of one; the batch's retry joins it, nothing is lost."""
    with transaction(pg_store.sessions) as s:
        ingest(s, [make_post(external_id="root", text="Не ходите в Зерно")])
    with pg_store.sessions() as s:
        ingest(s, copies("root", "a", 5), enrichers=[copies_of])
        s.rollback()
    assert list(sizes(pg_store).values()) == [1]
    with transaction(pg_store.sessions) as s:
        ingest(s, copies("root", "a", 5), enrichers=[copies_of])
    assert list(sizes(pg_store).values()) == [6]


def test_copies_of_a_text_stored_earlier_in_the_same_transaction_join_it(store) -> None:
    """A poll stores its pages in one transaction: the exemplar of page two's copy is not yet
    visible to any other transaction, and its cluster is made in this one."""
    with transaction(store.sessions) as s:
        ingest(s, [make_post(external_id="root", text="Не ходите в Зерно")])
        ingest(s, copies("root", "a", 3), enrichers=[copies_of])
    assert list(sizes(store).values()) == [4]
