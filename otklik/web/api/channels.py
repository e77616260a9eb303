"""REST: the brand's own accounts — list them with their rights and health, connect one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.brands import brand_by_id
from otklik.actions.channels import ConnectError, brand_channel, connect_channel, recheck_channel
from otklik.db.models import Channel, Source
from otklik.domain.ids import StoreId
from otklik.web.api.common import invalid
from otklik.web.api.schemas import In
from otklik.web.deps import Admin, Reader, SessionDep, get_or_404

router = APIRouter(prefix="/api/v1/brands", tags=["channels"])


class ChannelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    brand_id: int
    network: str
    external_id: str
    name: str
    url: str | None = None
    capabilities: list[str]
    health: str
    health_reason: str | None = None
    connected_to: str | None = None


class ConnectIn(In):
    network: str = Field(min_length=1, max_length=32)
    credentials: dict[str, str] = Field(
        default_factory=dict, description="never shown back; sealed at rest")
    params: dict[str, str] = Field(default_factory=dict, description="e.g. {'chat': '@brand'}")


def _out(session: Session, channel: Channel) -> ChannelOut:
    source = session.get(Source, channel.source_id) if channel.source_id else None
    return ChannelOut.model_validate({**{k: getattr(channel, k) for k in (
        "id", "brand_id", "network", "external_id", "name", "url", "capabilities", "health",
        "health_reason")}, "connected_to": source.network if source else None})


@router.get("/{brand_id}/channels", response_model=list[ChannelOut])
def list_channels(brand_id: StoreId, _: Reader, session: SessionDep) -> list[ChannelOut]:
    get_or_404(session, brand_by_id, brand_id)
    return [_out(session, c) for c in session.scalars(
        select(Channel).where(Channel.brand_id == brand_id).order_by(Channel.id))]


@router.post("/{brand_id}/channels/connect", response_model=ChannelOut, status_code=201)
def connect(request: Request, brand_id: StoreId, body: ConnectIn, principal: Admin,
            session: SessionDep) -> Any:
    """Verify the account at the network and link it; 422 with the reason in words if not."""
    get_or_404(session, brand_by_id, brand_id)
    try:
        channel = connect_channel(session, request.app.state.settings, brand_id=brand_id,
                                  network=body.network, credentials=body.credentials,
                                  params=dict(body.params), actor=principal.actor)
    except ConnectError as exc:
        raise invalid(("body",), str(exc)) from exc  # the 422 shape the schema documents
    return _out(session, channel)


@router.post("/{brand_id}/channels/{channel_id}/check", response_model=ChannelOut)
def check(request: Request, brand_id: StoreId, channel_id: StoreId, principal: Admin,
          session: SessionDep) -> Any:
    get_or_404(session, lambda s, i: brand_channel(s, brand_id, i), channel_id)
    channel = recheck_channel(session, request.app.state.settings, channel_id,
                              actor=principal.actor)
    return _out(session, channel)
