"""One step over many cases at once (the inbox's bulk bar): assign, tag, answer, resolve.

Each case is its own step: one refused case (already answered, a closed state, a network that
refuses) does not undo or stop the others; the outcome names each failure in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from otklik.actions.case_answers import answer_and_move_to_private
from otklik.actions.cases import assign, resolve, tag
from otklik.actions.send import SendRefused, SourceFactory
from otklik.wording.refusals import refusal

OPERATIONS = ("assign", "tag", "answer", "resolve")
MAX_CASES = 200


@dataclass
class BulkOutcome:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def bulk_cases(
    session: Session, case_ids: Sequence[int], operation: str, *, actor: str,
    assignee_id: int | None = None, tag_name: str | None = None,
    source_factory: SourceFactory | None = None,
) -> BulkOutcome:
    """Apply `operation` to each case, committing each one that succeeds on its own.

    `answer` drafts and sends the brand's templated private message and public "we wrote to
    you" reply (the same as the case page's answer with untouched templates)."""
    if operation not in OPERATIONS:
        raise refusal(ValueError, "refused_bulk_unknown", operation=operation[:40])
    if operation == "tag" and not (tag_name or "").strip():
        raise refusal(ValueError, "refused_bulk_tag")
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise refusal(ValueError, "refused_bulk_none")
    if len(ids) > MAX_CASES:
        raise refusal(ValueError, "refused_bulk_too_many", limit=MAX_CASES)
    steps: dict[str, Callable[[int], object]] = {
        "assign": lambda cid: assign(session, cid, assignee_id, actor=actor),
        "tag": lambda cid: tag(session, cid, add=[(tag_name or "").strip()], actor=actor),
        "answer": lambda cid: answer_and_move_to_private(
            session, cid, actor=actor, source_factory=source_factory),
        "resolve": lambda cid: resolve(session, cid, actor=actor),
    }
    out = BulkOutcome()
    for cid in ids:
        try:
            steps[operation](cid)
        except (LookupError, ValueError, SendRefused) as exc:
            session.rollback()
            out.failed[cid] = str(exc)[:200]
            continue
        session.commit()
        out.done.append(cid)
    return out
