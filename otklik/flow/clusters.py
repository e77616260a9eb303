"""Near-duplicate clusters in the store: each batch's copies join their exemplar's cluster.

Part of the ingest pipeline (`otklik.flow.pipeline.store_enriched` calls `store_clusters` in the
batch's transaction). Built for many workers storing copies of one attack text at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Engine, case, select, update
from sqlalchemy.orm import Session

from otklik.db.bulk import table_of
from otklik.db.keys import rows_by_key
from otklik.db.models import DuplicateCluster, Mention
from otklik.domain.enrichment import Enriched

CHUNK = 1_000  # rows per statement where each row takes bound parameters (IN lists, CASE)


def store_clusters(
    session: Session,
    batch: Sequence[Enriched],
    ids: dict[tuple[str, str], tuple[int, str]],
    now: datetime,
) -> None:
    """Join each near-duplicate to its exemplar's cluster, creating the cluster on first repeat.

    A few statements per batch, however many copies it holds, and no counter row: a cluster's
    size is counted from its members when read (`DuplicateCluster.size`), so workers storing
    copies of one attack text never wait for each other. Only the exemplar's row is locked, and
    only when its cluster is created (in id order, so two batches cannot deadlock); a batch that
    finds the exemplar clustered meanwhile joins that cluster. An exemplar stored earlier gets its
    cluster in a transaction of its own (`_new_clusters_apart`).
    """
    wanted = {item.duplicate_of for item in batch if item.duplicate_of is not None}
    if not wanted:
        return
    exemplars = rows_by_key(session, table_of(Mention), list(wanted), [])
    joins: dict[int, int] = {}  # member id → exemplar id
    for item in batch:
        exemplar = exemplars.get(item.duplicate_of) if item.duplicate_of else None
        me = ids.get((item.post.network, item.post.external_id))
        if exemplar is not None and me is not None and exemplar[0] != me[0]:
            joins.setdefault(me[0], exemplar[0])
    if not joins:
        return
    current = _cluster_ids(session, {*joins, *joins.values()})
    bare = sorted({e for e in joins.values() if current.get(e) is None})
    if bare:
        mine = {i for i, _ in ids.values()}
        made = _new_clusters_apart(session, [e for e in bare if e not in mine], now)
        # this batch's exemplars, and any stored earlier in this transaction (not yet visible
        # to another one), get theirs here
        made.update(_new_clusters(session, [e for e in bare if e not in made], now))
        current.update(made)
    moves = {me: cid for me, ex in joins.items()
             if (cid := current.get(ex)) is not None and current.get(me) != cid}
    _set_cluster_ids(session, moves)


def _cluster_ids(session: Session, mention_ids: Iterable[int], *,
                 lock: bool = False) -> dict[int, int | None]:
    table = table_of(Mention)
    ids = sorted(mention_ids)
    found: dict[int, int | None] = {}
    for i in range(0, len(ids), CHUNK):
        stmt = select(table.c.id, table.c.cluster_id).where(table.c.id.in_(ids[i:i + CHUNK]))
        if lock:  # PostgreSQL: row locks in id order (SQLite has one writer and ignores this)
            stmt = stmt.order_by(table.c.id).with_for_update()
        found.update((int(m), c) for m, c in session.execute(stmt).all())
    return found


def _new_clusters(session: Session, exemplar_ids: list[int], now: datetime) -> dict[int, int]:
    """Create the clusters of these exemplars (ids sorted); exemplar id → its cluster id.

    The exemplars' rows are locked first and read again: a concurrent batch may have given one
    a cluster since, which is then kept."""
    found = _cluster_ids(session, exemplar_ids, lock=True)
    out = {e: c for e, c in found.items() if c is not None}
    todo = [e for e in exemplar_ids if found.get(e) is None and e in found]
    if todo:
        clusters = table_of(DuplicateCluster)
        created = session.execute(
            clusters.insert().returning(clusters.c.exemplar_mention_id, clusters.c.id),
            [{"exemplar_mention_id": e, "first_seen_at": now} for e in todo],
        ).all()
        made = {int(e): int(c) for e, c in created}
        _set_cluster_ids(session, made)
        out.update(made)
    return out


def _new_clusters_apart(session: Session, exemplar_ids: list[int],
                        now: datetime) -> dict[int, int]:
    """`_new_clusters` for exemplars other batches stored, in a short transaction of its own.

    PostgreSQL: in the batch's transaction the exemplar's row would stay locked until the whole
    batch commits, and in an attack every worker holding a copy would queue behind it; apart,
    it is locked for a few milliseconds. If the batch then fails, its exemplar keeps a cluster
    of one, which the batch's retry (or the next copy) joins. SQLite has one writer: a second
    connection would wait for this one, so there it stays in the batch's transaction.
    """
    if not exemplar_ids:
        return {}
    bind = session.get_bind()
    if bind.dialect.name != "postgresql" or not isinstance(bind, Engine):
        return _new_clusters(session, exemplar_ids, now)
    with Session(bind) as apart, apart.begin():
        return _new_clusters(apart, exemplar_ids, now)


def _set_cluster_ids(session: Session, cluster_of: dict[int, int]) -> None:
    """mentions.cluster_id for many rows in one statement."""
    if not cluster_of:
        return
    table = table_of(Mention)
    ids = sorted(cluster_of)
    for i in range(0, len(ids), CHUNK):
        chunk = {m: cluster_of[m] for m in ids[i:i + CHUNK]}
        session.execute(
            update(table).where(table.c.id.in_(list(chunk)))
            .values(cluster_id=case(chunk, value=table.c.id))
        )
