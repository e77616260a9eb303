"""The REST API's shapes: what comes in (validated, errors name the field path) and goes out."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from otklik.domain import posts as domain
from otklik.domain.ids import MAX_ID, StoreId
from otklik.domain.posts import NETWORKS
from otklik.domain.storable import unstorable


def _storable(value: datetime) -> datetime:
    """The store keeps times in UTC: one that cannot move there (year 1 at +14:00) is refused."""
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError as exc:
        raise ValueError("date out of range once moved to UTC") from exc


StoreDateTime = Annotated[datetime, AfterValidator(_storable)]
class In(BaseModel):
    """What the API takes in: unknown fields refused, and nothing the store cannot hold (see
    `otklik.domain.storable`: a NUL, a NaN, nesting past 64 levels), which would be a 500 from
    it."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        problem = unstorable(value)
        if problem is not None:
            raise ValueError(f"contains {problem}, which the store cannot hold")
        return value


MAX_TEXT = 1_000_000  # a megabyte of text is data, more is abuse
MAX_BATCH = 5000
Label = Literal["negative", "neutral", "positive"]


class AuthorIn(In):
    external_id: str = Field(min_length=1, max_length=200)
    handle: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=300)
    followers: int | None = Field(None, ge=0)
    created_at: StoreDateTime | None = None
    url: str | None = Field(None, max_length=2000)


class PlaceIn(In):
    external_id: str = Field(min_length=1, max_length=300)
    name: str | None = Field(None, max_length=300)
    kind: str | None = Field(None, max_length=32)
    audience: int | None = Field(None, ge=0)
    url: str | None = Field(None, max_length=2000)


class GeoIn(In):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class MentionIn(In):
    """One post or comment from any system (the generic webhook source)."""

    network: str = Field("webhook", description=f"one of {', '.join(NETWORKS)}")
    external_id: str = Field(min_length=1, max_length=300)
    text: str = Field(max_length=MAX_TEXT)
    created_at: StoreDateTime
    url: str | None = Field(None, max_length=4000)
    author: AuthorIn | None = None
    place: PlaceIn | None = None
    parent_external_id: str | None = Field(None, max_length=300)
    thread_external_id: str | None = Field(None, max_length=300)
    geo: GeoIn | None = None
    hashtags: list[str] = Field(default_factory=list, max_length=200)
    reach: int | None = Field(None, ge=0)
    engagement: int | None = Field(None, ge=0)
    lang: str | None = Field(None, max_length=8)
    edited_at: StoreDateTime | None = None
    raw: dict[str, Any] = Field(default_factory=dict)

    @field_validator("network")
    @classmethod
    def _known_network(cls, value: str) -> str:
        if value not in NETWORKS:
            raise ValueError(f"unknown network; one of {', '.join(NETWORKS)}")
        return value

    def to_post(self) -> domain.Post:
        return domain.Post(
            network=self.network, external_id=self.external_id, text=self.text,
            created_at=self.created_at, url=self.url,
            author=domain.Author(**self.author.model_dump()) if self.author else None,
            place=domain.Place(**self.place.model_dump()) if self.place else None,
            parent_external_id=self.parent_external_id,
            thread_external_id=self.thread_external_id,
            lat=self.geo.lat if self.geo else None, lon=self.geo.lon if self.geo else None,
            hashtags=[h.lstrip("#").lower() for h in self.hashtags],
            reach=self.reach, engagement=self.engagement, lang=self.lang,
            edited_at=self.edited_at, raw=self.raw,
        )


class IngestIn(In):
    mentions: list[MentionIn] = Field(min_length=1, max_length=MAX_BATCH)


class IngestOut(BaseModel):
    inserted: int
    updated: int
    unchanged: int
    mention_ids: list[int]


class AuthorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    network: str
    external_id: str
    handle: str | None
    name: str | None
    followers: int | None


class PlaceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    network: str
    external_id: str
    name: str | None
    kind: str | None


class MentionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    network: str
    external_id: str
    url: str | None
    text: str
    created_at: datetime
    edited_at: datetime | None
    lang: str | None
    sentiment: str | None
    sentiment_score: float | None
    sentiment_corrected: bool
    cluster_id: int | None
    priority: float | None
    parent_external_id: str | None
    thread_external_id: str | None
    hashtags: list[str]
    reach: int | None
    removed_at_source: datetime | None
    author: AuthorOut | None
    place: PlaceOut | None
    brand_ids: list[int] = []


class MentionList(BaseModel):
    items: list[MentionOut]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page")


class CorrectionIn(In):
    label: Label
    brand_id: StoreId | None = Field(None, strict=True, description="an existing brand's id")


class QueryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    text: str
    enabled: bool


class BrandOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    slug: str
    name: str
    languages: list[str]
    sla_minutes: int
    follow_up_days: float
    queries: list[QueryOut]


class BrandIn(In):
    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(None, max_length=64, pattern=r"^[\w-]+$")
    queries: list[str] = Field(default_factory=list, max_length=100)


class QueryIn(In):
    text: str = Field(min_length=1, max_length=5000)
    name: str = Field("", max_length=200)


class SpikeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    brand_id: int
    series: str
    start: datetime
    peak: datetime
    end: datetime | None
    volume: int
    expected: float
    severity: float
    explanation: dict[str, Any]


def encode_cursor(last_id: int | None) -> str | None:
    if last_id is None:
        return None
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id inside an opaque cursor; ValueError for anything that is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = int(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor this API gave out") from exc
    if not 1 <= value <= MAX_ID:
        raise ValueError("not a cursor this API gave out")
    return value
