"""The append-only audit trail: every change a person or the system made."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from otklik.db.models import AuditEvent


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
