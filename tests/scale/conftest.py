"""Real brokers, real worker processes, a fake VK API: the distributed mode under test.

- `redis_broker`: a redis-server of the test's own (free port, append-only file fsynced on every
  write, no RDB), which the test may kill and start again; never the machine's shared one.
- `rabbit_url`: the machine's RabbitMQ; each test uses a queue name of its own.
- `Workers`: `otklik worker --pool=solo` subprocesses on an isolated PostgreSQL schema; killed
  with SIGKILL when a test wants a crash.
- `FakeVK`: the VK methods the desk uses, with state (comments and messages it accepted), served
  by pytest-httpserver; a send can be made to hang so a worker can be killed in the middle of it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.waiting import PATIENCE, wait_for

ROOT = Path(__file__).parents[2]
OTKLIK = str(ROOT / ".venv" / "bin" / "otklik")
RABBIT_URL = os.environ.get("OTKLIK_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisBroker:
    """A redis-server of our own: AOF with fsync always, so a SIGKILL loses no acknowledged
    write; `restart()` kills it and starts it again on the same port and data."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._up, "redis-server")

    def _up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def restart(self) -> None:
        self.kill()
        self.start()

    def queue_length(self, queue: str) -> int:
        import redis

        client = redis.Redis(port=self.port)
        try:
            return int(client.llen(queue))
        finally:
            client.close()


@pytest.fixture
def redis_broker(tmp_path: Path) -> Iterator[RedisBroker]:
    broker = RedisBroker(tmp_path)
    broker.start()
    try:
        yield broker
    finally:
        broker.kill()


RABBIT_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"


class RabbitNode:
    """A RabbitMQ node of our own (own name, ports, data dir, Erlang cookie), never the machine's
    shared one; `restart()` SIGKILLs it and boots it again on the same data: a durable queue's
    persistent, confirmed messages must still be there."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "rabbit"
        self.dir.mkdir()
        self.port, self.dist_port = free_port(), free_port()
        self.name = f"otk{uuid.uuid4().hex[:8]}@localhost"
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\nloopback_users = none\n")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self) -> None:
        d = self.dir
        env = {**os.environ, "HOME": str(d), "RABBITMQ_NODENAME": self.name,
               "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
               "RABBITMQ_MNESIA_BASE": str(d / "mnesia"), "RABBITMQ_LOG_BASE": str(d / "log"),
               "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "enabled_plugins"),
               "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq"), "RABBITMQ_PID_FILE": str(d / "pid")}
        log = (d / "server.log").open("ab")
        self.proc = subprocess.Popen([RABBIT_SERVER], env=env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self._up, "the RabbitMQ node")

    def _up(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError((self.dir / "server.log").read_text(errors="replace")[-2000:])
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return "completed with" in (self.dir / "server.log").read_text(errors="replace")
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the script, erl and beam.smp together
            self.proc.wait()
            self.proc = None
            wait_for(lambda: not self._listening(), "the node to go")

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def restart(self) -> None:
        self.kill()
        self.start()


@pytest.fixture
def rabbit_node(tmp_path: Path) -> Iterator[RabbitNode]:
    if not Path(RABBIT_SERVER).exists():
        pytest.skip("rabbitmq-server is not installed")
    node = RabbitNode(tmp_path)
    node.start()
    try:
        yield node
    finally:
        node.kill()


class Workers:
    """`otklik worker` processes for one test (each in its own process group)."""

    def __init__(self, env: dict[str, str], queue: str, logdir: Path) -> None:
        self.env = env
        self.queue = queue
        self.logdir = logdir
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, *extra: str) -> subprocess.Popen[bytes]:
        log = (self.logdir / f"worker-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            [OTKLIK, "worker", "--pool=solo", f"--queue={self.queue}", "--no-sentiment",
             "--visibility-timeout=4", "--loglevel=INFO", *extra],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def kill9(self, proc: subprocess.Popen[bytes]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logdir.glob("*.log")))

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=PATIENCE)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def worker_env(database_url: str, broker_url: str, vk_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTKLIK_")}
    env.update(OTKLIK_DATABASE_URL=database_url, OTKLIK_BROKER_URL=broker_url,
               OTKLIK_VK_API_URL=vk_url, PYTHONUNBUFFERED="1")
    return env


@pytest.fixture
def queue_name() -> str:
    return f"otklik-test-{uuid.uuid4().hex[:10]}"


class FakeVK:
    """The VK methods the desk calls, with memory: what was posted is there to read back.

    `createComment`/`messages.send` count every request they receive (`calls`), so a test sees
    a second network call even where real VK would drop it by `guid`/`random_id`.
    `hang_next_send` makes the next send record its effect and then not answer until released.
    """

    GROUP = 100500

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.comments: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.calls: dict[str, int] = {}
        self.hang_next_send = False
        self.hanging = threading.Event()
        self.release = threading.Event()

    def install(self, server: HTTPServer) -> None:
        for method in ("wall.createComment", "messages.send", "wall.getComments",
                       "messages.getHistory"):
            server.expect_request(f"/method/{method}", method="POST").respond_with_handler(
                lambda request, m=method: self.handle(m, request))

    def handle(self, method: str, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        with self.lock:
            self.calls[method] = self.calls.get(method, 0) + 1
            hang = method in ("wall.createComment", "messages.send") and self.hang_next_send
            if hang:
                self.hang_next_send = False
            response = getattr(self, method.replace(".", "_"))(form)
        if hang:  # the network has done it; the answer never reaches the (killed) worker
            self.hanging.set()
            self.release.wait(PATIENCE)
        return Response(json.dumps(response), content_type="application/json")

    def wall_createComment(self, form: dict[str, str]) -> dict[str, Any]:  # noqa: N802
        cid = 9500 + len(self.comments)
        self.comments.append({"id": cid, "from_id": -int(form["from_group"]),
                              "date": int(time.time()), "text": form["message"],
                              "post_id": int(form["post_id"]), "guid": form.get("guid")})
        return {"response": {"comment_id": cid}}

    def messages_send(self, form: dict[str, str]) -> dict[str, Any]:
        mid = 48000 + len(self.messages)
        self.messages.append({"id": mid, "out": 1, "peer_id": int(form["user_id"]),
                              "random_id": int(form["random_id"]), "text": form["message"],
                              "date": int(time.time())})
        return {"response": mid}

    def wall_getComments(self, form: dict[str, str]) -> dict[str, Any]:  # noqa: N802
        items = [c for c in self.comments if c["post_id"] == int(form["post_id"])]
        return {"response": {"count": len(items), "items": list(reversed(items)),
                             "current_level_count": len(items)}}

    def messages_getHistory(self, form: dict[str, str]) -> dict[str, Any]:  # noqa: N802
        items = [m for m in self.messages if m["peer_id"] == int(form["user_id"])]
        return {"response": {"count": len(items), "items": list(reversed(items))}}


@pytest.fixture
def fake_vk() -> Iterator[tuple[FakeVK, HTTPServer]]:
    server = HTTPServer(threaded=True)
    server.start()
    fake = FakeVK()
    fake.install(server)
    try:
        yield fake, server
    finally:
        fake.release.set()
        server.clear()
        if server.is_running():
            server.stop()


def drop_queue(app: Any, queue: str) -> None:
    """Leave nothing on a shared broker: delete the test's queue, close the app."""
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    finally:
        app.close()
