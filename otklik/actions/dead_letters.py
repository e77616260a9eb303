"""Dead letters: tasks that kept failing, kept in the store to be read and queued again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from otklik.actions.unit import transaction
from otklik.db.models import DeadLetter
from otklik.db.rows import get_row

Resend = Callable[[str, list[Any], dict[str, Any]], object]  # (task, args, kwargs)


def keep_dead_letters(sessions: sessionmaker[Session], task: str, args: Sequence[dict[str, Any]],
                      error: str, attempts: int) -> None:
    """One letter per failed call of `task` (its `args` as stored), committed."""
    with transaction(sessions) as session:
        for one in args:
            session.add(DeadLetter(task=task, args=one, error=error[:4000], attempts=attempts))


def dead_letters(session: Session, *, include_replayed: bool = False,
                 limit: int = 200) -> list[DeadLetter]:
    """Dead letters, newest first (for `otklik deadletters list`)."""
    query = select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)
    if not include_replayed:
        query = query.where(DeadLetter.replayed_at.is_(None))
    return list(session.scalars(query))


def replay_dead_letter(session: Session, letter_id: int, resend: Resend) -> DeadLetter:
    """Hand a dead letter's task to `resend` again (tasks are idempotent) and mark it replayed;
    the caller's unit of work commits. LookupError: no such letter; ValueError: already
    replayed (or, from `resend`, no broker)."""
    letter = get_row(session, DeadLetter, letter_id, "dead letter")
    if letter.replayed_at is not None:
        raise ValueError(f"dead letter {letter_id} was already replayed at {letter.replayed_at}")
    args = letter.args or {}
    resend(letter.task, args.get("args") or [], args.get("kwargs") or {})
    letter.replayed_at = datetime.now(UTC)
    return letter
