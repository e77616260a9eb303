"""Authors, places and mentions by their network key (network, external_id), in bulk.

The lookups and upserts every ingest batch makes: one short statement per page of keys, no ORM
rows (see `otklik.db.bulk`). Known authors and places get what changed about them refreshed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session

from otklik.db.bulk import insert_ignoring_conflicts, select_by_external_id
from otklik.domain.posts import Post


def author_rows(posts: Sequence[Post]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (p.network, p.author.external_id): {
            "network": p.network,
            "external_id": p.author.external_id,
            "handle": p.author.handle,
            "name": p.author.name,
            "followers": p.author.followers,
            "created_at": p.author.created_at,
            "url": p.author.url,
        }
        for p in posts
        if p.author is not None
    }


def place_rows(posts: Sequence[Post]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (p.network, p.place.external_id): {
            "network": p.network,
            "external_id": p.place.external_id,
            "name": p.place.name,
            "kind": p.place.kind,
            "audience": p.place.audience,
            "url": p.place.url,
        }
        for p in posts
        if p.place is not None
    }


REFRESHED = ("name", "followers", "audience")  # what may change about a known author or place


def upsert_refs(
    session: Session, table: Table, refs: dict[tuple[str, str], dict[str, Any]], now: datetime
) -> dict[tuple[str, str], int]:
    """Insert unknown authors/places, refresh what changed about known ones; return their ids."""
    if not refs:
        return {}
    columns = [c for c in REFRESHED if c in table.c]
    known = rows_by_key(session, table, list(refs), columns)  # key → (id, *columns)
    new = [dict(row, first_seen_at=now) for key, row in refs.items() if key not in known]
    if new:
        returned = insert_ignoring_conflicts(
            session.connection(), table, {c: [row[c] for row in new] for c in new[0]},
            ("network", "external_id", "id", *columns),
        )
        known.update({(row[0], row[1]): tuple(row[2:]) for row in returned})
        if len(known) < len(refs):  # a concurrent writer stored some first
            known.update(rows_by_key(session, table, [k for k in refs if k not in known], columns))
    changed = []
    positions = list(enumerate(columns, start=1))
    for key, row in refs.items():
        stored = known[key]
        for i, c in positions:
            value = row[c]
            if value is not None and value != stored[i]:
                # one statement shape for all rows: unchanged columns keep their value
                values = {c: stored[i] if row[c] is None else row[c] for i, c in positions}
                changed.append({"_id": stored[0], **values})
                break
    if changed:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({c: bindparam(c) for c in columns})
        )
        session.connection().execute(stmt, changed)
    return {key: row[0] for key, row in known.items()}


def rows_by_key(
    session: Session, table: Table, keys: list[tuple[str, str]], columns: list[str]
) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(network, external_id) → (id, *columns) for the keys already stored."""
    found: dict[tuple[str, str], tuple[Any, ...]] = {}
    for network, external_ids in _by_network(keys).items():
        rows = select_by_external_id(
            session.connection(), table, network, external_ids, ["external_id", "id", *columns]
        )
        found.update({(network, row[0]): tuple(row[1:]) for row in rows})
    return found


def _by_network(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    by_network: dict[str, list[str]] = {}
    for network, external_id in keys:
        by_network.setdefault(network, []).append(external_id)
    return by_network
