"""The unit of work of an edge (a CLI command, a task, the demo builder) that calls actions with a
session of its own, or of a web form's step on the request's session: its changes are committed
(or, on any error, rolled back) from here, so that actions/ stays the only layer that commits."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from otklik.db.engine import session_scope

Done = TypeVar("Done")


def transaction(sessions: sessionmaker[Session]) -> AbstractContextManager[Session]:
    """One unit of work: commit on success, roll back on any error (`db.engine.session_scope`,
    which the app's code opens only through here; tests and benches use it directly)."""
    return session_scope(sessions)


def commit_step(session: Session, work: Callable[[], Done]) -> Done:
    """One step a person asks for (a form may run several actions for one click: draft then
    send, publish then link): what `work` returns, committed; if anything in it raises, nothing
    of it is kept."""
    try:
        done = work()
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return done
