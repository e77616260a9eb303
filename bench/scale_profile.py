"""Where a worker's time goes: the ingest task of `bench/scale.py`, in this process, profiled.

    .venv/bin/python bench/scale_profile.py [--mentions 2000] [--batch 100] [--sentiment]
        [--storm 0.0] [--top 30] [--sort cumulative] [--no-profile]

Runs `otklik.runtime.tasks.ingest_batch` (what the Celery task calls after decoding the
message) over the same SentiRuEval tweets into a fresh PostgreSQL schema, after one warm-up
batch, and prints:
- CPU-ms per mention of this process and of its PostgreSQL backends (from /proc), split into
  enrichment (the enrichers' own time) and the rest;
- SQL statements per batch, grouped by statement text, with their count and wall time;
- with cProfile on (the default), the functions with the most cumulative time.
`--storm F` makes a fraction F of the posts copies of one text (an attack: one near-duplicate
cluster). Celery's own cost (message decoding, acks) is not in here: see `bench/scale_notes.md`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale import PG_URL, cpu_seconds, mentions, tweets  # noqa: E402

from otklik.db.engine import make_engine, make_sessionmaker  # noqa: E402
from otklik.db.migrate import upgrade  # noqa: E402
from otklik.db.models import Brand, BrandQuery  # noqa: E402
from otklik.domain.payloads import post_from_json  # noqa: E402
from otklik.flow.wiring import Enrichment  # noqa: E402
from otklik.runtime import tasks  # noqa: E402
from otklik.runtime.process import Runtime  # noqa: E402
from otklik.runtime.worker import one_blas_thread  # noqa: E402
from otklik.settings import Settings  # noqa: E402

STORM = ("Мегафон опять обманывает абонентов, списали деньги за подписки которые я не "
         "подключал! Не пользуйтесь мегафоном")


def _shape(sql: str) -> str:
    sql = " ".join(sql[:400].split())
    sql = re.sub(r"VALUES \(.*", "VALUES …", sql)
    sql = re.sub(r"\(%\([^)]*\)s[^()]*\)", "(…)", sql)
    return sql[:110]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--sentiment", action="store_true")
    parser.add_argument("--storm", type=float, default=0.0)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="pstats order, e.g. tottime")
    args = parser.parse_args()

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = f"{PG_URL}?options=-csearch_path%3D{schema}&application_name={schema}"
    try:
        engine = make_engine(url, pool_size=2)
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            for slug, name, query in (("mts", "МТС", "мтс"), ("beeline", "Билайн", "билайн"),
                                      ("megafon", "МегаФон", "мегафон")):
                brand = Brand(slug=slug, name=name, sla_minutes=60, follow_up_days=2.0,
                              languages=["ru"], working_hours={}, settings={})
                session.add(brand)
                session.flush()
                session.add(BrandQuery(brand_id=brand.id, name="main", text=query))
            session.commit()
        engine.dispose()
        run(args, url)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


def run(args: argparse.Namespace, url: str) -> None:
    one_blas_thread()  # as a worker process does
    settings = Settings(database_url=url, db_pool_size=2)
    rt = Runtime.from_settings(settings, enrichment=Enrichment(sentiment=args.sentiment))
    texts = tweets()
    statements: Counter[str] = Counter()
    statement_s: defaultdict[str, float] = defaultdict(float)
    started: dict[int, float] = {}

    @event.listens_for(rt.engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    @event.listens_for(rt.engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        shape = _shape(sql)
        statements[shape] += 1
        statement_s[shape] += time.perf_counter() - started.pop(id(cursor), time.perf_counter())

    def batch(start: int) -> list[Any]:
        rows = mentions(texts, start, args.batch, "p")
        for j, row in enumerate(rows):
            if args.storm and (start + j) % 100 < args.storm * 100:
                row["text"] = f"{STORM} #{start + j}"
        return [post_from_json(m) for m in rows]

    tasks.ingest_batch(rt, batch(10_000_000))  # warm-up: model, imports, index primed
    tasks.ingest_batch(rt, batch(10_000_000 + args.batch))
    statements.clear()
    statement_s.clear()
    enrich_s = 0.0
    each: defaultdict[str, float] = defaultdict(float)  # per enricher, and the chain's set-up
    real = Enrichment.enrichers

    def timed_enrichers(self: Enrichment, session: Any) -> Any:
        nonlocal enrich_s
        t = time.process_time()
        chain = real(self, session)
        enrich_s += time.process_time() - t
        each["set-up (indexes, catch-up)"] += time.process_time() - t

        def wrap(f: Any) -> Any:
            name = getattr(f, "__qualname__", type(f).__name__).split(".")[0]

            def call(items: Any) -> None:
                nonlocal enrich_s
                t0 = time.process_time()
                f(items)
                enrich_s += time.process_time() - t0
                each[name] += time.process_time() - t0
            return call
        return [wrap(f) for f in chain]

    Enrichment.enrichers = timed_enrichers  # type: ignore[method-assign]
    backends = _pool_backends(rt)
    pg0 = cpu_seconds(backends)
    profile = None if args.no_profile else cProfile.Profile()
    n_batches = args.mentions // args.batch
    cpu0, t0 = time.process_time(), time.perf_counter()
    if profile:
        profile.enable()
    for i in range(n_batches):
        tasks.ingest_batch(rt, batch(i * args.batch))
    if profile:
        profile.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    pg = cpu_seconds(sorted(set(backends) | set(_pool_backends(rt)))) - pg0
    m = n_batches * args.batch
    Enrichment.enrichers = real  # type: ignore[method-assign]
    load = os.getloadavg()[0]
    print(f"{m} mentions in batches of {args.batch} (storm {args.storm:.0%}, sentiment "
          f"{'on' if args.sentiment else 'off'}{', cProfile on' if profile else ''}), "
          f"load {load:.1f}: wall {wall:.1f} s")
    print(f"  process CPU {1000 * cpu / m:.2f} ms/mention (enrichers {1000 * enrich_s / m:.2f}, "
          f"the rest {1000 * (cpu - enrich_s) / m:.2f}); PostgreSQL backends "
          f"{1000 * pg / m:.2f} ms/mention; total {1000 * (cpu + pg) / m:.2f}")
    print("  enrichers: " + ", ".join(f"{name} {1000 * v / m:.3f}" for name, v in
                                      sorted(each.items(), key=lambda kv: -kv[1])))
    print(f"  SQL: {sum(statements.values()) / n_batches:.1f} statements per batch, "
          f"{1000 * sum(statement_s.values()) / m:.2f} ms/mention waiting on them")
    for shape, n in statements.most_common(25):
        print(f"  {n / n_batches:7.2f}/batch {1000 * statement_s[shape] / m:6.3f} ms/m  {shape}")
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
    rt.engine.dispose()


def _pool_backends(rt: Runtime) -> list[int]:
    with rt.engine.connect() as conn:
        return [int(p) for p in conn.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE application_name = "
            "current_setting('application_name')")).scalars()]


if __name__ == "__main__":
    main()
