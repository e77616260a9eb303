"""The task functions: the same work whether the embedded scheduler or a Celery worker runs it.

Each takes a `Runtime` and plain, JSON-friendly arguments, opens its own transactions and is
idempotent: run twice, it stores nothing twice and sends nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from otklik.actions.attacks import refresh_attacks
from otklik.actions.case_answers import on_case_action_sent as case_on_sent
from otklik.actions.communities import refresh_communities
from otklik.actions.desk_tick import desk_tick as run_desk_tick
from otklik.actions.intake import intake
from otklik.actions.publish_tick import publish_tick
from otklik.actions.send import send_action as send_one
from otklik.actions.sources import poll_source as poll
from otklik.actions.spikes import detect_spikes
from otklik.actions.unit import transaction
from otklik.alerts.events import AlertEvent
from otklik.db.models import Action, Brand
from otklik.domain.posts import Post
from otklik.runtime.process import Runtime


def poll_source(rt: Runtime, source_id: int) -> dict[str, Any]:
    """Fetch a source from its cursor, store every page, open cases, alert."""
    with transaction(rt.sessions) as session:
        enrichers = rt.enrichment.enrichers(session)
    result = asyncio.run(poll(rt.sessions, source_id, enrichers=enrichers, settings=rt.settings))
    _alert(rt, result.alerts)
    return {"source_id": source_id, "inserted": result.inserted, "updated": result.updated,
            "error": result.error}


def ingest_batch(rt: Runtime, posts: Sequence[Post], actor: str = "api") -> dict[str, Any]:
    """Enrich and store a batch (e.g. from the ingest API), open cases, alert."""
    with transaction(rt.sessions) as session:
        taken = intake(session, posts, enrichers=rt.enrichment.enrichers(session), actor=actor)
    _alert(rt, taken.desk.alerts)
    return {"inserted": taken.stored.inserted, "updated": taken.stored.updated,
            "unchanged": taken.stored.unchanged, "mention_ids": taken.stored.mention_ids,
            "cases_opened": taken.desk.opened}


def detect(rt: Runtime, brand_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Spikes, communities and attacks of one brand; new spikes and attacks are alerted."""
    now = now or datetime.now(UTC)
    with transaction(rt.sessions) as session:
        spikes = detect_spikes(session, brand_id, now=now)
        attacks = refresh_attacks(session, brand_id, now=now)  # first: the communities read
        communities = refresh_communities(session, brand_id, now=now)  # the campaigns found
        events = [AlertEvent("spike", brand_id, s.id, f"spike: {s.volume} mentions "
                             f"(expected {s.expected:.0f})", at=now) for s in spikes]
        events += [AlertEvent("attack", brand_id, None, a.summary[:300], at=now)
                   for a in attacks.detected]
    _alert(rt, events)
    return {"brand_id": brand_id, "spikes": len(spikes), "attacks": len(attacks.detected),
            "places": len(communities.places)}


def detect_all(rt: Runtime, now: datetime | None = None) -> list[dict[str, Any]]:
    with transaction(rt.sessions) as session:
        brand_ids = list(session.scalars(select(Brand.id).order_by(Brand.id)))
    return [detect(rt, brand_id, now) for brand_id in brand_ids]


def send_action(rt: Runtime, action_id: int, actor: str = "system",
                check_network: bool = False) -> str:
    """Send one approved action through its channel (marked `sending` first: never twice).

    `check_network` (the worker, holding the action's lock): an action left in `sending` by a
    dead attempt is looked for on the network before anything is resent. A case's action keeps
    its case in step when sent."""
    with rt.sessions() as session:
        found = session.get(Action, action_id)
        on_sent = case_on_sent if found is not None and found.case_id is not None else None
        action = send_one(session, action_id, source_factory=rt.sources_for(session), actor=actor,
                          on_sent=on_sent, check_network=check_network)
        return action.status


def publish(rt: Runtime, now: datetime | None = None) -> dict[str, Any]:
    """Due announcements and reminders, incident links, the silence detector (never twice)."""
    with rt.sessions() as session:
        out = publish_tick(session, now or datetime.now(UTC), rt.sources_for(session),
                           rt.dispatcher)
        return {"published": len(out.announcements.published),
                "reminded": len(out.announcements.reminded), "alerts": len(out.alerts)}


def desk_tick(rt: Runtime, now: datetime | None = None) -> dict[str, Any]:
    """SLA reminders and breaches, removed comments, due follow-ups, grouped alerts."""
    with rt.sessions() as session:
        report = run_desk_tick(session, source_factory=rt.sources_for(session),
                               dispatcher=rt.dispatcher, now=now)
        return {"alerts": len(report.alerts), "follow_ups": len(report.follow_ups)}


def report_tick(rt: Runtime, now: datetime | None = None) -> dict[str, Any]:
    """Scheduled reports due now, e-mailed once each (`otklik.actions.report_delivery`)."""
    from otklik.actions.report_delivery import deliver_due  # renders PDFs: loaded when due

    return {"reports": [d.state for d in deliver_due(rt.sessions, now)]}


def _alert(rt: Runtime, events: Sequence[AlertEvent]) -> None:
    if not events:
        return
    with rt.sessions() as session:
        rt.dispatcher.submit(session, events)


# name → (function, seconds between runs): the embedded scheduler and Celery beat share it
PERIODIC: dict[str, tuple[Callable[..., Any], float]] = {
    "desk_tick": (desk_tick, 60.0),
    "detect_all": (detect_all, 300.0),
    "publish_tick": (publish, 60.0),
    "report_tick": (report_tick, 60.0),
}
