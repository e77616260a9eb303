"""Cost of the desk step after ingest: `process_ingested` over pages of stored mentions.

Ingests N synthetic VK comments (10% negative, a few authors complaining repeatedly, replies in
threads) into a fresh SQLite store page by page (200 per page, like a source poll), then times
`process_ingested` on each page separately from the ingest itself.

    .venv/bin/python bench/desk_intake.py [N]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from otklik.actions.cases import process_ingested
from otklik.db.engine import make_engine, make_sessionmaker
from otklik.db.migrate import upgrade
from otklik.db.models import Brand, Case
from otklik.domain.enrichment import Enriched
from otklik.domain.posts import Author, Place, Post
from otklik.flow.pipeline import ingest

PAGE = 200


def posts(n: int, rng: random.Random) -> list[Post]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        thread = f"-1_{i // 20}"
        out.append(Post(
            network="vk", external_id=f"{thread}_c{i}", text=f"комментарий {i}",
            created_at=start + timedelta(seconds=30 * i), thread_external_id=thread,
            parent_external_id=thread if rng.random() < 0.7 else f"{thread}_c{max(0, i - 1)}",
            author=Author(external_id=str(rng.randrange(n // 4 + 1)), name="Ольга Петрова"),
            place=Place(external_id="-1", name="Зерно", kind="group")))
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        with sessions() as s:
            brand = Brand(slug="zerno", name="Зерно")
            s.add(brand)
            s.commit()
            brand_id = brand.id

        def enrich(batch: Sequence[Enriched]) -> None:
            for item in batch:
                item.brand_matches = {brand_id: []}
                item.sentiment = "negative" if rng.random() < 0.1 else "neutral"
                item.priority = 0.8

        all_posts = posts(n, rng)
        t_ingest = t_desk = 0.0
        for i in range(0, n, PAGE):  # one session per page, as a source poll stores it
            with sessions() as s:
                t0 = time.perf_counter()
                ids = ingest(s, all_posts[i:i + PAGE], enrichers=[enrich]).mention_ids
                t1 = time.perf_counter()
                process_ingested(s, ids)
                s.commit()
                t2 = time.perf_counter()
            t_ingest += t1 - t0
            t_desk += t2 - t1
        with sessions() as s:
            cases = s.query(Case).count()
        print(f"{n} mentions, {cases} cases opened, pages of {PAGE}")
        print(f"ingest: {n / t_ingest:,.0f} mentions/s; desk step: {n / t_desk:,.0f} mentions/s "
              f"({1000 * t_desk / n:.3f} ms per mention)")
        engine.dispose()


if __name__ == "__main__":
    main()
