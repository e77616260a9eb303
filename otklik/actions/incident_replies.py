"""The incident's answers: every linked complaint answered at once with the link to the
explanation (the suggested replies `link_complaints` drafted, approved by the person who asks),
and a post that failed sent again."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions import case_answers as answers
from otklik.actions.delivery import publish_action
from otklik.actions.incidents import get_incident
from otklik.actions.send import SourceFactory, approve_action
from otklik.db.models import Action
from otklik.wording.refusals import refusal


@dataclass
class Answered:
    sent: list[int] = field(default_factory=list)  # case ids answered now
    failed: list[int] = field(default_factory=list)


def suggested_replies(session: Session, incident_id: int) -> list[Action]:
    """The replies linking the explanation that wait for a person's approval."""
    return list(session.scalars(select(Action).where(
        Action.incident_id == incident_id, Action.kind == "public_reply",
        Action.status == "pending_approval").order_by(Action.id)))


def answer_linked(session: Session, incident_id: int, *, source_factory: SourceFactory,
                  actor: str, user_id: int | None = None) -> Answered:
    """Approve and send every suggested reply of the incident. Commits."""
    get_incident(session, incident_id)
    out = Answered()
    for action in suggested_replies(session, incident_id):
        approve_action(session, action.id, actor=actor, user_id=user_id)
        session.commit()
        assert action.case_id is not None
        sent = answers.send_case_actions(session, action.case_id, source_factory=source_factory,
                                         actor=actor, only=[action.id])
        ok = bool(sent) and sent[0].status == "sent"
        (out.sent if ok else out.failed).append(action.case_id)
    return out


def retry_post(session: Session, incident_id: int, action_id: int, *,
               source_factory: SourceFactory, actor: str) -> Action:
    """Send one of the incident's failed posts again (checked on the network first)."""
    action = session.get(Action, action_id)
    if action is None or action.incident_id != incident_id or action.kind != "post":
        raise LookupError(f"action {action_id} is not a post of incident {incident_id}")
    if action.status != "failed":
        raise refusal(ValueError, "refused_post_not_failed", id=action_id)
    return publish_action(session, action_id, source_factory=source_factory, actor=actor)
