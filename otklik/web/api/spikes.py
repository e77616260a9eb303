"""Spikes: anomalies in a brand's volume, with their explanation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from otklik.db.models import Spike
from otklik.domain.ids import StoreId
from otklik.figures import overview as data
from otklik.web.api.common import invalid
from otklik.web.api.schemas import SpikeOut, StoreDateTime
from otklik.web.auth import Principal, Require, db

router = APIRouter(prefix="/api/v1/spikes", tags=["spikes"])


@router.get("", response_model=list[SpikeOut])
def list_spikes(
    brand_id: StoreId | None = None,
    since: StoreDateTime | None = None,
    until: StoreDateTime | None = None,
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
) -> list[Spike]:
    until = until or datetime.now(UTC)
    try:
        since = since or until - timedelta(days=30)
    except OverflowError as exc:
        raise invalid(("query", "until"), "too early: the 30 days before it leave the calendar") \
            from exc
    return data.spikes_in(session, brand_id, since, until)


@router.get("/{spike_id}", response_model=SpikeOut)
def get_spike(
    spike_id: StoreId,
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
) -> Spike:
    spike = session.get(Spike, spike_id)
    if spike is None:
        raise HTTPException(404, f"no spike {spike_id}")
    return spike
