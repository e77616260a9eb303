"""Load: signed-in people browse the desk while the ingest API takes a steady stream of mentions.

    .venv/bin/python bench/load.py [--users 50] [--rate 500] [--seconds 120] [--batch 100]
                                   [--ingest-users 5] [--db PATH]

Builds a fresh demo store (`otklik init`, `otklik demo`; or reuses `--db`), serves it with
`otklik serve` on a free loopback port (the embedded mode: SQLite, in-process scheduler and
enrichment), takes an API token with `otklik token create admin@demo.otklik`, then runs Locust
headless for `--seconds`:

- `--users` people sign in at /login as the demo admin and visit, 1-4 s apart, the overview (with
  the two fragments it loads), the mentions page (with one of its live polls), the inbox and a
  case page;
- `--ingest-users` clients POST batches of `--batch` mentions to /api/v1/ingest on a fixed
  schedule adding up to `--rate` mentions/s (open loop: a late batch goes at once, it is not
  skipped). Texts are real Russian tweets (SentiRuEval-2015 telecoms), a fifth of them addressed
  to a demo brand, so matching, sentiment and the case rules run as they would.

Prints p50/p95/p99 per page, the error count, the achieved ingest rate and the ingest lag: the
time from a batch's scheduled send to the API's answer, which comes after the commit (so the
mentions are stored and visible to every reader). Also the load average before and after, as the
machine may be shared. Nothing here leaves loopback.
"""

from __future__ import annotations  # noqa: I001 (locust first: it patches the standard library)

import locust  # noqa: F401

import argparse
import itertools
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gevent
import gevent.event
import httpx
from locust import HttpUser, between, task
from locust.exception import StopUser
from locust.env import Environment

from desk_texts import desk_texts

ROOT = Path(__file__).parents[1]
OTKLIK = str(ROOT / ".venv" / "bin" / "otklik")
ADMIN = ("admin@demo.otklik", "otklik-demo")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEWEST = re.compile(r'after_id=(\d+)')


class Plan:
    """What the users share: the server, the token, the case ids, texts, results of ingest."""

    host = ""
    token = ""
    case_ids: list[int] = []
    texts: list[str] = []
    rate = 500.0
    batch = 100
    ingest_users = 5
    run = secrets.token_hex(3)
    lags: list[float] = []
    stored = 0
    due_batches = 0
    sent_batches = 0
    signed_in = 0
    done = False  # set when the run's time is up: each user finishes what it is doing, then stops
    go = gevent.event.Event()  # set once every desk user has signed in: the clock starts


class DeskUser(HttpUser):
    """A person at the desk: signs in once, then goes from page to page."""

    wait_time = between(1, 4)

    def on_start(self) -> None:
        page = self.client.get("/login", name="/login")
        found = CSRF.search(page.text)
        with self.client.post("/login", name="/login (POST)", catch_response=True, data={
                "email": ADMIN[0], "password": ADMIN[1], "next": "/overview",
                "csrf_token": found.group(1) if found else ""}) as answer:
            if answer.status_code != 200 or 'name="password"' in answer.text:
                answer.failure(f"sign-in failed: {answer.status_code}")
        Plan.signed_in += 1

    def _get(self, path: str, name: str) -> Any:
        if Plan.done:
            raise StopUser()
        with self.client.get(path, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")
            elif 'name="password"' in answer.text:
                answer.failure("signed out")
            return answer

    @task(3)
    def overview(self) -> None:
        self._get("/overview", "/overview")
        self._get("/overview/top/places", "/overview/top/[what]")
        self._get("/overview/top/authors", "/overview/top/[what]")

    @task(3)
    def mentions(self) -> None:
        page = self._get("/mentions", "/mentions")
        newest = NEWEST.search(page.text or "")
        if newest:
            self._get(f"/mentions/rows?after_id={newest.group(1)}", "/mentions/rows (live)")

    @task(2)
    def inbox(self) -> None:
        self._get("/inbox", "/inbox")

    @task(2)
    def case(self) -> None:
        if Plan.case_ids:
            self._get(f"/cases/{random.choice(Plan.case_ids)}", "/cases/[id]")


class IngestUser(HttpUser):
    """A system POSTing mentions on a schedule; its share of the rate, whatever the answers."""

    wait_time = between(0, 0)
    numbers = itertools.count()

    def on_start(self) -> None:
        self.me = next(self.numbers)
        self.interval = Plan.batch * Plan.ingest_users / Plan.rate
        Plan.go.wait()
        self.next_due = time.monotonic() + self.interval * self.me / Plan.ingest_users
        self.seq = itertools.count()
        self.rng = random.Random(self.me)

    def _mention(self) -> dict[str, Any]:
        n = next(self.seq)
        author = self.rng.randrange(5000)
        return {"network": "webhook", "external_id": f"load-{Plan.run}-{self.me}-{n}",
                "text": self.rng.choice(Plan.texts),
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "author": {"external_id": f"a{author}", "handle": f"reader{author}"},
                "place": {"external_id": f"site{author % 50}", "name": f"Форум {author % 50}"}}

    @task
    def post_batch(self) -> None:
        due = self.next_due
        wait = due - time.monotonic()
        if wait > 0:
            gevent.sleep(wait)
        if Plan.done:
            raise StopUser()
        self.next_due += self.interval
        body = {"mentions": [self._mention() for _ in range(Plan.batch)]}
        Plan.sent_batches += 1
        with self.client.post("/api/v1/ingest", json=body, name="/api/v1/ingest",
                              headers={"Authorization": f"Bearer {Plan.token}"},
                              catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")
                return
            Plan.lags.append(time.monotonic() - due)
            Plan.stored += int(answer.json()["inserted"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _otklik(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([OTKLIK, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"otklik {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([OTKLIK, "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"otklik serve ended:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        gevent.sleep(0.5)
    proc.kill()
    raise SystemExit("otklik serve did not become ready")


def _warm_up() -> None:
    """One batch before the clock starts: the first loads the sentiment model and reads recent
    mentions into the near-duplicate index, which a running desk has done long before."""
    body = {"mentions": [{"network": "webhook", "external_id": f"warm-{Plan.run}-{i}",
                          "text": text, "created_at": datetime.now(UTC).isoformat()}
                         for i, text in enumerate(Plan.texts[:Plan.batch])]}
    answer = httpx.post(f"{Plan.host}/api/v1/ingest", json=body, timeout=300,
                        headers={"Authorization": f"Bearer {Plan.token}"})
    answer.raise_for_status()


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def _report(env: Environment, seconds: float, before: str, after: str) -> int:
    print(f"\nload average (1/5/15 min) before: {before}; after: {after}; cores: {os.cpu_count()}")
    print(f"{'page':<24}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    errors = 0
    for (name, _), entry in sorted(env.stats.entries.items()):
        errors += entry.num_failures
        if not entry.num_requests:  # the sign-ins, before the clock started
            continue
        print(f"{name:<24}{entry.num_requests:>9}{entry.num_failures:>8}"
              f"{entry.get_response_time_percentile(0.5):>9.0f}"
              f"{entry.get_response_time_percentile(0.95):>9.0f}"
              f"{entry.get_response_time_percentile(0.99):>9.0f}")
    for error in env.stats.errors.values():
        print(f"  error: {error.method} {error.name}: {error.error} ×{error.occurrences}")
    due = int(seconds * Plan.rate / Plan.batch)
    print(f"errors: {errors}")
    print(f"ingest: {Plan.stored} mentions stored in {seconds:.0f} s = "
          f"{Plan.stored / seconds:.0f}/s (target {Plan.rate:.0f}/s; batches due {due}, "
          f"sent {Plan.sent_batches}, answered {len(Plan.lags)})")
    if Plan.lags:
        print(f"ingest lag (scheduled send → stored): p50 {_pct(Plan.lags, 50):.2f} s, "
              f"p95 {_pct(Plan.lags, 95):.2f} s, p99 {_pct(Plan.lags, 99):.2f} s, "
              f"max {max(Plan.lags):.2f} s")
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=500.0, help="mentions/s to the ingest API")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--ingest-users", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--db", type=Path, help="reuse this demo store (built if missing)")
    args = parser.parse_args()
    Plan.rate, Plan.batch, Plan.ingest_users = args.rate, args.batch, args.ingest_users
    Plan.texts = desk_texts()

    work = Path(tempfile.mkdtemp(prefix="otklik-load-"))
    db = args.db or work / "otklik.db"
    env = {**os.environ, "OTKLIK_DATABASE_URL": f"sqlite:///{db}",
           "OTKLIK_SECRET_KEY": secrets.token_urlsafe(32)}
    if not db.exists():
        print("building the demo store …", flush=True)
        _otklik(env, "init")
        _otklik(env, "demo")
    Plan.token = _otklik(env, "token", "create", ADMIN[0]).strip().splitlines()[-1]
    port = _free_port()
    Plan.host = f"http://127.0.0.1:{port}"
    server = _serve(env, port, work / "serve.log")
    try:
        cases = httpx.get(f"{Plan.host}/api/v1/cases?limit=200", timeout=30,
                          headers={"Authorization": f"Bearer {Plan.token}"}).json()
        Plan.case_ids = [c["id"] for c in cases["items"]]
        _warm_up()
        DeskUser.fixed_count, IngestUser.fixed_count = args.users, args.ingest_users
        environment = Environment(user_classes=[DeskUser, IngestUser], host=Plan.host)
        runner = environment.create_local_runner()
        before = _load()
        print(f"{args.users} desk users, {args.rate:.0f} mentions/s in batches of {args.batch} "
              f"by {args.ingest_users} clients, {args.seconds:.0f} s; load average {before}",
              flush=True)
        runner.start(args.users + args.ingest_users, spawn_rate=5)  # sign-ins are slow by design
        deadline = time.monotonic() + 600
        while Plan.signed_in < args.users and time.monotonic() < deadline:
            gevent.sleep(0.5)
        environment.stats.reset_all()  # what is measured starts with everyone signed in
        Plan.go.set()
        started = time.monotonic()
        gevent.sleep(args.seconds)
        Plan.done = True  # requests under way are answered and counted, none is cut off
        while runner.user_count and time.monotonic() < started + args.seconds + 300:
            gevent.sleep(0.2)
        runner.quit()
        errors = _report(environment, time.monotonic() - started, before, _load())
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:  # requests still queued when the run stopped
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)  # a reused --db lives elsewhere
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
