"""Distributed-mode throughput and latency: real `otklik worker` processes, a Redis broker of our
own, PostgreSQL (a fresh schema), real Russian tweets about telecom brands (SentiRuEval-2015).

    .venv/bin/python bench/scale.py [--mentions 3000] [--batch 100] [--sentiment] [--storm 0.8]

1. Capacity: M mentions queued at once as batches (what the ingest API enqueues), with 1 and
   then 2 worker processes (`--pool=solo`, one process each); wall time from the first enqueue
   until every mention is committed, enriched, with its case decision. Also the CPU seconds the
   workers and PostgreSQL spent (from /proc), since the machine is shared and loaded.
2. Latency: small batches at half the 2-worker capacity for `--seconds`; per mention, time from
   enqueue to being visible in the store (the same transaction opens its case; the new-case alert
   is submitted right after the commit). Polled every 10 ms.
Prints the figures and a capacity plan.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from otklik.actions.unit import transaction  # noqa: E402
from otklik.db.engine import make_engine, make_sessionmaker  # noqa: E402
from otklik.db.migrate import upgrade  # noqa: E402
from otklik.db.models import Brand, BrandQuery  # noqa: E402
from otklik.domain.payloads import post_from_json  # noqa: E402
from otklik.flow.pipeline import ingest  # noqa: E402
from otklik.runtime.worker import enqueue_ingest, make_app  # noqa: E402
from otklik.settings import Settings  # noqa: E402

PG_URL = os.environ.get("OTKLIK_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATA = Path("/work/shared/data/sentiment/sentirueval2015_telecoms_train.csv")
# other tweets (about banks) for the store's history before measuring: not copies of the
# measured ones, so they neither join their clusters nor open their cases
HISTORY = Path("/work/shared/data/sentiment/sentirueval2015_banks_train.csv")
OTKLIK = str(ROOT / ".venv" / "bin" / "otklik")
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tweets(path: Path = DATA) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [row["text"] for row in csv.DictReader(f)]


# --storm: an information attack, copies of one complaint with a number changed (one cluster)
STORM = ("Мегафон опять обманывает абонентов, списали деньги за подписки которые я не "
         "подключал! Не пользуйтесь мегафоном")
storm_share = 0.0


def mentions(texts: list[str], start: int, n: int, tag: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC).isoformat()
    out = []
    for i in range(start, start + n):
        text_ = texts[i % len(texts)]
        if storm_share and i % 100 < storm_share * 100:
            text_ = f"{STORM} #{i}"
        out.append({"network": "x", "external_id": f"{tag}-{i}",
                    "text": text_, "created_at": now,
                    "author": {"external_id": str(10_000 + i % 5000), "handle": f"u{i % 5000}"}})
    return out


def cpu_seconds(pids: list[int]) -> float:
    """utime+stime of these processes and their children (from /proc)."""
    total = 0
    for pid in pids:
        for p in [pid, *_children(pid)]:
            try:
                fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError):
                pass
    return total / TICKS


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(k) for k in kids]


APP_NAME = "otklik_bench_scale"  # marks the workers' PostgreSQL backends (others share it)


class Backends:
    """CPU of the PostgreSQL backends serving our workers, and how often they wait on a lock."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.samples = self.locked = self.active = 0
        self.stop = threading.Event()
        self.seen: dict[int, float] = {}
        self.waits: Counter[str] = Counter()

    def pids(self) -> list[int]:
        with self.engine.connect() as conn:
            return [int(p) for p in conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = :a"), {"a": APP_NAME})
                .scalars()]

    def cpu(self) -> float:
        for pid in self.pids():
            self.seen[pid] = cpu_seconds([pid])
        return sum(self.seen.values())

    def sample(self) -> None:
        with self.engine.connect() as conn:
            while not self.stop.is_set():
                rows = conn.execute(text(
                    "SELECT state, wait_event_type, left(query, 70) FROM pg_stat_activity "
                    "WHERE application_name = :a"), {"a": APP_NAME}).all()
                conn.commit()
                self.samples += 1
                self.active += sum(1 for st, _, _ in rows if st == "active")
                self.locked += sum(1 for _, w, _ in rows if w == "Lock")
                self.waits.update(" ".join(q.split()) for _, w, q in rows if w == "Lock")
                time.sleep(0.02)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="otklik-scale-"))
        self.schema = f"bench_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {self.schema}")
        own = f"{PG_URL}?options=-csearch_path%3D{self.schema}"
        self.url = f"{own}&application_name={APP_NAME}"  # the workers'
        self.engine = make_engine(own, pool_size=2)
        upgrade(self.engine)
        sessions = make_sessionmaker(self.engine)
        with sessions() as session:
            for slug, name, query in (("mts", "МТС", "мтс"), ("beeline", "Билайн", "билайн"),
                                      ("megafon", "МегаФон", "мегафон")):
                brand = Brand(slug=slug, name=name, sla_minutes=60, follow_up_days=2.0,
                              languages=["ru"], working_hours={}, settings={})
                session.add(brand)
                session.flush()
                session.add(BrandQuery(brand_id=brand.id, name="main", text=query))
            session.commit()
        self.analyze_ms = self.history(args.history) if args.history else 0.0
        with self.engine.connect() as conn:  # the history's mentions are not counted
            self.base_id = int(conn.execute(text("SELECT max(id) FROM mentions")).scalar() or 0)
        self.port = free_port()
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--dir", str(self.tmp)], stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        self.broker = f"redis://127.0.0.1:{self.port}/0"
        self.queue = "bench"
        self.app = make_app(Settings(broker_url=self.broker), queue=self.queue)
        self.workers: list[subprocess.Popen[bytes]] = []
        self.texts = tweets()
        self.sent = 0

    def history(self, n: int) -> float:
        """A store in service, not a new one: `n` earlier mentions stored (embedded pipeline,
        no enrichment) and analyzed. On a new store the planner's first statistics are taken
        when a table passes 5,000 changed rows (`refresh_planner_stats`), then each time it has
        doubled: a one-time cost that would otherwise land inside whichever run crosses it.
        Returns the ms that ANALYZE took, printed beside the figures."""
        posts = [post_from_json(m) for m in mentions(tweets(HISTORY), 0, n, "history")]
        sessions = make_sessionmaker(self.engine)
        for i in range(0, n, 1000):
            with transaction(sessions) as session:
                ingest(session, posts[i:i + 1000])
        t0 = time.perf_counter()
        with self.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        return 1000 * (time.perf_counter() - t0)

    def count(self) -> int:
        """Mentions stored since the history (an index range: polled every 50 ms, it must not
        take the workers' CPU)."""
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM mentions WHERE id > :b"),
                                    {"b": self.base_id}).scalar() or 0)

    def start_workers(self, n: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTKLIK_")}
        env.update(OTKLIK_DATABASE_URL=self.url, OTKLIK_BROKER_URL=self.broker)
        flag = "--sentiment" if self.args.sentiment else "--no-sentiment"
        while len(self.workers) < n:
            log = (self.tmp / f"worker-{len(self.workers)}.log").open("wb")
            self.workers.append(subprocess.Popen(
                [OTKLIK, "worker", "--pool=solo", f"--queue={self.queue}", flag,
                 "--loglevel=INFO"], env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True))
        # warm-up (imports, models, duplicate index primed): until every worker finished a task
        while True:
            self.push(self.args.batch * n)
            self.wait(self.sent)
            logs = [(self.tmp / f"worker-{i}.log").read_text(errors="replace") for i in range(n)]
            if all("succeeded" in log for log in logs):
                return

    def push(self, n: int) -> None:
        size = self.args.batch
        for start in range(self.sent, self.sent + n, size):
            enqueue_ingest(self.app, mentions(self.texts, start, min(size, self.sent + n - start),
                                              "m"))
        self.sent += n

    def wait(self, target: int, timeout: float = 1800) -> None:
        deadline = time.monotonic() + timeout
        while self.count() < target:
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out: {self.count()} of {target} stored")
            with self.engine.connect() as conn:
                dead = conn.execute(text("SELECT error FROM dead_letters LIMIT 1")).scalar()
            if dead:
                raise SystemExit(f"a batch failed on the worker: {dead[:300]}")
            time.sleep(0.05)

    def capacity(self, n_workers: int) -> dict[str, float]:
        self.start_workers(n_workers)
        pids = [w.pid for w in self.workers]
        backends = Backends(self.engine)
        cpu0, pg0 = cpu_seconds(pids), backends.cpu()
        sampler = threading.Thread(target=backends.sample)
        sampler.start()
        before, t0 = self.sent, time.perf_counter()
        self.push(self.args.mentions)
        self.wait(before + self.args.mentions)
        wall = time.perf_counter() - t0
        backends.stop.set()
        sampler.join()
        cpu, pg = cpu_seconds(pids) - cpu0, backends.cpu() - pg0
        m = self.args.mentions
        return {"workers": n_workers, "wall_s": wall, "rate": m / wall, "worker_cpu_s": cpu,
                "pg_cpu_s": pg, "per_worker_cpu_s": m / cpu if cpu else 0.0,
                "cpu_ms_per_mention": 1000 * (cpu + pg) / m,
                "busy": backends.active / max(1, backends.samples),
                "lock_wait": backends.locked / max(1, backends.samples),
                "waits": backends.waits.most_common(2)}

    def latency(self, rate: float, seconds: float) -> list[float]:
        """Batches of `--latency-batch` at `rate` mentions/s; per-mention enqueue→visible."""
        size = self.args.latency_batch
        interval = size / rate
        sent_at: dict[str, float] = {}
        seen: dict[str, float] = {}
        stop = threading.Event()
        give_up = float("inf")

        def watch() -> None:
            # by external id, not "id > last": two workers commit their ids out of order
            with self.engine.connect() as conn:
                while not stop.is_set() or (len(seen) < len(sent_at)
                                            and time.perf_counter() < give_up):
                    pending = [k for k in list(sent_at) if k not in seen]
                    rows = conn.execute(text("SELECT external_id FROM mentions WHERE network = 'x'"
                                             " AND external_id = ANY(:p)"), {"p": pending}).all()
                    conn.commit()
                    now = time.perf_counter()
                    for (ext,) in rows:
                        seen.setdefault(ext, now)
                    time.sleep(0.01)

        watcher = threading.Thread(target=watch)
        watcher.start()
        start, i = time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            batch = mentions(self.texts, 100_000 + i * size, size, "lat")
            t = time.perf_counter()
            for m in batch:
                sent_at[m["external_id"]] = t
            enqueue_ingest(self.app, batch)
            i += 1
            time.sleep(max(0.0, start + i * interval - time.perf_counter()))
        give_up = time.perf_counter() + 300
        stop.set()
        watcher.join()
        if len(seen) < len(sent_at):
            print(f"warning: {len(sent_at) - len(seen)} mentions not stored within 300 s")
        return sorted(seen[k] - sent_at[k] for k in seen)

    def close(self) -> None:
        for w in self.workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
        for w in self.workers:
            w.wait(timeout=30)
        self.redis.terminate()
        self.engine.dispose()
        shutil.rmtree(self.tmp, ignore_errors=True)
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {self.schema} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--latency-batch", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--sentiment", action="store_true",
                        help="run the sentiment model (needs otklik/nlp/models/sentiment.joblib)")
    parser.add_argument("--history", type=int, default=20_000,
                        help="mentions stored (and analyzed) before measuring; 0: a new store")
    parser.add_argument("--storm", type=float, default=0.0,
                        help="share of posts that are near-copies of one text (an attack)")
    args = parser.parse_args()
    global storm_share
    storm_share = args.storm
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} at start; "
          f"sentiment model {'on' if args.sentiment else 'OFF'}; batches of {args.batch}"
          + (f"; near-duplicate storm: {args.storm:.0%} of posts copy one text"
             if args.storm else ""))
    bench = Bench(args)
    if args.history:
        print(f"store in service: {args.history} earlier mentions, ANALYZE of all tables "
              f"{bench.analyze_ms:.0f} ms (repeated when a table has doubled)")
    try:
        one = bench.capacity(1)
        two = bench.capacity(2)
        for r in (one, two):
            print(f"{r['workers']} worker(s): {r['rate']:.0f} mentions/s wall "
                  f"({args.mentions} in {r['wall_s']:.1f} s); worker CPU {r['worker_cpu_s']:.1f} s "
                  f"= {r['per_worker_cpu_s']:.0f} mentions per worker-CPU-second; PostgreSQL CPU "
                  f"{r['pg_cpu_s']:.1f} s; {r['cpu_ms_per_mention']:.2f} CPU-ms per mention "
                  f"(workers + PostgreSQL); PostgreSQL backends: {r['busy']:.2f} running a "
                  f"query on average, {r['lock_wait']:.2f} waiting for a row lock")
            for query, n in r["waits"]:  # type: ignore[attr-defined]
                print(f"    waiting ({n} samples): {query}")
        eff = two["rate"] / (2 * one["rate"])
        one_cpu = one["per_worker_cpu_s"]
        cpu_eff = two["per_worker_cpu_s"] / one_cpu if one_cpu else 0.0
        print(f"second worker efficiency: {eff:.2f} of linear by wall clock; per-CPU-second "
              f"cost ratio {cpu_eff:.2f} (1.00 = the second worker costs no extra CPU per mention)")
        rate = two["rate"] / 2
        lat = bench.latency(rate, args.seconds)
        p50, p95 = statistics.median(lat), lat[int(0.95 * (len(lat) - 1))]
        print(f"latency at {rate:.0f} mentions/s (half of 2-worker capacity), batches of "
              f"{args.latency_batch}, {len(lat)} mentions: p50 {p50 * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms")
        with bench.engine.connect() as conn:
            biggest = conn.execute(text(
                "SELECT count(*) FROM mentions WHERE cluster_id IS NOT NULL "
                "GROUP BY cluster_id ORDER BY 1 DESC LIMIT 1")).scalar()
        print(f"largest near-duplicate cluster: {biggest or 0} of {bench.sent} mentions stored")
        load = os.getloadavg()
        print(f"load average at the end: {load[0]:.1f}")
        cpu_ms = two["cpu_ms_per_mention"]
        for target in (1000, 10000):
            cores = target * cpu_ms / 1000
            print(f"plan {target} mentions/s: ~{cores:.0f} busy cores at {cpu_ms:.2f} CPU-ms per "
                  f"mention → {int(cores / 0.6) + 1} cores provisioned at 60% utilisation")
    finally:
        bench.close()


if __name__ == "__main__":
    main()
