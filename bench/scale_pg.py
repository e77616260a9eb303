"""The desk's read queries on a big PostgreSQL mentions table: plans and timings, and whether
partitioning by month would pay.

    .venv/bin/python bench/scale_pg.py [--rows 1000000] [--months 12]

Builds a fresh schema with the real migration, fills `mentions` (+ `mention_brands`, `cases`)
with generated rows spread over `--months` months (SQL generate_series: fast, no Python per row),
VACUUM ANALYZEs (index-only scans need the visibility map), then runs the queries
the pages run — compiled from the web's own read functions
(`otklik.figures.overview`, `otklik.web.casework`) — under EXPLAIN (ANALYZE, BUFFERS) and prints
each plan's top line and execution time. The schema is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.dialects import postgresql

sys.path.insert(0, str(Path(__file__).parents[1]))

from otklik.db.engine import make_engine, make_sessionmaker  # noqa: E402
from otklik.db.migrate import upgrade  # noqa: E402
from otklik.db.models import Brand, Case, Mention, MentionBrand  # noqa: E402
from otklik.domain.cases import OPEN_STATES  # noqa: E402
from otklik.figures.overview import MentionFilter, _filtered, _window  # noqa: E402

PG_URL = os.environ.get("OTKLIK_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

FILL = """
INSERT INTO authors (id, network, external_id, first_seen_at)
SELECT g, 'vk', 'u' || g, now() FROM generate_series(1, 20000) g;
INSERT INTO places (id, network, external_id, kind, first_seen_at)
SELECT g, 'vk', '-' || g, 'group', now() FROM generate_series(1, 2000) g;
INSERT INTO mentions (id, network, external_id, text, created_at, hashtags, user_mentions, raw,
                      ingested_at, updated_at, sentiment, lang, sentiment_corrected, is_question,
                      priority, cluster_id, author_id, place_id)
SELECT g, 'vk', 'p' || g, 'text ' || g,
       now() - make_interval(secs => ({rows} - g)::float8 * {span} / {rows}), '[]', '[]', '{{}}',
       now(), now(), (ARRAY['negative','neutral','positive'])[1 + g % 3], 'ru', false,
       g % 7 = 0, (g % 100) / 100.0, NULL, 1 + (g::bigint * 7919) % 20000,
       1 + (g::bigint * 104729) % 2000
FROM generate_series(1, {rows}) g;
INSERT INTO mention_brands (mention_id, brand_id, query_ids, sentiment, created_at, place_id,
                            author_id)
SELECT id, CASE WHEN id % 50 = 0 THEN 3 WHEN id % 2 = 0 THEN 1 ELSE 2 END, '[]', sentiment,
       created_at, place_id, author_id
FROM mentions;
INSERT INTO cases (brand_id, state, root_mention_id, priority, tags, notes, network,
                   thread_key, opened_by, created_at, updated_at)
SELECT 1 + g % 3, CASE WHEN g % 10 = 0 THEN 'new' ELSE 'closed' END, g * 3, 0.5, '[]', '[]',
       'vk', 'vk:p' || g, 'system', now(), now()
FROM generate_series(1, {cases}) g;
"""


def sql_of(stmt: Any) -> str:
    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def queries(now: datetime) -> dict[str, str]:
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    stream = _filtered(select(Mention), MentionFilter(brand_id=1)).order_by(Mention.id.desc())
    rare = _filtered(select(Mention), MentionFilter(brand_id=3)).order_by(Mention.id.desc())
    neg = _filtered(select(Mention), MentionFilter(brand_id=1, sentiment="negative"))
    day = func.to_char(func.date_trunc("day", MentionBrand.created_at), "YYYY-MM-DD")
    overview = (select(day, func.count(), func.count().filter(MentionBrand.sentiment == "negative"))
                .where(*_window(MentionBrand, 1, month, now)).group_by(day))
    top_authors = (select(MentionBrand.author_id, func.count())
                   .where(*_window(MentionBrand, 1, month, now),
                          MentionBrand.author_id.is_not(None))
                   .group_by(MentionBrand.author_id).order_by(func.count().desc()).limit(10))
    week_all = select(func.count()).where(*_window(Mention, None, week, now))
    inbox = select(Case).where(Case.state.in_(OPEN_STATES), Case.brand_id == 1).limit(2000)
    return {
        "stream, big brand (50 newest)": sql_of(stream.limit(51)),
        "stream, rare brand (2%)": sql_of(rare.limit(51)),
        "stream, brand + negative": sql_of(neg.order_by(Mention.id.desc()).limit(51)),
        "overview: brand, 30 days by day with negatives": sql_of(overview),
        "overview: brand, 30 days top authors": sql_of(top_authors),
        "overview: all brands, 7 days count": sql_of(week_all),
        "inbox: open cases of a brand": sql_of(inbox),
    }


def explain(conn: Any, sql: str) -> tuple[str, float]:
    rows = [r[0] for r in conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))]
    took = next(float(r.split(":")[1].split()[0]) for r in rows if r.startswith("Execution Time"))
    nodes = [r.strip() for r in rows if "->" in r or r is rows[0]]
    return " | ".join(n.split("  (")[0] for n in nodes[:4]), took


def run_all(engine: Any, named: dict[str, str]) -> None:
    with engine.connect() as conn:
        for name, sql in named.items():
            explain(conn, sql)  # warm the cache: the desk's pages run hot
            plan, ms = explain(conn, sql)
            print(f"{ms:8.1f} ms  {name}\n           {plan[:230]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    schema = f"bench_pg_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}", pool_size=1)
    try:
        upgrade(engine)
        with make_sessionmaker(engine)() as session:  # brands 1, 2, 3
            session.add_all([Brand(slug=f"b{i}", name=f"Brand {i}", sla_minutes=60,
                                   follow_up_days=2.0, languages=["ru"], working_hours={},
                                   settings={}) for i in (1, 2, 3)])
            session.commit()
        t0 = time.perf_counter()
        with engine.begin() as conn:  # psycopg directly: no parameters, '%' is modulo
            conn.connection.driver_connection.execute(  # type: ignore[union-attr]
                FILL.format(rows=args.rows, span=args.months * 30 * 86400, cases=args.rows // 30))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        size = 0
        with engine.connect() as conn:
            size = int(conn.execute(text("SELECT pg_total_relation_size('mentions')")).scalar()
                       or 0)
        print(f"{args.rows} mentions over {args.months} months filled in "
              f"{time.perf_counter() - t0:.0f} s; mentions table + indexes {size / 2**20:.0f} MiB")
        now = datetime.now(UTC)
        run_all(engine, queries(now))
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
