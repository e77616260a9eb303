"""Push endpoints: the VK Callback API and a Telegram bot's webhook, one URL per source.

No sign-in: the network proves itself with the secret kept (sealed) in the source's credentials —
VK's `secret` field, Telegram's `X-Telegram-Bot-Api-Secret-Token` header — compared in constant
time. A wrong or missing secret is 403 and nothing is stored. The request only checks and queues
(embedded: the in-process `PushQueue`; distributed: the ingest task the workers already run), so
the network gets its answer at once; an event id seen before is answered and not queued again.
"""

from __future__ import annotations

import hmac
import json
import time
from typing import Any

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response

from otklik.actions.alert_dispatch import AlertDispatcher
from otklik.actions.push import settle_before_queueing
from otklik.domain.ids import StoreId
from otklik.flow.wiring import Enrichment
from otklik.runtime.worker import enqueue_ingest
from otklik.sources.telegram_items import update_posts
from otklik.sources.vk_callback import BadEvent, parse_event
from otklik.web.push_queue import (
    CONFIG_TTL,
    PushJob,
    PushQueue,
    PushTarget,
    SeenEvents,
    load_target,
    mention_json,
)

router = APIRouter(prefix="/api/v1/push", tags=["push"])
MAX_BODY = 1_000_000  # bytes: an event is a few kilobytes


class PushState:
    """Per app: the push targets (read from the store at most every CONFIG_TTL s), the event
    ids taken, and the embedded queue (made on first use)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen = SeenEvents()
        self._targets: dict[int, tuple[float, PushTarget | None]] = {}
        self._queue: PushQueue | None = None

    def cached(self, source_id: int) -> PushTarget | None:
        """The target when it was read less than CONFIG_TTL seconds ago, else None."""
        cached = self._targets.get(source_id)
        if cached is None or time.monotonic() - cached[0] > CONFIG_TTL:
            return None
        return cached[1]

    def target(self, source_id: int) -> PushTarget | None:
        cached = self._targets.get(source_id)
        now = time.monotonic()
        if cached is None or now - cached[0] > CONFIG_TTL:
            with self.app.state.sessions() as session:
                cached = (now, load_target(session, source_id,
                                           self.app.state.settings.secret_key))
            if cached[1] is not None and cached[1].secret:  # push just turned on: seen at once
                self._targets[source_id] = cached
        return cached[1]

    @property
    def queue(self) -> PushQueue:
        if self._queue is None:
            state = self.app.state
            factory = getattr(state, "enrichers_factory", None)
            if factory is None:  # one long-lived chain: its duplicate index keeps learning
                factory = Enrichment().enrichers
            self._queue = PushQueue(
                state.sessions, factory,
                getattr(state, "push_dispatcher", None) or AlertDispatcher(),
                on_done=getattr(state, "push_done", None))
        return self._queue

    def submit(self, job: PushJob) -> None:
        """Embedded: the in-process queue. Distributed: the workers' ingest task (posts), and
        the removal marks at once (one indexed update each: no enrichment to wait for)."""
        settings = self.app.state.settings
        if not settings.broker_url:
            self.queue.submit(job)
            return
        actor = f"push:{job.network}:{job.source_id}"
        settle_before_queueing(self.app.state.sessions, job.network, job.posts,
                               removed=job.removed, restored=job.restored, actor=actor)
        if job.posts:
            enqueue_ingest(settings, [mention_json(p) for p in job.posts], actor=actor)


def push_state(request: Request) -> PushState:
    state = getattr(request.app.state, "push", None)
    if state is None:
        state = request.app.state.push = PushState(request.app)
    return state


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; no secret configured means no push is accepted."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


async def _json_body(request: Request) -> Any:
    chunks, size = [], 0
    async for chunk in request.stream():  # read no further than an event can be
        size += len(chunk)
        if size > MAX_BODY:
            raise HTTPException(413, "event too large")
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"not JSON: {exc}") from None


async def _target(state: PushState, source_id: int, network: str) -> PushTarget:
    target = state.cached(source_id)
    if target is None:  # a read of the store: off the event loop
        target = await run_in_threadpool(state.target, source_id)
    if target is None or target.network != network:
        raise HTTPException(404, f"no {network} source {source_id} takes pushes here")
    return target


async def _queue(state: PushState, job: PushJob) -> None:
    """Queue an event once; when it cannot be queued (the broker is down) the network is told to
    send it again (503) and its id is forgotten, so the retry is taken."""
    if not state.seen.first_time(job.network, job.source_id, job.key):
        return
    try:
        if state.app.state.settings.broker_url:  # the broker and the store: off the event loop
            await run_in_threadpool(state.submit, job)
        else:  # a put on the in-process queue
            state.submit(job)
    except Exception as exc:
        state.seen.forget(job.network, job.source_id, job.key)
        raise HTTPException(503, f"could not queue the event ({type(exc).__name__}); "
                                 "send it again") from exc


@router.post("/vk/{source_id}", include_in_schema=False)
async def vk_callback(source_id: StoreId, request: Request) -> Response:
    """VK Callback API: the confirmation code for `confirmation`, else `ok` once queued."""
    state = push_state(request)
    try:
        event = parse_event(await _json_body(request))
    except BadEvent as exc:
        raise HTTPException(400, f"vk callback: {exc}") from None
    target = await _target(state, source_id, "vk")
    if target.group_id is not None and event.group_id != target.group_id:
        raise HTTPException(403, "this URL takes events of another community")
    if event.type == "confirmation":
        if not target.confirmation:
            raise HTTPException(404, "no confirmation code is set for this source "
                                     "(otklik push connect SOURCE_ID …)")
        if event.secret is not None and not same_secret(event.secret, target.secret):
            raise HTTPException(403, "wrong secret")
        return PlainTextResponse(target.confirmation)
    if not same_secret(event.secret, target.secret):
        raise HTTPException(403, "wrong secret")
    key = event.event_id or f"{event.type}:{[p.external_id for p in event.posts]}"
    if event.posts or event.removed or event.restored:
        await _queue(state, PushJob("vk", source_id, key, event.posts, event.removed,
                                    event.restored))
    return PlainTextResponse("ok")


@router.post("/telegram/{source_id}", include_in_schema=False)
async def telegram_webhook(
    source_id: StoreId, request: Request,
    secret: str | None = Header(None, alias="X-Telegram-Bot-Api-Secret-Token"),
) -> Response:
    """A Telegram bot's webhook: one `Update` per request, checked by its secret token."""
    state = push_state(request)
    target = await _target(state, source_id, "telegram")
    if not same_secret(secret, target.secret):
        raise HTTPException(403, "wrong secret token")
    update = await _json_body(request)
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise HTTPException(400, "telegram webhook: not an Update (no integer update_id)")
    try:
        posts = update_posts([update], {})
    except (KeyError, TypeError, ValueError) as exc:
        raise HTTPException(400, f"telegram webhook: unreadable update: {exc}") from None
    if posts:
        await _queue(state, PushJob("telegram", source_id, str(update["update_id"]), posts))
    return Response(status_code=200)
