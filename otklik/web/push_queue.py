"""The web process's side of pushed events: which source a push URL names (and its secrets),
the event ids already taken, and — in embedded mode — one thread that stores the events.

A network wants its answer fast (VK retries an event it did not get `ok` for within seconds), so
the request only checks and queues; `PushQueue` then stores what arrived meanwhile as one batch
(one transaction, one enrichment call), runs the case rules and hands the alerts to their
channels. A batch that keeps failing is kept as a dead letter in the ingest task's format, so
`otklik deadletters` shows it and a worker can replay it; nothing pushed is silently lost.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from otklik.actions.alert_dispatch import AlertDispatcher
from otklik.actions.push import PushOutcome, apply_push
from otklik.actions.unit import transaction
from otklik.db.models import DeadLetter
from otklik.db.models import Source as SourceRow
from otklik.db.secrets import CannotOpen, open_credentials
from otklik.domain.enrichment import Enricher
from otklik.domain.posts import Post

log = logging.getLogger("otklik.push")
BATCH = 200  # events stored per transaction at most
ATTEMPTS = 3
CONFIG_TTL = 10.0  # seconds a source's push settings are trusted before they are read again
SEEN = 20_000  # event ids remembered per process
SHUTDOWN_WAIT = 30.0  # seconds an exiting process waits for acknowledged events to be stored
ENRICHERS_TTL = 5.0  # seconds a chain is reused: new brand queries apply within them


@dataclass(frozen=True, slots=True)
class PushTarget:
    """What a push URL's source says about its pushes (secrets opened from its credentials)."""

    source_id: int
    network: str
    group_id: int | None
    secret: str | None
    confirmation: str | None


def load_target(session: Session, source_id: int, secret_key: str) -> PushTarget | None:
    row = session.get(SourceRow, source_id)
    if row is None or not row.enabled:
        return None
    try:
        creds = open_credentials(row.credentials, secret_key)
    except CannotOpen:
        creds = {}
    params = row.params or {}
    group = params.get("group_id") or abs(int(params.get("owner_id") or 0)) or None
    secret = creds.get("callback_secret") if row.network == "vk" else creds.get("webhook_secret")
    return PushTarget(row.id, row.network, int(group) if group else None,
                      str(secret) if secret else None,
                      str(creds["callback_confirmation"]) if creds.get("callback_confirmation")
                      else None)


@dataclass
class PushJob:
    """One event's work; `received` is when its request arrived (monotonic clock)."""

    network: str
    source_id: int
    key: str
    posts: list[Post] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    received: float = field(default_factory=time.monotonic)

    def as_task_args(self) -> dict[str, Any]:
        """The ingest task's arguments (`otklik.ingest_batch`), for a dead letter."""
        mentions = [mention_json(p) for p in self.posts]
        return {"args": [mentions], "kwargs": {"actor": f"push:{self.network}:{self.source_id}"},
                "removed": self.removed, "restored": self.restored, "event": self.key}


def mention_json(post: Post) -> dict[str, Any]:
    """A Post in the ingest API's JSON format (`domain.payloads.post_from_json` reads it)."""
    data = asdict(post)
    lat, lon = data.pop("lat"), data.pop("lon")
    data.pop("user_mentions", None)
    data["geo"] = {"lat": lat, "lon": lon} if lat is not None and lon is not None else None
    for key in ("created_at", "edited_at"):
        if data.get(key) is not None:
            data[key] = data[key].isoformat()
    if data.get("author") and data["author"].get("created_at") is not None:
        data["author"]["created_at"] = data["author"]["created_at"].isoformat()
    return data


class SeenEvents:
    """Event ids already taken (bounded, oldest forgotten first): a network's retry of an event
    we acknowledged is answered `ok` and not queued again. The store is idempotent too, so a
    retry that reaches another process stores nothing twice."""

    def __init__(self, size: int = SEEN) -> None:
        self._ids: OrderedDict[tuple[str, int, str], None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def first_time(self, network: str, source_id: int, event_id: str) -> bool:
        key = (network, source_id, event_id)
        with self._lock:
            if key in self._ids:
                return False
            self._ids[key] = None
            if len(self._ids) > self._size:
                self._ids.popitem(last=False)
            return True

    def forget(self, network: str, source_id: int, event_id: str) -> None:
        with self._lock:
            self._ids.pop((network, source_id, event_id), None)


Done = Callable[[Sequence[PushJob], PushOutcome], None]


class PushQueue:
    """Embedded mode: one daemon thread stores queued events in batches, in arrival order."""

    def __init__(self, sessions: sessionmaker[Session],
                 enrichers: Callable[[Session], Sequence[Enricher]],
                 dispatcher: AlertDispatcher, *, on_done: Done | None = None) -> None:
        self.sessions = sessions
        self.enrichers_factory = enrichers
        self.dispatcher = dispatcher
        self.on_done = on_done
        self._queue: queue.Queue[PushJob] = queue.Queue()
        self._chain: tuple[float, list[Enricher]] | None = None
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, job: PushJob) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="otklik-push",
                                                daemon=True)
                self._thread.start()
                atexit.register(self.finish, SHUTDOWN_WAIT)
        self._queue.put(job)

    def drain(self) -> None:
        """Wait until every queued event is stored (tests, the benchmark)."""
        self._queue.join()

    def finish(self, timeout: float) -> None:
        """At exit: the network was told `ok`, so store what is queued (up to `timeout` s)."""
        ends = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < ends:
            time.sleep(0.05)
        if self._queue.unfinished_tasks:
            log.error("push: %d acknowledged event(s) not stored at exit (a VK wall's "
                      "comments come back with its next poll; the rest are lost)",
                      self._queue.unfinished_tasks)

    def _run(self) -> None:
        while True:
            jobs = [self._queue.get()]
            while len(jobs) < BATCH:
                try:
                    jobs.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._store(jobs)
            finally:
                for _ in jobs:
                    self._queue.task_done()

    def _store(self, jobs: Sequence[PushJob]) -> None:
        for attempt in range(ATTEMPTS):
            try:
                outcome = self._apply(jobs)
            except Exception as exc:
                log.warning("push: storing %d event(s) failed (%s: %s)", len(jobs),
                            type(exc).__name__, exc)
                if attempt + 1 < ATTEMPTS:
                    time.sleep(0.5 * 2 ** attempt)
                    continue
                self._dead_letters(jobs, exc)
                return
            if self.on_done is not None:
                self.on_done(jobs, outcome)
            return

    def _apply(self, jobs: Sequence[PushJob]) -> PushOutcome:
        total = PushOutcome()
        with transaction(self.sessions) as session:
            enrichers = self._enrichers(session)
            groups: dict[tuple[str, int], list[PushJob]] = {}
            for job in jobs:
                groups.setdefault((job.network, job.source_id), []).append(job)
            for (network, source_id), group in groups.items():
                out = apply_push(
                    session, network, [p for j in group for p in j.posts],
                    removed=[r for j in group for r in j.removed],
                    restored=[r for j in group for r in j.restored], enrichers=enrichers,
                    source_id=source_id, actor=f"push:{network}:{source_id}")
                total.inserted += out.inserted
                total.updated += out.updated
                total.removed += out.removed
                total.restored += out.restored
                total.cases_opened += out.cases_opened
                total.alerts += out.alerts
        if total.alerts:
            with self.sessions() as session:
                self.dispatcher.submit(session, total.alerts)
        return total


    def _enrichers(self, session: Session) -> list[Enricher]:
        """The chain, asked for again every few seconds (not every batch: asking reads the
        queries and what other processes stored since, a cost small batches would pay each)."""
        now = time.monotonic()
        if self._chain is None or now - self._chain[0] > ENRICHERS_TTL:
            self._chain = (now, list(self.enrichers_factory(session)))
        return self._chain[1]

    def _dead_letters(self, jobs: Sequence[PushJob], exc: Exception) -> None:
        try:
            with transaction(self.sessions) as session:
                for job in jobs:
                    session.add(DeadLetter(task="otklik.ingest_batch", args=job.as_task_args(),
                                           error=f"{type(exc).__name__}: {exc}"[:4000],
                                           attempts=ATTEMPTS))
        except Exception:  # the store itself is down: the log is all that is left
            log.exception("push: could not keep %d event(s) as dead letters", len(jobs))
