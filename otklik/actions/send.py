"""Drafting, approving and sending actions through a network, never twice.

An action goes `pending_approval → approved → sending → sent`, or to `failed` (the network
refused: visible in `last_error`, safe to retry) or `needs_review` (we cannot know whether it went
out: a timeout, a crash mid-call). The rule that keeps a reply from being posted twice:

- `send_action` commits `sending` *before* it calls the network, and `sent` + the network's id
  right after;
- finding an action still in `sending` therefore means an earlier attempt died mid-call; it is
  not resent blindly but moved to `needs_review`, and a person either records what they found on
  the network (`mark_sent`) or confirms it is not there (`confirm_not_sent`, then retry). The
  retry carries the same idempotency key, which VK uses (`guid`, `random_id`) to drop repeats.

`send_action` commits the session it is given (it must: the `sending` mark has to be durable
before the network call). Sources are built per send by `source_factory(channel)` in the
thread that holds the session (a factory may read the store), and their HTTP client is closed
after the call.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.sources import store_renewed_credentials
from otklik.care.failures import Failure, failure_of
from otklik.db.models import Action, Channel
from otklik.db.rows import get_row
from otklik.sources.base import Source, Target
from otklik.sources.errors import BadResponse, SourceError, Unavailable
from otklik.sources.outbound import SourceFactory

log = logging.getLogger("otklik.send")
OnSent = Callable[[Session, Action, str], None]  # (session, the sent action, who sent it)

REPLY_KINDS = frozenset({"public_reply", "follow_up", "closing_note"})
KINDS = REPLY_KINDS | {"private_message", "post"}
SENDABLE = frozenset({"approved", "failed"})
T = TypeVar("T")
CLOCK_SLACK = timedelta(minutes=2)  # the network's clock and ours may disagree a little


class SendRefused(Exception):
    """The action may not be sent now (not approved, under review, unknown)."""


def draft_action(
    session: Session,
    *,
    brand_id: int,
    kind: str,
    network: str,
    text: str,
    target: dict[str, Any],
    channel_id: int | None,
    case_id: int | None = None,
    template_id: int | None = None,
    needs_approval: bool = False,
    actor: str = "system",
    idempotency_key: str | None = None,
    scheduled_at: datetime | None = None,
) -> Action:
    """Create an action ready to send (or waiting for approval); audited."""
    if kind not in KINDS:
        raise ValueError(f"unknown action kind {kind!r} (one of {', '.join(sorted(KINDS))})")
    if not text.strip():
        raise ValueError("an action needs a text")
    action = Action(
        brand_id=brand_id, case_id=case_id, kind=kind, network=network, channel_id=channel_id,
        target=target, text=text, template_id=template_id,
        status="pending_approval" if needs_approval else "approved",
        needs_approval=needs_approval, created_by=actor, scheduled_at=scheduled_at,
        idempotency_key=idempotency_key or f"{kind}:{uuid.uuid4().hex}", attempts=0,
    )
    session.add(action)
    session.flush()
    record(session, actor, "action.draft", "action", action.id, kind=kind, case_id=case_id,
           status=action.status)
    return action


def approve_action(
    session: Session, action_id: int, *, actor: str, user_id: int | None = None
) -> Action:
    action = _get(session, action_id)
    if action.status != "pending_approval":
        raise SendRefused(f"action {action_id} is {action.status}, not pending approval")
    action.status = "approved"
    action.approved_by = user_id
    record(session, actor, "action.approve", "action", action.id, case_id=action.case_id)
    return action


def mark_sent(session: Session, action_id: int, external_id: str, *, actor: str) -> Action:
    """A person found the action on the network: record its id instead of sending again."""
    action = _get(session, action_id)
    if action.status not in ("needs_review", "sending"):
        raise SendRefused(f"action {action_id} is {action.status}; only one under review can "
                          "be marked sent by hand")
    action.status, action.external_id, action.sent_at = "sent", external_id, datetime.now(UTC)
    record(session, actor, "action.mark_sent", "action", action.id, external_id=external_id)
    return action


def confirm_not_sent(session: Session, action_id: int, *, actor: str) -> Action:
    """A person checked the network and it is not there: the action may be retried."""
    action = _get(session, action_id)
    if action.status != "needs_review":
        raise SendRefused(f"action {action_id} is {action.status}, not under review")
    action.status = "failed"
    record(session, actor, "action.confirm_not_sent", "action", action.id)
    return action


def _get(session: Session, action_id: int) -> Action:
    return get_row(session, Action, action_id, "action")


def run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine from sync code, also when an event loop is already running here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def target_of(action: Action) -> Target:
    t = action.target or {}
    return Target(
        external_id=str(t.get("external_id", "")),
        parent_external_id=t.get("parent_external_id"),
        thread_external_id=t.get("thread_external_id"),
        place_external_id=t.get("place_external_id"),
    )


async def _call_network(source: Source, kind: str, target: Target, text: str, key: str) -> str:
    method: Callable[..., Coroutine[Any, Any, str]]
    if kind in REPLY_KINDS:
        method = source.reply
    elif kind == "private_message":
        method = source.send_private
    else:
        method = source.post
    kwargs: dict[str, Any] = {}
    if "idempotency_key" in inspect.signature(method).parameters:
        kwargs["idempotency_key"] = key
    try:
        return str(await method(target, text, **kwargs))
    finally:
        await source.client.aclose()


def _keep_renewed(session: Session, source: Source | None, actor: str) -> None:
    """Store the tokens the connector renewed during the call (even if the call then failed:
    a rotated refresh token is the only one that still works). Never raises: what the network
    did must still be recorded on the action. A connector that does not derive from `Source`
    (a plugin's, a test's) renews nothing."""
    renewed, home = getattr(source, "renewed", None), getattr(source, "home", None)
    if not renewed or home is None:
        return
    try:
        store_renewed_credentials(session, home.source_id, renewed, home.secret_key, actor=actor)
    except Exception:
        log.exception("source %s: storing renewed credentials failed", home.source_id)


def _fail(action: Action, status: str, failure: Failure) -> None:
    """Record a failed attempt in words (never the exception's text: that goes to the log)."""
    action.status, action.failure, action.last_error = status, failure.kind, failure.text("ru")


def _uncertain(exc: BaseException) -> bool:
    """Could the network have accepted the action although we got an error?"""
    if isinstance(exc, Unavailable):
        return True  # a timeout or a dropped connection after the request went out
    if isinstance(exc, BadResponse):
        return exc.code is None  # an error payload (with a code) is a refusal; garbage is not
    return not isinstance(exc, SourceError | ValueError | LookupError)


def send_action(
    session: Session,
    action_id: int,
    *,
    source_factory: SourceFactory,
    actor: str = "system",
    on_sent: OnSent | None = None,
    check_network: bool = False,
    now: datetime | None = None,
) -> Action:
    """Send one approved (or failed, for a retry) action; commits. Returns it with its status.

    `check_network`: an action found in `sending` is first looked for on the network (where the
    connector can read back, `find_sent`): found → recorded as sent; absent → sent again with the
    same idempotency key; cannot tell → `needs_review` as without it. Only for a caller that
    knows no other attempt is in flight (the Celery worker holds a per-action lock). `now`
    stamps the send (a replayed history, such as the demo's team, sends "in the past")."""
    action = _get(session, action_id)
    if action.status == "sent":
        return action
    if action.status == "sending" and check_network:
        _settle_by_network(session, action, source_factory, actor)
        if action.status == "sent":
            if on_sent is not None:
                on_sent(session, action, actor)
                session.commit()
            return action
    if action.status == "sending":
        action.status = "needs_review"
        action.last_error = ("прежняя попытка прервалась во время отправки: проверьте в сети и "
                             "отметьте отправленным или подтвердите, что его там нет")
        record(session, actor, "action.needs_review", "action", action.id,
               reason="left in sending")
        session.commit()
        return action
    if action.status not in SENDABLE:
        raise SendRefused(f"action {action.id} is {action.status}; "
                          + ("approve it first" if action.status == "pending_approval"
                             else "it cannot be sent now"))
    channel = session.get(Channel, action.channel_id) if action.channel_id else None
    if channel is None:
        _fail(action, "failed", Failure("not_connected"))
        record(session, actor, "action.failed", "action", action.id, failure=action.failure,
               case_id=action.case_id)
        session.commit()
        return action
    call = (action.kind, target_of(action), action.text,
            action.idempotency_key or f"action:{action.id}")
    # compare-and-set: of two workers sending the same action, only one gets `sending`
    claimed = session.execute(
        update(Action)
        .where(Action.id == action.id, Action.status.in_(SENDABLE))
        .values(status="sending", attempts=Action.attempts + 1, last_error=None,
                failure=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()  # durable before the network hears anything
    session.refresh(action)
    if getattr(claimed, "rowcount", 1) != 1:
        raise SendRefused(f"action {action.id} is already being sent elsewhere")

    source: Source | None = None
    try:
        source = source_factory(channel)  # built here, in this thread, with the session usable
        external_id = run_sync(lambda: _call_network(source, *call))
    except Exception as exc:  # every failure is recorded on the action, none is silent
        _keep_renewed(session, source, actor)
        failure = failure_of(exc, datetime.now(UTC))
        if failure.kind == "unknown":
            log.exception("action %s: send failed", action.id)
        else:
            log.warning("action %s: send failed: %s", action.id, type(exc).__name__)
        _fail(action, "needs_review" if _uncertain(exc) else "failed", failure)
        if failure.kind in ("no_rights", "not_connected", "sealed_other_key"):  # health: red
            channel.health, channel.health_reason = "failing", action.last_error
        record(session, actor, f"action.{action.status}", "action", action.id,
               failure=failure.kind, attempt=action.attempts, case_id=action.case_id)
        session.commit()
        return action
    _keep_renewed(session, source, actor)
    action.status = "sent"
    action.external_id = external_id
    action.sent_at = now or datetime.now(UTC)
    record(session, actor, "action.sent", "action", action.id, kind=action.kind,
           external_id=external_id, case_id=action.case_id)
    if on_sent is not None:
        on_sent(session, action, actor)
    session.commit()
    return action


def _settle_by_network(
    session: Session, action: Action, source_factory: SourceFactory, actor: str
) -> None:
    """An earlier attempt died mid-call: ask the network whether it went out. Found → `sent`
    with the network's id; absent → `failed` (so the caller resends, same key); unknown → no
    change (the caller moves it to `needs_review`). Never raises."""
    channel = session.get(Channel, action.channel_id) if action.channel_id else None
    if channel is None:
        return
    created = action.created_at
    since = (created.replace(tzinfo=UTC) if created.tzinfo is None else created) - CLOCK_SLACK
    key = action.idempotency_key or f"action:{action.id}"
    source: Source | None = None
    try:
        source = source_factory(channel)
        find = getattr(source, "find_sent", None)
        if find is None:
            return
        async def look() -> str | None:
            try:
                return await find(action.kind, target_of(action), action.text, since=since,
                                  idempotency_key=key)
            finally:
                await source.client.aclose()
        found = run_sync(look)
    except Exception as exc:  # the check failing must never become a send
        _keep_renewed(session, source, actor)
        log.warning("action %s: checking the network failed", action.id, exc_info=True)
        record(session, actor, "action.check_failed", "action", action.id,
               failure=failure_of(exc, datetime.now(UTC)).kind)
        session.commit()
        return
    _keep_renewed(session, source, actor)
    if found:
        action.status, action.external_id = "sent", found
        action.sent_at = datetime.now(UTC)
        record(session, actor, "action.found_on_network", "action", action.id,
               external_id=found, case_id=action.case_id)
    else:
        action.status = "failed"
        action.last_error = "прежняя попытка прервалась во время отправки; в сети не найдено"
        record(session, actor, "action.absent_on_network", "action", action.id,
               case_id=action.case_id)
    session.commit()
