"""The append-only audit trail: every change a person or the system made."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from otklik.db.base import utcnow
from otklik.db.bulk import insert_ignoring_conflicts, table_of
from otklik.db.models import AuditEvent

# (actor, action, entity, entity id, data): one event as `record_many` takes it
Event = tuple[str, str, str, object, dict[str, Any]]


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    **data: Any,
) -> AuditEvent:
    """Add one audit event to the session's transaction (committed with the change it records)."""
    event = AuditEvent(
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        data=data,
    )
    session.add(event)
    return event


def record_many(session: Session, events: Sequence[Event]) -> None:
    """Write many audit events in one statement, in order, in the session's transaction.

    For the ingest's case rules, which record dozens a batch: as ORM objects each cost more
    than the case it records. Call after the session has flushed what they refer to.
    """
    if not events:
        return
    at = utcnow()
    columns: dict[str, list[Any]] = {
        "at": [at] * len(events),
        "actor": [e[0] for e in events],
        "action": [e[1] for e in events],
        "entity": [e[2] for e in events],
        "entity_id": [None if e[3] is None else str(e[3]) for e in events],
        "data": [e[4] for e in events],
    }
    insert_ignoring_conflicts(session.connection(), table_of(AuditEvent), columns, ("id",))
