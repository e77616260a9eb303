"""Distributed mode: the task functions of `otklik.runtime.tasks` on Celery workers.

Delivery is at least once: a task is acknowledged only after it ran (`acks_late`) and goes back
to the queue when its worker dies (`task_reject_on_worker_lost`), so every task is idempotent:
- a batch is upserted by (network, external_id), so a replay stores nothing twice;
- a send holds a per-action lock (PostgreSQL advisory lock, freed when its connection dies) and
  asks the network before resending an action left in `sending` (`check_network`);
- a poll holds a per-source lock and re-checks that the source is due.
A task that keeps failing is retried with exponential backoff, then kept as a `DeadLetter`.

Each worker process builds its own `Runtime` lazily (after the fork: no engine shared across
processes). The app is built from settings, never at import time: `make_app(settings)`.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import Celery, Task, signals
from kombu import Queue
from sqlalchemy import select, text

from otklik.actions.dead_letters import keep_dead_letters
from otklik.actions.send import SendRefused
from otklik.db.models import Source as SourceRow
from otklik.domain.payloads import post_from_json
from otklik.runtime import tasks
from otklik.runtime.process import Runtime
from otklik.settings import Settings

log = logging.getLogger("otklik.runtime.worker")

DEFAULT_QUEUE = "otklik"
MAX_RETRIES = 5
BACKOFF_MAX = 600  # seconds: 1, 2, 4, … capped, with jitter
POLL_DUE_EVERY = 10.0  # seconds between beat's look at which sources are due
NOT_RETRIED = (SendRefused, LookupError, ValueError, TypeError)  # bad input: no use retrying


def make_app(settings: Settings, *, queue: str = DEFAULT_QUEUE,
             visibility_timeout: float = 3600.0,
             runtime_factory: Callable[[Settings], Runtime] = Runtime.from_settings) -> Celery:
    """The Celery app for these settings. `queue` isolates installations (and tests) sharing a
    broker; `visibility_timeout` (Redis) is how long an unacknowledged task waits before it is
    handed to another worker — longer than the slowest task, or it runs twice (harmlessly)."""
    if not settings.broker_url:
        raise ValueError("distributed mode needs OTKLIK_BROKER_URL (redis://… or amqp://…)")
    app = Celery("otklik", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json", accept_content=["json"],
        task_default_queue=queue,
        task_queues=[Queue(queue, durable=True)],
        task_default_delivery_mode="persistent",
        worker_prefetch_multiplier=1,  # a dying worker takes at most one task with it
        broker_connection_retry_on_startup=True,
        # Redis: look for tasks of dead workers at every restore tick (10 s), not one tick in ten
        # (kombu's default throttle): a scan that came a moment too early must not delay the
        # redelivery by a hundred seconds. It is one ZRANGE on the unacked index.
        broker_transport_options={"visibility_timeout": visibility_timeout,
                                  "unacked_restore_throttle": 1,
                                  "confirm_publish": True},
        worker_hijack_root_logger=False,
        beat_schedule=beat_schedule(),
    )
    holder = _RuntimeHolder(settings, runtime_factory)
    app.otklik_runtime = holder  # type: ignore[attr-defined]
    _register_tasks(app, holder)
    signals.worker_process_init.connect(holder.on_process_init, weak=False)
    signals.worker_process_shutdown.connect(holder.on_process_shutdown, weak=False)
    return app


class _RuntimeHolder:
    """One `Runtime` per worker process, made on first use (or right after the fork)."""

    def __init__(self, settings: Settings, factory: Callable[[Settings], Runtime]) -> None:
        self.settings = settings
        self.factory = factory
        self._rt: Runtime | None = None

    def get(self) -> Runtime:
        if self._rt is None:
            one_blas_thread()
            self._rt = self.factory(self.settings)
        return self._rt

    def on_process_init(self, **_: Any) -> None:
        self._rt = None  # never reuse a parent's pooled connections in a forked child
        self.get()

    def on_process_shutdown(self, **_: Any) -> None:
        rt, self._rt = self._rt, None
        if rt is not None:  # held alerts wait in the store for the next flush, by any process
            rt.engine.dispose()


def one_blas_thread() -> None:
    """Numerical libraries (OpenBLAS, OpenMP) run one thread in a worker process (and in the
    embedded server, which enriches next to serving the pages).

    A worker process is the unit of parallelism: the machine's cores are shared by worker
    processes, PostgreSQL and the broker. With a BLAS thread per core, the sentiment model's
    small matrix products (the embedding heads) spent most of their CPU spinning while the other
    thread waited for a core: 1.24 CPU-ms a text with two threads on a busy two-core machine,
    0.42 with one (bench/scale_notes.md). The libraries already loaded are limited now; those
    loaded later (scikit-learn's OpenMP) read the environment."""
    from threadpoolctl import threadpool_limits

    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    threadpool_limits(1)


class OtklikTask(Task):  # type: ignore[misc]
    """Bounded retries with backoff; a task that still fails becomes a dead letter."""

    autoretry_for = (Exception,)
    dont_autoretry_for = NOT_RETRIED
    max_retries = MAX_RETRIES
    retry_backoff = True
    retry_backoff_max = BACKOFF_MAX
    retry_jitter = True
    acks_late = True
    reject_on_worker_lost = True
    holder: _RuntimeHolder

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any,
                   einfo: Any) -> None:
        try:
            keep_dead_letters(
                self.holder.get().sessions, self.name,
                [{"args": list(args or ()), "kwargs": dict(kwargs or {}), "task_id": task_id}],
                f"{type(exc).__name__}: {exc}", int(self.request.retries or 0) + 1)
        except Exception:  # the store itself is down: the log is all that is left
            log.exception("could not record dead letter for %s %s", self.name, task_id)


def _register_tasks(app: Celery, holder: _RuntimeHolder) -> None:
    """The tasks, by stable names ("otklik.<function>"), each a thin call into
    `otklik.runtime.tasks`."""
    base = type("BoundTask", (OtklikTask,), {"holder": holder})

    def task(name: str) -> Callable[[Callable[..., Any]], Any]:
        return app.task(name=f"otklik.{name}", base=base, bind=True, shared=False)  # type: ignore[no-any-return]

    @task("ingest_batch")
    def ingest_batch(self: Task, mentions: list[dict[str, Any]], actor: str = "api") -> Any:
        posts = [post_from_json(m) for m in mentions]  # the ingest API's own format
        return _after(holder, tasks.ingest_batch(holder.get(), posts, actor=actor))

    @task("send_action")
    def send_action(self: Task, action_id: int, actor: str = "system") -> Any:
        rt = holder.get()
        with exclusive(rt, f"action:{action_id}") as mine:
            if not mine:  # another worker is sending it right now: nothing to do here
                return "busy"
            try:
                return _after(holder, tasks.send_action(rt, action_id, actor=actor,
                                                        check_network=True))
            except SendRefused as exc:
                log.info("action %d not sent: %s", action_id, exc)
                return "refused"

    @task("poll_source")
    def poll_source(self: Task, source_id: int, only_if_due: bool = False) -> Any:
        rt = holder.get()
        with exclusive(rt, f"source:{source_id}") as mine:
            if not mine or (only_if_due and source_id not in due_sources(rt)):
                return "skipped"
            return _after(holder, tasks.poll_source(rt, source_id))

    @task("poll_due")
    def poll_due(self: Task) -> list[int]:
        due = due_sources(holder.get())
        for source_id in due:
            poll_source.delay(source_id, only_if_due=True)
        return due

    @task("detect")
    def detect(self: Task, brand_id: int) -> Any:
        return _after(holder, tasks.detect(holder.get(), brand_id))

    for name, (function, _seconds) in tasks.PERIODIC.items():
        def periodic(self: Task, _f: Callable[..., Any] = function) -> Any:
            return _after(holder, _f(holder.get()))
        periodic.__name__ = name
        task(name)(periodic)


def _after(holder: _RuntimeHolder, result: Any) -> Any:
    """Send the alerts whose channel's window has passed (one query when none are held)."""
    rt = holder.get()
    with rt.sessions() as session:
        rt.dispatcher.flush(session)
    return result


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Celery beat's schedule: the shared periodic table plus the look at due sources (the
    sources' own intervals live in the store, so new sources need no beat restart)."""
    schedule = {name: {"task": f"otklik.{name}", "schedule": seconds}
                for name, (_f, seconds) in tasks.PERIODIC.items()}
    schedule["poll_due"] = {"task": "otklik.poll_due", "schedule": POLL_DUE_EVERY}
    return schedule


def due_sources(rt: Runtime, now: datetime | None = None) -> list[int]:
    """Enabled sources whose interval has passed since their last poll."""
    now = now or datetime.now(UTC)
    with rt.sessions() as session:
        rows = session.execute(select(SourceRow.id, SourceRow.interval_seconds,
                                      SourceRow.last_polled_at)
                               .where(SourceRow.enabled.is_(True)).order_by(SourceRow.id)).all()
    due = []
    for source_id, interval, last in rows:
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        if last is None or now - last >= timedelta(seconds=interval):
            due.append(source_id)
    return due


@contextmanager
def exclusive(rt: Runtime, key: str) -> Iterator[bool]:
    """Yield True when this process alone holds `key` (a PostgreSQL session advisory lock on a
    connection of its own: if the process dies, the server frees it). SQLite: always True
    (one process). The connection is in autocommit: a lock changes no state of the app."""
    if rt.engine.dialect.name != "postgresql":
        yield True
        return
    lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    with rt.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_id}).scalar())
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_id})


@functools.lru_cache(maxsize=8)
def _producer(broker_url: str, queue: str) -> Celery:
    return make_app(Settings(broker_url=broker_url), queue=queue)


def producer(settings: Settings, queue: str = DEFAULT_QUEUE) -> Celery:
    """A Celery app for sending tasks from a web or CLI process, one per broker (cached: its
    connection pool is reused across requests)."""
    if not settings.broker_url:
        raise ValueError("no OTKLIK_BROKER_URL: embedded mode works in-process")
    return _producer(settings.broker_url, queue)


def enqueue_ingest(app: Celery | Settings, mentions: Sequence[dict[str, Any]], *,
                   actor: str = "api") -> str:
    """Queue a batch in the ingest API's JSON format (`domain.payloads`); returns the task id.
    The web app: `enqueue_ingest(settings, body.model_dump(mode="json")["mentions"], actor=…)`."""
    sender = producer(app) if isinstance(app, Settings) else app
    result = sender.send_task("otklik.ingest_batch", args=[list(mentions)],
                              kwargs={"actor": actor})
    return str(result.id)


def enqueue_send(app: Celery, action_id: int, *, actor: str = "system") -> str:
    result = app.send_task("otklik.send_action", args=[action_id], kwargs={"actor": actor})
    return str(result.id)

