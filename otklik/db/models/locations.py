"""A brand's own places (cafés, branches, stores): what a mention can be about."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from otklik.db.base import Base, utcnow


class Location(Base):
    """One location of a brand: its address and coordinates as the user gave them (nothing is
    geocoded), the words customers use for it, and who answers for it."""

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("brand_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # street, metro station, district, mall: in the nominative, as a person writes them
    aliases: Mapped[list[str]] = mapped_column(default=list)
    # "network:external_id" of places that belong to the location (a branch's own VK page)
    places: Mapped[list[str]] = mapped_column(default=list)
    hours: Mapped[str] = mapped_column(String(200), default="")
    team: Mapped[str] = mapped_column(String(200), default="")  # the responsible team, in words
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
