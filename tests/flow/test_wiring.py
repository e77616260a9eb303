"""The long-lived enrichment state of a process, shared through the store between workers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from otklik.actions.unit import transaction
from otklik.db.models import Mention
from otklik.flow.pipeline import ingest
from otklik.flow.wiring import Enrichment
from tests.factories import make_post

TEXT = "Таракан в круассане на Ленина, 5! Не ходите в эту кофейню, вас там отравят"


def _store(store: Any, worker: Enrichment, post: Any) -> None:
    with transaction(store.sessions) as s:
        ingest(s, [post], enrichers=worker.enrichers(s))


def test_a_copy_reaching_another_worker_joins_the_first_workers_cluster(store: Any) -> None:
    first, second = Enrichment(sentiment=False), Enrichment(sentiment=False)
    _store(store, first, make_post(external_id="w1", text="Кофе сегодня хороший"))
    _store(store, second, make_post(external_id="w2", text="Доброе утро"))  # both primed now
    _store(store, first, make_post(external_id="orig", text=TEXT))
    _store(store, second, make_post(external_id="copy", text=TEXT + "!!"))
    with transaction(store.sessions) as s:
        clusters = dict(s.execute(select(Mention.external_id, Mention.cluster_id)).all())
    assert clusters["orig"] is not None and clusters["copy"] == clusters["orig"]
    assert clusters["w1"] is None and clusters["w2"] is None


def test_own_mentions_are_not_hashed_twice(store: Any, monkeypatch: Any) -> None:
    worker = Enrichment(sentiment=False)
    _store(store, worker, make_post(external_id="a", text=TEXT))
    hashed: list[int] = []
    original = worker.duplicates.add_batch
    monkeypatch.setattr(worker.duplicates, "add_batch",
                        lambda items: hashed.append(len(items)) or original(items))
    _store(store, worker, make_post(external_id="b", text="Совсем другой текст про латте"))
    assert hashed == [1]  # the new post only: "a" came back from the store already indexed


def test_a_mention_committed_late_with_an_earlier_id_is_still_indexed(store: Any) -> None:
    """Ids are taken at insert, rows become visible at commit: a late commit is not skipped."""
    worker = Enrichment(sentiment=False)
    _store(store, worker, make_post(external_id="w", text="Доброе утро"))
    with transaction(store.sessions) as s:
        ids = ingest(s, [make_post(external_id="late", text=TEXT),
                         make_post(external_id="after", text="Совсем другой текст про латте")]
                     ).mention_ids
    worker._seen_id = ids[1]  # "after" was seen first, "late" (an earlier id) committed later
    with transaction(store.sessions) as s:
        worker.enrichers(s)
    assert ("vk", "late") in worker.duplicates


def test_each_stored_mention_is_read_once_however_many_batches_follow(store: Any) -> None:
    """The ids near the newest are looked at again each batch (late commits), their rows not."""
    worker = Enrichment(sentiment=False)
    for i in range(3):
        _store(store, worker, make_post(external_id=f"m{i}", text=f"{TEXT} {i}"))
    reads: list[list[str]] = []
    with transaction(store.sessions) as s:
        event.listen(s.connection(), "before_cursor_execute", lambda *args: reads[-1].append(
            args[2]) if "mentions.external_id" in args[2] else None)
        for _ in range(3):
            reads.append([])
            worker.enrichers(s)
    # m2 was stored after its own batch looked: the next batch reads its key (no text: it is
    # this worker's own), and later batches read no row at all
    assert [len(r) for r in reads] == [1, 0, 0]
    assert "substr" not in reads[0][0]
