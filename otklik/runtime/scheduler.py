"""The embedded scheduler: polls every enabled source at its own interval, in one asyncio loop.

One source failing never stops the others: each poll runs in its own task, its errors are kept on
its row (by `poll_source`) and logged here. Distributed mode runs the same `poll_source` from
Celery instead; this loop is for `otklik serve` on one machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from otklik.actions.sources import PollResult, poll_source
from otklik.db.models import Source as SourceRow
from otklik.domain.enrichment import Enricher
from otklik.settings import Settings
from otklik.sources.http import HttpClient
from otklik.sources.registry import new_client

log = logging.getLogger("otklik.runtime.scheduler")

Poll = Callable[..., Awaitable[PollResult]]


class Scheduler:
    """Polls due sources every `tick` seconds, at most `concurrency` at a time; `stop()` ends it."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: Settings,
        *,
        enrichers: Sequence[Enricher] = (),
        client: HttpClient | None = None,
        tick: float = 5.0,
        concurrency: int = 4,
        poll: Poll = poll_source,
        jobs: Sequence[tuple[str, Callable[[], object], float]] = (),
        enrichers_for: Callable[[], Sequence[Enricher]] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.enrichers = enrichers
        self.enrichers_for = enrichers_for  # fresh per poll: new brand queries apply at once
        self.client = client
        self.tick = tick
        self.poll = poll
        self._limit = asyncio.Semaphore(concurrency)
        self._stop = asyncio.Event()
        self._running: dict[int, asyncio.Task[None]] = {}
        self._last_started: dict[int, datetime] = {}
        self.polls = 0
        self.failures = 0
        self.jobs = list(jobs)  # (name, function, seconds): the desk tick, detection, …
        self._job_last: dict[str, datetime] = {}
        self._job_running: dict[str, asyncio.Task[None]] = {}

    def stop(self) -> None:
        self._stop.set()

    def due(self, now: datetime) -> list[int]:
        """Enabled sources whose interval has passed since their last poll (or never polled)."""
        with self.session_factory() as session:
            rows = session.execute(select(
                SourceRow.id, SourceRow.interval_seconds, SourceRow.last_polled_at,
            ).where(SourceRow.enabled.is_(True)).order_by(SourceRow.id)).all()
        ready = []
        for source_id, interval, last_polled in rows:
            last = max(filter(None, (last_polled, self._last_started.get(source_id))),
                       default=None)
            if source_id in self._running:
                continue
            if last is None or now - last >= timedelta(seconds=interval):
                ready.append(source_id)
        return ready

    async def run(self) -> None:
        """Run until `stop()`; waits for polls in flight before returning."""
        client = self.client or new_client()
        try:
            while not self._stop.is_set():
                now = datetime.now(UTC)
                try:
                    ready = await asyncio.to_thread(self.due, now)
                except Exception:  # the store may be briefly unavailable; try next tick
                    log.exception("scheduler: could not list due sources")
                    ready = []
                for source_id in ready:
                    self._last_started[source_id] = now
                    task = asyncio.create_task(self._poll_one(source_id, client))
                    self._running[source_id] = task
                self._start_due_jobs(now)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=self.tick)
            pending = [*self._running.values(), *self._job_running.values()]
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
        finally:
            if self.client is None:
                await client.aclose()

    async def _poll_one(self, source_id: int, client: HttpClient) -> None:
        try:
            async with self._limit:
                enrichers = (await asyncio.to_thread(self.enrichers_for)
                             if self.enrichers_for else self.enrichers)
                result = await self.poll(self.session_factory, source_id, client=client,
                                         enrichers=enrichers, settings=self.settings)
            self.polls += 1
            if result.error:
                self.failures += 1
                log.warning("source %d: %s", source_id, result.error)
        except Exception:
            self.failures += 1
            log.exception("source %d: poll crashed", source_id)
        finally:
            self._running.pop(source_id, None)

    def _start_due_jobs(self, now: datetime) -> None:
        for name, function, seconds in self.jobs:
            last = self._job_last.get(name)
            if name in self._job_running or (last and now - last < timedelta(seconds=seconds)):
                continue
            self._job_last[name] = now
            self._job_running[name] = asyncio.create_task(self._run_job(name, function))

    async def _run_job(self, name: str, function: Callable[[], object]) -> None:
        """A periodic job runs in a thread (it uses the blocking store); its failure is logged."""
        try:
            await asyncio.to_thread(function)
        except Exception:
            log.exception("scheduler: job %s failed", name)
        finally:
            self._job_running.pop(name, None)
