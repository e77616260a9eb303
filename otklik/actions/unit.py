"""The unit of work of an edge (a CLI command, a task, the demo builder) that calls actions with a
session of its own, or of a web form's step on the request's session: its changes are committed
(or, on any error, rolled back) from here, so that actions/ stays the only layer that commits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

Done = TypeVar("Done")


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error (tests and benches arrange
    and read their stores with it too)."""
    session = sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


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
