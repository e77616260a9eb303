"""The desk's read queries on a big PostgreSQL mentions table: plans and timings, and whether
partitioning by month would pay.

    .venv/bin/python bench/scale_pg.py [--rows 1000000] [--months 12]

Builds a fresh schema with the real migration, fills `mentions` (+ `mention_brands`, `cases`)
with generated rows spread over `--months` months (SQL generate_series: fast, no Python per row),
ANALYZEs, then runs the queries the pages run — compiled from the web's own read functions
(`otklik.web.data`, `otklik.web.casework`) — under EXPLAIN (ANALYZE, BUFFERS) and prints each
plan's top line and execution time. The schema is dropped at the end.
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

from sqlalchemy import create_engine, select, text
from sqlalchemy.dialects import postgresql

sys.path.insert(0, str(Path(__file__).parents[1]))

from otklik.db.engine import make_engine, make_sessionmaker  # noqa: E402
from otklik.db.migrate import upgrade  # noqa: E402
from otklik.db.models import Brand, Case, Mention  # noqa: E402
from otklik.domain.cases import OPEN_STATES  # noqa: E402
from otklik.web.data import MentionFilter, _filtered, _window  # noqa: E402

PG_URL = os.environ.get("OTKLIK_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

FILL = """
INSERT INTO mentions (id, network, external_id, text, created_at, hashtags, user_mentions, raw,
                      ingested_at, updated_at, sentiment, lang, sentiment_corrected, is_question,
                      priority, cluster_id)
SELECT g, 'vk', 'p' || g, 'text ' || g,
       now() - make_interval(secs => ({rows} - g)::float8 * {span} / {rows}), '[]', '[]', '{{}}',
       now(), now(), (ARRAY['negative','neutral','positive'])[1 + g % 3], 'ru', false,
       g % 7 = 0, (g % 100) / 100.0, NULL
FROM generate_series(1, {rows}) g;
INSERT INTO mention_brands (mention_id, brand_id, query_ids)
SELECT g, CASE WHEN g % 50 = 0 THEN 3 WHEN g % 2 = 0 THEN 1 ELSE 2 END, '[]'
FROM generate_series(1, {rows}) g;
INSERT INTO cases (brand_id, state, root_mention_id, priority, tags, notes, network,
                   thread_key, opened_by, created_at, updated_at)
SELECT 1 + g % 3, CASE WHEN g % 10 = 0 THEN 'new' ELSE 'closed' END, g * 3, 0.5, '[]', '[]',
       'vk', 'vk:p' || g, 'system', now(), now()
FROM generate_series(1, {cases}) g;
ANALYZE;
"""


def sql_of(stmt: Any) -> str:
    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def queries(now: datetime) -> dict[str, str]:
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    stream = _filtered(select(Mention), MentionFilter(brand_id=1)).order_by(Mention.id.desc())
    rare = _filtered(select(Mention), MentionFilter(brand_id=3)).order_by(Mention.id.desc())
    neg = _filtered(select(Mention), MentionFilter(brand_id=1, sentiment="negative"))
    overview = _window(1, month, now).with_only_columns(
        text("to_char(date_trunc('day', mentions.created_at), 'YYYY-MM-DD') AS t"),
        Mention.sentiment, text("count(*) AS n")).group_by(text("1"), Mention.sentiment)
    week_all = _window(None, week, now).with_only_columns(text("count(*)"))
    inbox = select(Case).where(Case.state.in_(OPEN_STATES), Case.brand_id == 1).limit(2000)
    return {
        "stream, big brand (50 newest)": sql_of(stream.limit(51)),
        "stream, rare brand (2%)": sql_of(rare.limit(51)),
        "stream, brand + negative": sql_of(neg.order_by(Mention.id.desc()).limit(51)),
        "overview: 30 days by day × sentiment": sql_of(overview),
        "overview: all brands, 7 days count": sql_of(week_all),
        "inbox: open cases of a brand": sql_of(inbox),
    }


def explain(conn: Any, sql: str) -> tuple[str, float]:
    rows = [r[0] for r in conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))]
    took = next(float(r.split(":")[1].split()[0]) for r in rows if r.startswith("Execution Time"))
    nodes = [r.strip() for r in rows if "->" in r or r is rows[0]]
    return " | ".join(n.split("  (")[0] for n in nodes[:4]), took


# indexes tried for the slow overview query (none is in the schema; see the report)
CANDIDATES = (
    "CREATE INDEX ix_try_mb_brand_mention ON mention_brands (brand_id, mention_id)",
    "CREATE INDEX ix_try_mentions_created_cover ON mentions (created_at) INCLUDE (id, sentiment)",
)


DENORMALISED = (
    "ALTER TABLE mention_brands ADD COLUMN created_at timestamptz",
    "UPDATE mention_brands mb SET created_at = m.created_at FROM mentions m "
    "WHERE m.id = mb.mention_id",
    "CREATE INDEX ix_try_mb_brand_created ON mention_brands (brand_id, created_at) "
    "INCLUDE (sentiment)",
)


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
    parser.add_argument("--candidates", action="store_true",
                        help="then add candidate indexes one by one and time the overview again")
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
        size = 0
        with engine.connect() as conn:
            size = int(conn.execute(text("SELECT pg_total_relation_size('mentions')")).scalar()
                       or 0)
        print(f"{args.rows} mentions over {args.months} months filled in "
              f"{time.perf_counter() - t0:.0f} s; mentions table + indexes {size / 2**20:.0f} MiB")
        now = datetime.now(UTC)
        run_all(engine, queries(now))
        for ddl in CANDIDATES if args.candidates else ():
            with engine.begin() as conn:
                conn.exec_driver_sql(ddl)
                conn.exec_driver_sql("ANALYZE")
            print(f"-- with {ddl}")
            run_all(engine, {k: v for k, v in queries(now).items() if "overview" in k})
        if args.candidates:  # the schema change that would make it cheap (not applied)
            with engine.begin() as conn:
                for ddl in DENORMALISED:
                    conn.exec_driver_sql(ddl)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE mention_brands")  # index-only scans
            since = (now - timedelta(days=30)).isoformat()
            print("-- with mention_brands.created_at + index (brand_id, created_at) "
                  "INCLUDE (sentiment)")
            run_all(engine, {"overview: 30 days by day × sentiment (from mention_brands)": (
                "SELECT to_char(date_trunc('day', created_at), 'YYYY-MM-DD') AS t, sentiment, "
                f"count(*) FROM mention_brands WHERE brand_id = 1 AND created_at >= '{since}' "
                "GROUP BY 1, 2")})
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
