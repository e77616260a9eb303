"""Mentions/s stored by the pipeline (no enrichment) into SQLite and PostgreSQL, and peak memory.

Each case runs in a fresh process so peak RSS belongs to that case alone. Usage:
    .venv/bin/python bench/ingest.py [--sizes 1000 100000] [--stores sqlite postgresql]
        [--pg URL] [--gc-freeze]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 1000


def synthetic_posts(start: int, n: int):  # type: ignore[no-untyped-def]
    from otklik.domain.posts import Author, Place, Post

    base = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(start, start + n):
        yield Post(
            network="vk", external_id=f"-1_{i}",
            text=f"Зерно, заказ {i} ждала 20 минут, кофе холодный #зерно @zerno_coffee",
            created_at=base + timedelta(seconds=i), url=f"https://vk.com/wall-1_{i}",
            author=Author(external_id=f"u{i % 5000}", handle=f"user{i % 5000}",
                          name="Ольга Петрова", followers=i % 1000),
            place=Place(external_id=f"-{i % 50}", name=f"group {i % 50}", kind="group"),
            reach=i % 1000, raw={"id": i, "owner_id": -1},
        )


def run_case(url: str, total: int, gc_freeze: bool = False) -> dict[str, float]:
    from otklik.actions.unit import transaction
    from otklik.db.engine import make_engine, make_sessionmaker
    from otklik.db.migrate import upgrade
    from otklik.flow.pipeline import ingest

    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    if gc_freeze:  # what a long-lived worker may do after start-up: GC skips those objects
        gc.collect()
        gc.freeze()
    stored = 0
    wall = cpu = 0.0  # the pipeline alone: ingest + commit, not building the synthetic posts
    started, cpu_started = time.perf_counter(), time.process_time()
    for start in range(0, total, BATCH):
        posts = list(synthetic_posts(start, min(BATCH, total - start)))
        t0, c0 = time.perf_counter(), time.process_time()
        with transaction(sessions) as session:
            stored += ingest(session, posts).inserted
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
    cpu_all = time.process_time() - cpu_started
    assert stored == total
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mentions": total, "seconds": wall, "per_second": total / wall,
            "per_cpu_second": total / cpu, "per_cpu_second_all": total / cpu_all,
            "seconds_all": time.perf_counter() - started, "peak_rss_mib": peak_mib}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=PG_URL)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--stores", nargs="+", choices=("sqlite", "postgresql"),
                        default=["sqlite", "postgresql"])
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() after start-up, as a long-lived worker may")
    parser.add_argument("--case", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case[0], int(args.case[1]), args.gc_freeze)))
        return
    print(f"pipeline ingest, no enrichment, batches of {BATCH}, one process per case"
          + (", gc.freeze() after start-up" if args.gc_freeze else ""))
    print("seconds, mentions/s (wall) and per CPU-s: ingest + commit only; 'all CPU-s' also counts")
    print("building the synthetic posts. CPU = this process (robust to a busy machine; for")
    print("PostgreSQL the server's own CPU is not in it)")
    print(f"{'store':<12}{'mentions':>10}{'seconds':>9}{'mentions/s':>12}{'per CPU-s':>11}"
          f"{'all CPU-s':>11}{'peak MiB':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.stores:
            for total in args.sizes:
                if name == "sqlite":
                    url = f"sqlite:///{tmp}/bench-{total}.db"
                else:
                    schema = f"bench_{uuid.uuid4().hex[:8]}"
                    url = _pg_schema(args.pg, schema)
                command = [sys.executable, __file__, "--case", url, str(total)]
                try:
                    out = subprocess.run(command + (["--gc-freeze"] if args.gc_freeze else []),
                                         check=True, capture_output=True, text=True).stdout
                finally:
                    if name == "postgresql":
                        _drop_schema(args.pg, schema)
                r = json.loads(out)
                print(f"{name:<12}{total:>10,}{r['seconds']:>9.2f}{r['per_second']:>12,.0f}"
                      f"{r['per_cpu_second']:>11,.0f}{r['per_cpu_second_all']:>11,.0f}"
                      f"{r['peak_rss_mib']:>10.0f}")


def _pg_schema(url: str, schema: str) -> str:
    from sqlalchemy import create_engine

    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    return f"{url}?options=-csearch_path%3D{schema}"


def _drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine

    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
