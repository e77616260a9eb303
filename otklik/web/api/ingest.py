"""Ingest: a batch of mentions from any system (the generic webhook source) into the pipeline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from otklik.actions.intake import case_rules, note_queued, take_batch
from otklik.domain.enrichment import Enricher
from otklik.flow.wiring import Enrichment
from otklik.runtime.worker import enqueue_ingest
from otklik.web.api.schemas import IngestIn, IngestOut
from otklik.web.deps import Ingester, SessionDep

router = APIRouter(prefix="/api/v1", tags=["ingest"])
ENRICHERS_TTL = 60.0  # brands and queries change rarely; rebuild the list at most once a minute
_enrichment_lock = threading.Lock()

EnricherFactory = Callable[[Session], Sequence[Enricher]]


def skip_case_rules(session: Session, mention_ids: Sequence[int], actor: str) -> None:
    """For stores where a worker applies the case rules later (and for the benchmark)."""


def _app_enrichment(state: Any) -> Enrichment:
    """One `Enrichment` per app: its near-duplicate index and models outlive the minute's refresh
    (a new one re-read 20,000 recent texts, seconds of the web process's CPU every minute)."""
    with _enrichment_lock:
        if getattr(state, "enrichment", None) is None:
            state.enrichment = Enrichment()
        return cast("Enrichment", state.enrichment)


def enrichers_for(request: Request, session: Session) -> Sequence[Enricher]:
    state = request.app.state
    cached = getattr(state, "enrichers_cache", None)
    now = time.monotonic()
    if cached is None or now - cached[0] > ENRICHERS_TTL:
        factory: EnricherFactory = (getattr(state, "enrichers_factory", None)
                                    or _app_enrichment(state).enrichers)
        try:
            cached = (now, list(factory(session)))
        except Exception as exc:  # a missing model must not store un-enriched mentions silently
            raise HTTPException(503, f"enrichment unavailable: {exc}") from exc
        state.enrichers_cache = cached
    return cached[1]


@router.post("/ingest", response_model=IngestOut, responses={
    202: {"description": "Distributed mode: queued for the workers ({queued: task id, count})"}})
def ingest_batch(request: Request, body: IngestIn, principal: Ingester,
                 session: SessionDep) -> IngestOut | JSONResponse:
    """Store up to 5000 mentions (idempotent by network + external_id; edits keep old text),
    enriched like any source's, then let the case rules open or join cases. In distributed mode
    (OTKLIK_BROKER_URL set) the batch is queued for the workers instead: 202 and a task id."""
    settings = request.app.state.settings
    if settings.broker_url:
        mentions = body.model_dump(mode="json")["mentions"]
        task_id = enqueue_ingest(settings, mentions, actor=principal.actor)
        note_queued(session, actor=principal.actor, task_id=task_id, count=len(mentions))
        return JSONResponse({"queued": task_id, "count": len(mentions)}, status_code=202)
    stored = take_batch(session, [m.to_post() for m in body.mentions],
                        enrichers=enrichers_for(request, session), actor=principal.actor,
                        rules=getattr(request.app.state, "after_ingest", None) or case_rules)
    return IngestOut(inserted=stored.inserted, updated=stored.updated,
                     unchanged=stored.unchanged, mention_ids=stored.mention_ids)
