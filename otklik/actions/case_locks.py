"""The case rules' locks: two workers deciding about the same thread or author must take turns."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from otklik.db.models import Mention


def lock_case_keys(session: Session, pairs: Sequence[tuple[int, Mention]]) -> None:
    """PostgreSQL: one writer at a time decides about a thread and about an author's complaints
    of a brand, so two workers cannot open the same case twice. Transaction-scoped advisory
    locks, taken for the whole batch in one sorted order (no deadlocks between batches) and
    only for mentions that want a case: other brands, threads and authors never wait."""
    if session.get_bind().dialect.name != "postgresql" or not pairs:
        return
    keys = set()
    for brand_id, m in pairs:
        keys.add(f"case:{brand_id}:{m.network}:{m.thread_external_id or m.external_id}")
        if m.author_id is not None:
            keys.add(f"case:{brand_id}:author:{m.author_id}")
    # one round trip: the subquery sorts before the locks are taken
    ordered = select(func.unnest(cast(sorted(lock_id(k) for k in keys),
                                      ARRAY(BigInteger))).label("k")).order_by("k").subquery()
    session.execute(select(func.count(func.pg_advisory_xact_lock(ordered.c.k))))


def lock_id(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big",
                          signed=True)
