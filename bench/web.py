"""Web desk benchmark: page latency with 1,000,000 mentions in SQLite, ingest API throughput.

Run: `nice -n 10 .venv/bin/python bench/web.py [--rows 1000000] [--db PATH] [--requests 40]`
Builds (or reuses, with --db) a SQLite store of N mentions with bulk Core inserts, serves the app
with uvicorn on 127.0.0.1, signs in like a browser and times the pages over real HTTP; then
POSTs batches to /api/v1/ingest with a Bearer token. Prints p50/p95 per page and mentions/s.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).parents[1]))

from otklik.actions.unit import transaction  # noqa: E402
from otklik.actions.users import create_token, create_user, find_user  # noqa: E402
from otklik.db import ddl  # noqa: E402
from otklik.db.engine import make_engine, make_sessionmaker  # noqa: E402
from otklik.db.migrate import upgrade  # noqa: E402
from otklik.db.models import (  # noqa: E402
    Author,
    Brand,
    DuplicateCluster,
    Mention,
    MentionBrand,
    Place,
    Spike,
)
from otklik.settings import Settings  # noqa: E402
from otklik.web import create_app  # noqa: E402
from otklik.web.api.ingest import skip_case_rules  # noqa: E402
from tests.web.live import serve  # noqa: E402

WORDS = (
    "кофе", "холодный", "курьер", "заказ", "опоздал", "спасибо", "вкусно", "ужасно", "приложение",
    "оплата", "карта", "доставка", "бариста", "капучино", "латте", "деньги", "вернуть", "coffee",
    "order", "late", "refund", "app", "great", "awful", "delivery", "thanks",
)
SENTIMENTS = ("negative", "neutral", "positive", None)
BATCH = 20_000
FRAGMENT = re.compile(r'hx-get="(/overview/top/[^"]+)"')


def build(url: str, rows: int, days: int = 90) -> None:
    """Bulk-insert `rows` mentions spread over the last `days` days (Core, not the ORM)."""
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(7)
    now = datetime.now(UTC).replace(microsecond=0)
    with engine.begin() as conn:
        conn.execute(insert(Brand), [
            {"slug": "zerno", "name": "Зерно", "languages": ["ru"], "working_hours": {},
             "settings": {}, "sla_minutes": 60, "follow_up_days": 2.0,
             "response_limit_minutes": 120, "created_at": now},
            {"slug": "other", "name": "Другой", "languages": ["ru"], "working_hours": {},
             "settings": {}, "sla_minutes": 60, "follow_up_days": 2.0,
             "response_limit_minutes": 120, "created_at": now}])
        conn.execute(insert(Author), [
            {"network": "vk", "external_id": f"u{i}", "handle": f"user{i}", "name": f"Автор {i}",
             "first_seen_at": now} for i in range(20_000)])
        conn.execute(insert(Place), [
            {"network": "vk", "external_id": f"-{i}", "name": f"Группа {i}", "kind": "group",
             "first_seen_at": now} for i in range(2_000)])
        conn.execute(insert(DuplicateCluster), [
            {"exemplar_mention_id": i * 97 + 1, "first_seen_at": now} for i in range(2_000)])
        for i in range(0, 30, 3):
            conn.execute(insert(Spike), {
                "brand_id": 1, "series": "all", "start": now - timedelta(days=i, hours=2),
                "peak": now - timedelta(days=i), "volume": 500, "expected": 300.0,
                "severity": 0.9, "explanation": {"terms": ["холодный", "курьер"]},
                "created_at": now})
    span = days * 86400
    started = time.perf_counter()
    with engine.begin() as conn:  # index the text once at the end, not row by row
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS mentions_fts_ai")
    for start in range(0, rows, BATCH):
        mentions, brands = [], []
        for n in range(start, min(rows, start + BATCH)):
            mid = n + 1
            created = now - timedelta(seconds=span * (rows - n) / rows)
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 24)))
            author_id, place_id = rng.randint(1, 20_000), rng.randint(1, 2_000)
            sentiment = rng.choice(SENTIMENTS)
            mentions.append({
                "id": mid, "network": "vk", "external_id": f"-1_{mid}", "text": text,
                "created_at": created, "author_id": author_id,
                "place_id": place_id, "hashtags": [], "user_mentions": [],
                "raw": {}, "ingested_at": created, "updated_at": created,
                "sentiment": sentiment, "lang": "ru",
                "sentiment_corrected": False, "is_question": False,
                "cluster_id": (mid // 97) + 1 if mid % 97 < 3 and mid // 97 < 2_000 else None,
                "thread_external_id": f"-1_{mid}",
            })
            if n % 10 < 6:
                brands.append({"mention_id": mid, "brand_id": 1 + (n % 10 == 5),
                               "query_ids": [], "sentiment": sentiment, "created_at": created,
                               "place_id": place_id, "author_id": author_id})
        with engine.begin() as conn:
            conn.execute(insert(Mention), mentions)
            conn.execute(insert(MentionBrand), brands)
        done = min(rows, start + BATCH)
        if done % 200_000 == 0 or done == rows:
            rate = done / (time.perf_counter() - started)
            print(f"  built {done:,} mentions ({rate:,.0f}/s)", flush=True)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO mentions_fts(mentions_fts) VALUES ('rebuild')")
        ddl.install(conn)  # puts the insert trigger back
        conn.exec_driver_sql("ANALYZE")
    print(f"  full-text index rebuilt ({time.perf_counter() - started:.0f} s in all)")
    engine.dispose()


def timed(client: httpx.Client, path: str, n: int) -> tuple[list[float], list[float]]:
    """Milliseconds per request of `path`, and of `path` plus the fragments its page loads
    right after (an overview's top places and authors), fetched one after the other."""
    client.get(path).raise_for_status()  # warm
    alone, complete = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(path)
        response.raise_for_status()
        alone.append((time.perf_counter() - t0) * 1000)
        fragments = FRAGMENT.findall(response.text)
        for url in fragments:
            client.get(html.unescape(url)).raise_for_status()
        if fragments:
            complete.append((time.perf_counter() - t0) * 1000)
    return alone, complete


def ingest_rate(api: httpx.Client, batches: int, size: int) -> float:
    """Mentions per second through POST /api/v1/ingest, batch after batch."""
    stamp = time.time_ns()
    now = datetime.now(UTC).isoformat()
    bodies = [{"mentions": [{
        "network": "webhook", "external_id": f"b{stamp}-{b}-{i}",
        "text": " ".join(random.choice(WORDS) for _ in range(15)), "created_at": now,
        "author": {"external_id": f"wa{i % 500}", "handle": f"wa{i % 500}"},
        "place": {"external_id": f"wp{i % 50}", "name": f"Сайт {i % 50}"},
    } for i in range(size)]} for b in range(batches)]
    t0 = time.perf_counter()
    for body in bodies:
        response = api.post("/api/v1/ingest", json=body)
        response.raise_for_status()
        assert response.json()["inserted"] == size
    return batches * size / (time.perf_counter() - t0)


def pipeline_rate(sessions: Any, batches: int, size: int) -> float:
    """The same batches straight into `pipeline.ingest` (no HTTP, no validation, no case rules)."""
    from otklik.domain.posts import Author as PostAuthor
    from otklik.domain.posts import Place as PostPlace
    from otklik.domain.posts import Post
    from otklik.flow.pipeline import ingest

    stamp = time.time_ns()
    now = datetime.now(UTC)
    work = [[Post(network="webhook", external_id=f"p{stamp}-{b}-{i}",
                  text=" ".join(random.choice(WORDS) for _ in range(15)), created_at=now,
                  author=PostAuthor(external_id=f"wa{i % 500}", handle=f"wa{i % 500}"),
                  place=PostPlace(external_id=f"wp{i % 50}", name=f"Сайт {i % 50}"))
             for i in range(size)] for b in range(batches)]
    t0 = time.perf_counter()
    for posts in work:
        with transaction(sessions) as session:
            ingest(session, posts)
    return batches * size / (time.perf_counter() - t0)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", help="reuse this SQLite file (built when missing)")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--ingest-batches", type=int, default=20)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench-web.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        print(f"building {args.rows:,} mentions in {path} …", flush=True)
        build(url, args.rows)
    engine = make_engine(url)
    with engine.connect() as conn:
        indexes = [r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='mentions' "
            "AND sql IS NOT NULL ORDER BY name")]
    print("mentions indexes:", ", ".join(indexes))
    one, five, fifteen = os.getloadavg()
    print(f"load average at start (1, 5, 15 min): {one:.1f} {five:.1f} {fifteen:.1f} "
          f"on {os.cpu_count()} cores")
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        total = session.scalar(select(func.count()).select_from(Mention))
        user = find_user(session, "bench@example.org") or create_user(
            session, "bench@example.org", "bench-password", "admin")
        token = create_token(session, user, "bench").token
        newest = session.scalar(select(func.max(Mention.id)))
    print(f"store: {total:,} mentions")

    settings = Settings(database_url=url, secret_key="bench-secret-key-0123456789")
    app = create_app(settings, engine=engine, enrichers_factory=lambda _s: [])
    state = app.state
    pages = [
        "/overview?days=7",
        "/overview?days=30&brand=1",
        "/overview?days=30",
        "/mentions",
        "/mentions?brand=1&sentiment=negative",
        f"/mentions/rows?after_id={newest}",
        "/mentions?q=холодный AND курьер",
    ]
    with serve(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        login = client.get("/login").text
        csrf = login.split('name="csrf-token" content="')[1].split('"')[0]
        signed = client.post("/login", data={"email": "bench@example.org",
                                             "password": "bench-password", "csrf_token": csrf})
        assert signed.status_code == 303, signed.text[:300]
        print(f"\npage latency over HTTP, {args.requests} requests each (ms); '+ fragments' adds"
              " what the page loads right after it (an overview's top places and authors):")
        print(f"{'page':44s} {'p50':>8s} {'p95':>8s} {'+ fragments p50':>16s} {'p95':>8s}")

        def row(label: str, times: tuple[list[float], list[float]]) -> None:
            alone, complete = times
            extra = f" {pct(complete, 50):16.1f} {pct(complete, 95):8.1f}" if complete else ""
            print(f"{label:44s} {pct(alone, 50):8.1f} {pct(alone, 95):8.1f}{extra}", flush=True)

        state.overview_ttl = 0  # every overview request computes its figures
        for page in pages:
            row(page, timed(client, page, args.requests))
        state.overview_ttl = 60  # the default: figures kept 60 s per (brand, window)
        for page in pages[:2]:
            row(page + " (60 s cache)", timed(client, page, args.requests))

        api = httpx.Client(base_url=base, timeout=120,
                           headers={"Authorization": f"Bearer {token}"})
        for label, hook in (("store + full-text, case rules deferred", skip_case_rules),
                            ("store + full-text + case rules", None)):
            state.after_ingest = hook
            rate = ingest_rate(api, args.ingest_batches, args.batch)
            print(f"\ningest API ({label}, no enrichers): {args.ingest_batches} batches of "
                  f"{args.batch}: {rate:,.0f} mentions/s")
        api.close()
    rate = pipeline_rate(sessions, args.ingest_batches, args.batch)
    print(f"pipeline.ingest in-process (the ceiling for the API, no HTTP): {rate:,.0f} mentions/s")
    one, five, fifteen = os.getloadavg()
    print(f"load average at end (1, 5, 15 min): {one:.1f} {five:.1f} {fifteen:.1f}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
