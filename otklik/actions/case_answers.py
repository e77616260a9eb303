"""Answering a case through the network: the public reply, the private message, the follow-up.

The writers that draft and send a case's messages (`otklik.actions.send` does the sending and
commits), and keep the case in step with what was actually sent. The rest of the case's life is
in `otklik.actions.cases`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from otklik.actions import case_queries as queries
from otklik.actions.audit import record
from otklik.actions.brands import brand_by_id
from otklik.actions.cases import get_case, move_case, now_or
from otklik.actions.compose import compose
from otklik.actions.send import SendRefused, SourceFactory, draft_action, send_action
from otklik.db.models import Action, Case
from otklik.domain import cases as sm

log = logging.getLogger("otklik.care")


def draft_case_action(
    session: Session, case: Case, kind: str, *, actor: str, text: str | None = None,
    needs_approval: bool | None = None, idempotency_key: str | None = None,
    after_action_id: int | None = None,
) -> Action:
    """Draft one of the case's messages (template text unless `text` is given); audited."""
    brand = brand_by_id(session, case.brand_id)
    draft = compose(session, case, brand, kind, text=text, needs_approval=needs_approval)
    target = dict(draft.target)
    if after_action_id is not None:
        target["after_action_id"] = after_action_id
    return draft_action(
        session, brand_id=brand.id, kind=kind, network=case.network, text=draft.text,
        target=target, channel_id=draft.channel_id, case_id=case.id,
        template_id=draft.template_id, needs_approval=draft.needs_approval, actor=actor,
        idempotency_key=idempotency_key)


def _refuse_second_answer(session: Session, case: Case, again: bool) -> None:
    """A double click must not post two apologies: a second answer has to be asked for."""
    if case.state not in sm.OPEN_STATES:
        raise sm.IllegalTransition(case.state, sm.ANSWERED_PUBLICLY)
    live = [a for a in _actions(session, case.id)
            if a.kind == "public_reply" and a.status not in ("failed",)]
    if live and not again:
        raise SendRefused(f"case {case.id} already has a public answer (action {live[0].id}, "
                          f"{live[0].status}); retry it with send, or ask for another answer")


def answer_and_move_to_private(
    session: Session, case_id: int, *, actor: str, source_factory: SourceFactory | None,
    public_text: str | None = None, private_text: str | None = None,
    needs_approval: bool | None = None, again: bool = False, now: datetime | None = None,
) -> tuple[Action, Action]:
    """Draft the private message and the public "we wrote to you" reply, then send them.

    The private message goes first: the public reply says it was sent, so it waits until it was.
    With approval on (or no `source_factory`), both are left for `approve` + `send_case_actions`.
    A case that already has a public answer refuses another unless `again`. Commits when it sends.
    """
    case = get_case(session, case_id)
    _refuse_second_answer(session, case, again)
    private = draft_case_action(session, case, "private_message", actor=actor, text=private_text,
                                needs_approval=needs_approval)
    public = draft_case_action(session, case, "public_reply", actor=actor, text=public_text,
                               needs_approval=needs_approval, after_action_id=private.id)
    if source_factory is not None:
        send_case_actions(session, case.id, source_factory=source_factory, actor=actor,
                          only=[private.id, public.id], now=now)
    return public, private


def answer_publicly(
    session: Session, case_id: int, *, actor: str, source_factory: SourceFactory | None,
    text: str, needs_approval: bool | None = None, again: bool = False,
) -> Action:
    """Only a public reply (networks without private messages, or no need for one)."""
    case = get_case(session, case_id)
    _refuse_second_answer(session, case, again)
    public = draft_case_action(session, case, "public_reply", actor=actor, text=text,
                               needs_approval=needs_approval)
    if source_factory is not None:
        send_case_actions(session, case.id, source_factory=source_factory, actor=actor,
                          only=[public.id])
    return public


def retry_case_action(session: Session, case_id: int, action_id: int, *,
                      source_factory: SourceFactory, actor: str) -> list[Action]:
    """Send one of the case's messages again (after what it waits for); LookupError if the
    action is not the case's."""
    action = session.get(Action, action_id)
    if action is None or action.case_id != case_id:
        raise LookupError(f"action {action_id} is not in case {case_id}")
    return send_case_actions(session, case_id, source_factory=source_factory, actor=actor,
                             only=[action_id])


def send_case_actions(
    session: Session, case_id: int, *, source_factory: SourceFactory, actor: str = "system",
    only: Sequence[int] | None = None, now: datetime | None = None,
) -> list[Action]:
    """Send the case's approved (or failed, to retry) actions, each after what it waits for.

    `only` limits it to those action ids (a new answer should not quietly retry old failures).
    """
    case = get_case(session, case_id)
    order = {"private_message": 0, "public_reply": 1, "follow_up": 2, "closing_note": 3}
    chosen = None if only is None else set(only)
    todo = sorted((a for a in _actions(session, case.id) if a.status in ("approved", "failed")
                   and (chosen is None or a.id in chosen)),
                  key=lambda a: (order.get(a.kind, 9), a.id))
    for action in todo:
        waits_for = (action.target or {}).get("after_action_id")
        first = session.get(Action, waits_for) if waits_for else None
        if first is not None and first.status != "sent":
            action.last_error = f"ждёт отправки действия {first.id}: сначала личное сообщение"
            session.commit()
            continue
        send_action(session, action.id, source_factory=source_factory, actor=actor,
                    on_sent=on_case_action_sent, now=now)
    return _actions(session, case_id)


def _actions(session: Session, case_id: int) -> list[Action]:
    return list(session.scalars(select(Action).where(Action.case_id == case_id)
                                .order_by(Action.id)))


def on_case_action_sent(session: Session, action: Action, actor: str) -> None:
    """Keep the case in step with what was actually sent (the SLA clock stops on public ones)."""
    if action.case_id is None:
        return
    case = get_case(session, action.case_id)
    now = action.sent_at or datetime.now(UTC)
    via = f"sent action {action.id} ({action.kind})"
    if action.kind == "public_reply" and case.first_response_at is None:
        case.first_response_at = now
        due = case.first_response_due_at
        if due is not None and now > due and case.sla_breached_at is None:
            case.sla_breached_at = due
            record(session, actor, "case.sla_breach", "case", case.id, due=due.isoformat(),
                   reason=via)
    sent = {a.kind for a in _actions(session, case.id) if a.status == "sent"} | {action.kind}
    if "public_reply" in sent and case.state in (sm.NEW, sm.ESCALATED):
        move_case(session, case, sm.ANSWERED_PUBLICLY, actor, now, reason=via)
    if "private_message" in sent and case.state == sm.ANSWERED_PUBLICLY:
        move_case(session, case, sm.IN_PRIVATE, actor, now, reason=via)
    if action.kind == "follow_up" and case.state == sm.RESOLVED:
        case.followed_up_at = now
        move_case(session, case, sm.FOLLOWED_UP, actor, now, reason=via)


def run_due_follow_ups(
    session: Session, now: datetime | None = None, *, source_factory: SourceFactory | None,
    actor: str = "system",
) -> list[Action]:
    """Draft the follow-up of every case whose time has come; send it or leave it for approval.

    One follow-up per case, whatever runs this concurrently (its idempotency key is unique).
    Commits.
    """
    now = now_or(now)
    drafted = []
    for case in queries.due_follow_ups(session, now):
        brand = brand_by_id(session, case.brand_id)
        approval = (brand.settings or {}).get("follow_up_approval")
        try:
            with session.begin_nested():
                action = draft_case_action(
                    session, case, "follow_up", actor=actor,
                    idempotency_key=f"follow_up:case:{case.id}",
                    needs_approval=None if approval is None else bool(approval))
        except IntegrityError:  # another worker drafted this case's follow-up first
            continue
        except (ValueError, LookupError) as exc:  # e.g. a broken stored template: skip, say so
            log.warning("case %d: follow-up not drafted: %s", case.id, exc)
            continue
        drafted.append(action)
    session.commit()
    if source_factory is not None:
        for action in drafted:
            if action.status == "approved":
                send_action(session, action.id, source_factory=source_factory, actor=actor,
                            on_sent=on_case_action_sent)
    return drafted
