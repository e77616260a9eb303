"""Report benchmark: a 30-day PDF and XLSX over a brand with 500,000 mentions on SQLite.

Run: `nice -n 10 .venv/bin/python bench/report.py [--rows 500000] [--db PATH]`
Builds (or reuses, with --db) a store with bulk Core inserts: one brand, its mentions spread
over 30 days with authors, places, sentiment and reach, a complaint case on every 50th mention.
Each format is written by a child process of its own, which prints its wall time and peak
memory (max RSS), so one format's memory does not hide in the other's, and its CPU time, user +
sys (on a shared machine the wall time also counts the others' work: the load average at each
start is printed). The issue's bars: PDF under 10 s, XLSX under 30 s. The store has no
full-text index (reports never search); a reused store is upgraded to the current schema first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).parents[1]))

from otklik.db.engine import make_engine, make_sessionmaker  # noqa: E402
from otklik.db.migrate import upgrade  # noqa: E402
from otklik.db.models import (  # noqa: E402
    Author,
    Brand,
    Case,
    CaseMention,
    Mention,
    MentionBrand,
    Place,
)
from otklik.reports.build import write_report  # noqa: E402
from otklik.reports.figures import window_of  # noqa: E402

WORDS = ("кофе", "холодный", "курьер", "заказ", "опоздал", "спасибо", "вкусно", "ужасно",
         "приложение", "оплата", "карта", "доставка", "бариста", "капучино", "латте", "вернуть")
SENTIMENTS = ("negative", "neutral", "positive", "neutral")
NETWORKS = ("vk", "telegram", "x", "reddit")
BATCH = 20_000
LAST_DAY = date(2026, 11, 30)
DAYS = 30


def build(url: str, rows: int) -> None:
    """`rows` mentions of one brand over the 30 days up to LAST_DAY (Core, not the ORM)."""
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(7)
    end = datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day, tzinfo=UTC) + timedelta(days=1)
    span = DAYS * 86400
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS mentions_fts_ai")
        conn.execute(insert(Brand), [{"slug": "zerno", "name": "Зерно", "created_at": end}])
        conn.execute(insert(Author), [
            {"network": NETWORKS[i % 4], "external_id": f"u{i}", "handle": f"user{i}",
             "name": f"Автор {i}", "first_seen_at": end} for i in range(20_000)])
        conn.execute(insert(Place), [
            {"network": NETWORKS[i % 4], "external_id": f"p{i}", "name": f"Группа {i}",
             "kind": "group", "first_seen_at": end} for i in range(2_000)])
    started = time.perf_counter()
    for start in range(0, rows, BATCH):
        mentions, brands, cases, links = [], [], [], []
        for n in range(start, min(rows, start + BATCH)):
            mid = n + 1
            created = end - timedelta(seconds=span * (rows - n) / rows)
            author_id, place_id = rng.randint(1, 20_000), rng.randint(1, 2_000)
            sentiment = rng.choice(SENTIMENTS)
            network = NETWORKS[author_id % 4]
            mentions.append({
                "id": mid, "network": network, "external_id": f"m{mid}",
                "url": f"https://example.org/{network}/{mid}",
                "text": " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 24))),
                "created_at": created, "author_id": author_id, "place_id": place_id,
                "reach": rng.randint(0, 50_000), "engagement": rng.randint(0, 500),
                "ingested_at": created, "updated_at": created, "sentiment": sentiment,
                "lang": "ru"})
            brands.append({"mention_id": mid, "brand_id": 1, "sentiment": sentiment,
                           "created_at": created, "place_id": place_id, "author_id": author_id})
            if n % 50 == 0:
                case_id = n // 50 + 1
                answered = created + timedelta(minutes=rng.randint(5, 300))
                cases.append({
                    "id": case_id, "brand_id": 1, "state": "answered_publicly",
                    "network": network, "root_mention_id": mid, "author_id": author_id,
                    "first_response_at": answered, "created_at": created,
                    "updated_at": answered,
                    "sla_breached_at": answered if answered - created > timedelta(hours=1)
                    else None})
                links.append({"case_id": case_id, "mention_id": mid, "added_at": created})
        with engine.begin() as conn:
            conn.execute(insert(Mention), mentions)
            conn.execute(insert(MentionBrand), brands)
            conn.execute(insert(Case), cases)
            conn.execute(insert(CaseMention), links)
        done = min(rows, start + BATCH)
        if done % 100_000 == 0 or done == rows:
            rate = done / (time.perf_counter() - started)
            print(f"  built {done:,} mentions ({rate:,.0f}/s)", flush=True)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def child(url: str, fmt: str, out: Path) -> None:
    """Write one report and print {"seconds", "cpu", "max_rss_mb", "mentions", "bytes"} as
    JSON."""
    sessions = make_sessionmaker(make_engine(url))
    window = window_of(LAST_DAY - timedelta(days=DAYS - 1), LAST_DAY)
    start = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = start.ru_utime + start.ru_stime
    t0 = time.perf_counter()
    with sessions() as s:
        written = write_report(s, "zerno", window, out / f"report.{fmt}")
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu0
    print(json.dumps({"seconds": round(seconds, 2), "cpu": round(cpu, 2),
                      "max_rss_mb": round(usage.ru_maxrss / 1024),
                      "mentions": written.mentions,
                      "bytes": (out / f"report.{fmt}").stat().st_size}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--db", help="reuse (or build once) this SQLite file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(f"sqlite:///{args.db}", args.child, Path(args.out))
        return
    work = Path(tempfile.mkdtemp(prefix="otklik-bench-report-"))
    db = Path(args.db) if args.db else work / "report.db"
    url = f"sqlite:///{db}"
    if not db.exists():
        print(f"building {args.rows:,} mentions in {db}")
        build(url, args.rows)
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(MentionBrand))
    engine.dispose()
    print(f"store: {total:,} mentions of the brand over {DAYS} days ({db})")
    bars = {"pdf": 10.0, "xlsx": 30.0, "csv": None}
    for fmt, bar in bars.items():
        load = os.getloadavg()[0]
        done = subprocess.run([sys.executable, __file__, "--db", str(db), "--child", fmt,
                               "--out", str(work)], capture_output=True, text=True)
        if done.returncode:
            print(done.stderr)
            raise SystemExit(f"{fmt}: failed")
        r = json.loads(done.stdout.strip().splitlines()[-1])
        verdict = ""
        if bar is not None:
            wall, cpu = ("met" if r[k] < bar else "NOT met" for k in ("seconds", "cpu"))
            verdict = f" (bar: under {bar:.0f} s; wall {wall}, CPU {cpu})"
        print(f"{fmt:>4}: {r['seconds']:6.2f} s wall, {r['cpu']:.1f} s CPU (user+sys), "
              f"peak memory {r['max_rss_mb']} MB, {r['bytes'] / 1e6:.1f} MB file, "
              f"{r['mentions']:,} mentions, load average {load:.1f} on {os.cpu_count()} "
              f"cores{verdict}")
    shutil.rmtree(work)  # the files (hundreds of MB at a million mentions); a store built
    # without --db goes with them


if __name__ == "__main__":
    main()
