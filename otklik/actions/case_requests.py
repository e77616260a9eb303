"""What a person asks of one case through the REST API, each as one transaction: move it
(resolving it with its follow-up, or any other move the state machine allows) or answer it
(draft the message, then send it). Each commits; a refusal leaves nothing behind."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.case_answers import draft_case_action, send_case_actions
from otklik.actions.cases import get_case, resolve, transition
from otklik.actions.send import SendRefused, SourceFactory
from otklik.db.models import Action, Case
from otklik.domain.cases import RESOLVED


def move_case_to(session: Session, case_id: int, target: str, *, actor: str,
                 reason: str | None = None, outcome: str | None = None,
                 confirm_unsent: bool = False) -> Case:
    """`resolve` for the resolved state (an unsent answer needs `confirm_unsent`), else
    `transition`; committed. IllegalTransition, UnsentAnswer or ValueError (an unknown state
    or outcome) otherwise."""
    if target == RESOLVED:
        case = resolve(session, case_id, actor=actor, reason=reason,
                       confirm_unsent=confirm_unsent)
    else:
        case = transition(session, case_id, target, actor=actor, reason=reason, outcome=outcome)
    session.commit()
    return case


def answer_case(session: Session, case_id: int, kind: str, *, actor: str, text: str | None,
                source_factory: SourceFactory | None) -> Action:
    """Draft one of the case's messages (template text unless `text` is given) and commit it,
    then send it when a `source_factory` is given. A case has one follow-up: a second is a
    ValueError, as is a draft the case refuses; SendRefused when it may not be sent now."""
    case = get_case(session, case_id)
    key = f"follow_up:case:{case.id}" if kind == "follow_up" else None
    try:
        if key is not None:
            earlier = session.scalar(select(Action.id).where(Action.idempotency_key == key))
            if earlier is not None:
                raise ValueError(f"case {case.id} already has its follow-up (action {earlier})")
        action = draft_case_action(session, case, kind, actor=actor, text=text,
                                   idempotency_key=key)
        session.commit()
        if source_factory is not None:
            send_case_actions(session, case.id, source_factory=source_factory, actor=actor)
    except (ValueError, SendRefused):
        session.rollback()
        raise
    session.refresh(action)
    return action
