"""Push latency: from a VK Callback API request to its case decided and its alert handed to the
brand's alert channel, at a steady rate, on SQLite (embedded mode).

The desk runs as `otklik serve` would (uvicorn, one process, the real enrichment chain unless
--no-nlp) over a fresh SQLite store with one brand, its VK wall source and a webhook alert channel
that points at a sink served by this process. Events (negative comments, private messages and
suggested posts about the brand, every author different) are sent open-loop at --rate per second:
each at its own time, whatever the earlier ones are doing. An event is done when the push queue
has committed its batch (mention stored, case opened or not) and handed the batch's alerts to the
channel — with the alert window at 0 s, so "handed" means the sink answered; the desk's default
window (60 s) groups alerts on purpose and would measure the window, not the desk.

    .venv/bin/python bench/push.py [--rate 50] [--seconds 30] [--no-nlp]

Prints request→ok and request→done p50/p95/max, cases, alerts, the CPU time of both processes
and the load average (the machine may be shared: read the figures with them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

KEY = "bench-push-secret-key-0123456789abcdef"
SECRET = "benchcallbacksecret0123456789abc"
GROUP = 100500
WARM_UP = 20
COMPLAINTS = [
    "Зерно, опять холодный латте и час ожидания. Больше не приду 😡",
    "В Зерне на Тверской нахамил бариста, верните деньги за заказ",
    "Зерно списало оплату дважды, поддержка молчит третий день",
    "Кофейня Зерно: грязные столы и сломанная кофемашина, ужас",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(db_url: str, sink_url: str) -> int:
    """A fresh store: the brand, its VK wall source with push secrets, a webhook alert channel."""
    from otklik.actions.brands import create_brand
    from otklik.actions.unit import transaction
    from otklik.db.engine import make_engine, make_sessionmaker
    from otklik.db.migrate import upgrade
    from otklik.db.models import AlertChannel
    from otklik.db.models import Source as SourceRow
    from otklik.db.secrets import seal_credentials

    engine = make_engine(db_url)
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as s:
        brand = create_brand(s, "Зерно", queries=["зерно OR зерне OR зерна"])
        s.add(AlertChannel(brand_id=brand.id, kind="webhook", config={"url": sink_url}))
        row = SourceRow(network="vk", kind="wall", name="Зерно VK", brand_id=brand.id,
                        params={"owner_id": -GROUP, "owned": True, "group_id": GROUP},
                        credentials=seal_credentials({"group_token": "vk1.a.BENCH",
                                                      "callback_secret": SECRET,
                                                      "callback_confirmation": "c0de"}, KEY))
        s.add(row)
        s.flush()
        source_id = row.id
    engine.dispose()
    return source_id


def serve(db_url: str, port: int, done_path: str, no_nlp: bool) -> None:
    """The desk's web process, with a hook that stamps when each event is done."""
    import uvicorn

    from otklik.actions.alert_dispatch import AlertDispatcher
    from otklik.settings import Settings
    from otklik.web import create_app

    out = open(done_path, "a", encoding="utf-8")  # noqa: SIM115  (open for the process's life)
    lock = threading.Lock()

    def done(jobs: Any, outcome: Any) -> None:
        at = time.monotonic()
        with lock:
            out.write("".join(f"{j.key} {at:.6f} {len(jobs)}\n" for j in jobs))
            out.flush()

    app = create_app(Settings(database_url=db_url, secret_key=KEY),
                     enrichers_factory=(lambda _s: [_stub_enricher]) if no_nlp else None)
    app.state.push_dispatcher = AlertDispatcher(window_seconds=0)
    app.state.push_done = done
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _stub_enricher(batch: Any) -> None:
    """--no-nlp: what the chain would say of these texts, without its cost."""
    for item in batch:
        item.brand_matches = {1: []}
        item.sentiment, item.priority = "negative", 0.8


def event(n: int, now: int) -> dict[str, Any]:
    """The n-th event: 8 in 10 comments, 1 a private message, 1 a suggested post."""
    text = f"{COMPLAINTS[n % len(COMPLAINTS)]} (№{n})"
    author = 400_000 + n
    base = {"group_id": GROUP, "event_id": f"bench{n:07d}", "v": "5.199", "secret": SECRET}
    if n % 10 == 8:
        return {**base, "type": "message_new", "object": {"message": {
            "id": 900_000 + n, "date": now, "from_id": author, "peer_id": author, "out": 0,
            "text": text, "conversation_message_id": n, "attachments": []},
            "client_info": {"keyboard": True}}}
    if n % 10 == 9:
        return {**base, "type": "wall_post_new", "object": {
            "id": 50_000 + n, "owner_id": -GROUP, "from_id": author, "created_by": author,
            "date": now, "post_type": "suggest", "text": text}}
    return {**base, "type": "wall_reply_new", "object": {
        "id": 700_000 + n, "from_id": author, "post_id": 1201, "owner_id": -GROUP,
        "post_owner_id": -GROUP, "parents_stack": [], "date": now, "text": text}}


class Sink(BaseHTTPRequestHandler):
    """The brand's alert channel: a webhook that counts what it was handed."""

    received: list[tuple[float, str]] = []

    def do_POST(self) -> None:  # noqa: N802  (http.server's name)
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        Sink.received.append((time.monotonic(), json.loads(body).get("text", "")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return


FAILED: list[str] = []  # requests not answered `ok` (with why)


async def send_all(url: str, first: int, count: int, rate: float) -> dict[str, tuple[float, float]]:
    """Open loop: event i leaves at start + i/rate. Returns event id → (sent, acknowledged) for
    the events answered `ok`; the others are in FAILED."""
    import httpx

    times: dict[str, tuple[float, float]] = {}
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        async def one(i: int, at: float) -> None:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            body = event(first + i, int(time.time()))
            sent = time.monotonic()
            try:
                response = await client.post(url, json=body)
            except httpx.HTTPError as exc:
                FAILED.append(f"{body['event_id']}: {type(exc).__name__}")
                return
            if response.text != "ok":
                FAILED.append(f"{body['event_id']}: {response.status_code}")
                return
            times[body["event_id"]] = (sent, time.monotonic())
        start = time.monotonic() + 0.2
        await asyncio.gather(*(one(i, start + i / rate) for i in range(count)))
    return times


def read_done(path: str) -> dict[str, tuple[float, int]]:
    done: dict[str, tuple[float, int]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        key, at, batch = line.split()
        done[key] = (float(at), int(batch))
    return done


def wait_done(path: str, keys: set[str], timeout: float) -> dict[str, tuple[float, int]]:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        done = read_done(path)
        if keys <= set(done):
            return done
        time.sleep(0.1)
    missing = len(keys - set(read_done(path)))
    raise SystemExit(f"{missing} event(s) not done after {timeout:.0f} s")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to send")
    parser.add_argument("--no-nlp", action="store_true", help="stub enrichment (no models)")
    parser.add_argument("--serve", nargs=3, metavar=("DB", "PORT", "DONE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.serve[2], args.no_nlp)
        return
    sink = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/push.db"
        source_id = prepare(db_url, f"http://127.0.0.1:{sink.server_port}/alerts")
        port, done_path = free_port(), f"{tmp}/done.txt"
        Path(done_path).touch()
        server = subprocess.Popen([sys.executable, __file__, "--serve", db_url, str(port),
                                   done_path, *(["--no-nlp"] if args.no_nlp else [])])
        try:
            run(args, server, port, source_id, done_path, db_url)
        finally:
            server.terminate()
            server.wait(timeout=30)
            sink.shutdown()


def run(args: argparse.Namespace, server: subprocess.Popen[bytes], port: int, source_id: int,
        done_path: str, db_url: str) -> None:
    import httpx

    url = f"http://127.0.0.1:{port}/api/v1/push/vk/{source_id}"
    for _ in range(600):  # the app loads; the models load on the first batch (the warm-up)
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    warm = asyncio.run(send_all(url, 0, WARM_UP, 10))
    wait_done(done_path, set(warm), 300)
    count = int(args.rate * args.seconds)
    load_before, cpu_before = os.getloadavg(), cpu_seconds(server.pid)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    alerts_before = len(Sink.received)
    wall = time.monotonic()
    times = asyncio.run(send_all(url, WARM_UP, count, args.rate))
    done = wait_done(done_path, set(times), 120)
    wall = time.monotonic() - wall
    server_cpu = cpu_seconds(server.pid) - cpu_before
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (self_after.ru_utime - self_before.ru_utime
                  + self_after.ru_stime - self_before.ru_stime)
    ack = [(a - s) * 1000 for s, a in times.values()]
    end = [(done[k][0] - s) * 1000 for k, (s, _) in times.items()]
    batches = [done[k][1] for k in times]
    cases = _cases(db_url)
    print(f"push bench: {count} VK Callback API events at {args.rate:g}/s on SQLite "
          f"({'stub enrichment' if args.no_nlp else 'real enrichment chain'}), "
          f"{wall:.1f} s wall")
    print(f"request → ok:              p50 {pct(ack, 50):7.1f} ms  p95 {pct(ack, 95):7.1f} ms  "
          f"max {max(ack):7.1f} ms")
    print(f"request → case + alert:    p50 {pct(end, 50):7.1f} ms  p95 {pct(end, 95):7.1f} ms  "
          f"max {max(end):7.1f} ms  (goal p95 ≤ 1000 ms)")
    if FAILED:
        print(f"NOT ANSWERED ok: {len(FAILED)} of {count} (first: {FAILED[0]})")
    print(f"batches: median {statistics.median(batches):g} events, max {max(batches)}; "
          f"cases opened {cases}; alert messages to the channel "
          f"{len(Sink.received) - alerts_before}")
    print(f"CPU: desk process {server_cpu:.1f} s = {1000 * server_cpu / count:.1f} ms per event "
          f"({100 * server_cpu / wall:.0f}% of one core; the rate needs "
          f"{100 * server_cpu / count * args.rate:.0f}%), "
          f"this load generator {client_cpu:.1f} s; cores {os.cpu_count()}; load average "
          f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after (1 min)")


def _cases(db_url: str) -> int:
    from sqlalchemy import func, select

    from otklik.db.engine import make_engine, make_sessionmaker
    from otklik.db.models import Case

    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as s:
        n = int(s.scalar(select(func.count()).select_from(Case)) or 0)
    engine.dispose()
    return n


if __name__ == "__main__":
    main()
