"""The silence detector: a spike or an attack the brand has not answered within its limit.

Silence during a wave of criticism reads as guilt. Once `Brand.response_limit_minutes` have
passed since a spike or attack began and nothing was sent in answer (`responded_at` is empty:
it is set by an incident post explaining the spike, the official refutation post or any targeted
reply, or by hand), one alert goes out. "Once" is kept in the append-only audit trail
(`silence.alert` events), so a restart does not alert again. Only recent ones count (`lookback`):
importing last year's history must not ring every bell.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.alerts.events import AlertEvent
from otklik.db.models import Attack, AuditEvent, Brand, Spike

ACTOR = "system:silence"


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _alerted(session: Session, entity: str) -> set[str]:
    return set(session.scalars(select(AuditEvent.entity_id).where(
        AuditEvent.action == "silence.alert", AuditEvent.entity == entity)))


def check_silence(
    session: Session, now: datetime, *, lookback: timedelta = timedelta(days=2),
) -> list[AlertEvent]:
    """Alerts for unanswered spikes and attacks past their brand's limit (each once)."""
    events: list[AlertEvent] = []
    limits = {b.id: (b.response_limit_minutes, b.name) for b in session.scalars(select(Brand))}
    found: list[tuple[str, int, int, datetime, str]] = []
    for spike in session.scalars(select(Spike).where(
            Spike.responded_at.is_(None), Spike.start >= now - lookback).order_by(Spike.id)):
        found.append(("spike", spike.id, spike.brand_id, spike.start,
                      f"spike of {spike.volume} mentions ({spike.series}) since "
                      f"{_aware(spike.start):%Y-%m-%d %H:%M} UTC"))
    for attack in session.scalars(select(Attack).where(
            Attack.responded_at.is_(None), Attack.status == "open",
            Attack.start >= now - lookback).order_by(Attack.id)):
        found.append(("attack", attack.id, attack.brand_id, attack.start,
                      f"attack: {attack.summary or attack.key}"))
    seen = {"spike": _alerted(session, "spike"), "attack": _alerted(session, "attack")}
    for entity, ident, brand_id, start, summary in found:
        limit, brand = limits.get(brand_id, (120, ""))
        if str(ident) in seen[entity] or _aware(start) + timedelta(minutes=limit) > now:
            continue
        minutes = int((now - _aware(start)).total_seconds() // 60)
        record(session, ACTOR, "silence.alert", entity, ident, brand_id=brand_id,
               minutes=minutes, limit=limit)
        events.append(AlertEvent(
            "silence", brand_id, None,
            f"{brand}: no response for {minutes} min (limit {limit}) to the {summary}",
            priority=1.0, at=now, data={entity + "_id": ident}))
    return events
