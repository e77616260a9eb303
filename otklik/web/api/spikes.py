"""Spikes: anomalies in a brand's volume, with their explanation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter

from otklik.db.models import Spike
from otklik.domain.ids import StoreId
from otklik.figures import overview as data
from otklik.web.api.common import invalid
from otklik.web.api.schemas import SpikeOut, StoreDateTime
from otklik.web.deps import Reader, SessionDep, get_or_404

router = APIRouter(prefix="/api/v1/spikes", tags=["spikes"])


@router.get("", response_model=list[SpikeOut])
def list_spikes(
    _: Reader,
    session: SessionDep,
    brand_id: StoreId | None = None,
    since: StoreDateTime | None = None,
    until: StoreDateTime | None = None,
) -> list[Spike]:
    until = until or datetime.now(UTC)
    try:
        since = since or until - timedelta(days=30)
    except OverflowError as exc:
        raise invalid(("query", "until"), "too early: the 30 days before it leave the calendar") \
            from exc
    return data.spikes_in(session, brand_id, since, until)


@router.get("/{spike_id}", response_model=SpikeOut)
def get_spike(spike_id: StoreId, _: Reader, session: SessionDep) -> Spike:
    return get_or_404(session, data.spike_by_id, spike_id)
