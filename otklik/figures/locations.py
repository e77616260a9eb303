"""The league table of a brand's locations: volume, negative share, cases, SLA, loop closure and
the trend against the period before, each location on one row (and the mentions of no location
on the last). The pages, the API and the map read it; nothing here writes."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from otklik.analytics.locations import distance_m
from otklik.care.metrics import CaseFacts, compute
from otklik.db.models import Action, Brand, Case, Location, Mention, MentionBrand
from otklik.domain.cases import OPEN_STATES


@dataclass
class LocationRow:
    id: int | None  # None: the brand's mentions that are about no location
    name: str
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    team: str = ""
    enabled: bool = True
    mentions: int = 0
    negative: int = 0
    previous: int = 0  # mentions in the period of the same length before
    open_cases: int = 0
    complaints: int = 0
    sla_kept: float | None = None  # share of the period's complaints answered within the SLA
    loop_closed: float | None = None  # share where the brand came back with the result

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.mentions if self.mentions else None

    @property
    def trend(self) -> float | None:
        """Change against the period before (0.25 = a quarter more); None when it had none."""
        return (self.mentions - self.previous) / self.previous if self.previous else None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "address": self.address, "lat": self.lat,
                "lon": self.lon, "team": self.team, "enabled": self.enabled,
                "mentions": self.mentions, "negative": self.negative,
                "negative_share": self.negative_share, "previous": self.previous,
                "trend": self.trend, "open_cases": self.open_cases,
                "complaints": self.complaints, "sla_kept": self.sla_kept,
                "loop_closed": self.loop_closed}


def _volumes(session: Session, brand_id: int, since: datetime,
             until: datetime) -> dict[int | None, tuple[int, int]]:
    mb = MentionBrand
    rows = session.execute(
        select(mb.location_id, func.count(),
               func.sum(case((mb.sentiment == "negative", 1), else_=0)))
        .where(mb.brand_id == brand_id, mb.created_at >= since, mb.created_at < until)
        .group_by(mb.location_id)).all()
    return {loc: (int(n), int(neg or 0)) for loc, n, neg in rows}


def _case_location() -> Any:
    return and_(MentionBrand.mention_id == Case.root_mention_id,
                MentionBrand.brand_id == Case.brand_id)


def _desk(session: Session, brand_id: int, since: datetime,
          until: datetime) -> dict[int | None, tuple[float | None, float | None, int]]:
    """Location → (SLA kept share, loop-closure rate, complaints) of the cases opened in the
    period, with the care metrics' own rules."""
    rows = session.execute(
        select(Case, Mention.created_at, MentionBrand.location_id)
        .join(Mention, Mention.id == Case.root_mention_id)
        .outerjoin(MentionBrand, _case_location())
        .where(Case.brand_id == brand_id, Case.created_at >= since, Case.created_at < until)
    ).all()
    sent: dict[int, set[str]] = defaultdict(set)
    ids = [c.id for c, _, _ in rows]
    for i in range(0, len(ids), 500):
        for case_id, kind in session.execute(
                select(Action.case_id, Action.kind)
                .where(Action.case_id.in_(ids[i:i + 500]), Action.status == "sent")):
            if case_id is not None:
                sent[case_id].add(kind)
    facts: dict[int | None, list[CaseFacts]] = defaultdict(list)
    for c, appeared, location_id in rows:
        facts[location_id].append(CaseFacts(
            state=c.state, appeared_at=appeared, first_public_at=c.first_response_at,
            sent_kinds=frozenset(sent.get(c.id, ())), outcome=c.outcome,
            sla_breached=c.sla_breached_at is not None))
    out: dict[int | None, tuple[float | None, float | None, int]] = {}
    for location_id, found in facts.items():
        m = compute(found)
        kept = 1 - m.sla_breached / m.complaints if m.complaints else None
        out[location_id] = (kept, m.loop_closure_rate, m.complaints)
    return out


def _open_cases(session: Session, brand_id: int) -> dict[int | None, int]:
    rows = session.execute(
        select(MentionBrand.location_id, func.count(Case.id))
        .select_from(Case).outerjoin(MentionBrand, _case_location())
        .where(Case.brand_id == brand_id, Case.state.in_(OPEN_STATES))
        .group_by(MentionBrand.location_id)).all()
    return {loc: int(n) for loc, n in rows}


def league(session: Session, brand_id: int, since: datetime, until: datetime,
           *, none_label: str = "") -> list[LocationRow]:
    """The brand's locations, the busiest first, then the row of mentions of no location
    (named `none_label`) when there are any."""
    previous = _volumes(session, brand_id, since - (until - since), since)
    now = _volumes(session, brand_id, since, until)
    desk = _desk(session, brand_id, since, until)
    open_cases = _open_cases(session, brand_id)
    rows = [LocationRow(loc.id, loc.name, loc.address, loc.lat, loc.lon, loc.team, loc.enabled)
            for loc in session.scalars(select(Location).where(Location.brand_id == brand_id)
                                       .order_by(Location.name))]
    rows = [r for r in rows if r.enabled or r.id in now]
    nowhere = LocationRow(None, none_label)
    for row in [*rows, nowhere]:
        row.mentions, row.negative = now.get(row.id, (0, 0))
        row.previous = previous.get(row.id, (0, 0))[0]
        row.open_cases = open_cases.get(row.id, 0)
        row.sla_kept, row.loop_closed, row.complaints = desk.get(row.id, (None, None, 0))
    rows.sort(key=lambda r: (-r.mentions, r.name))
    return rows + ([nowhere] if nowhere.mentions or nowhere.open_cases else [])


def all_locations(session: Session) -> list[tuple[int, str, str]]:
    """(id, location name, brand name) of every location, for a filter's list."""
    return [(i, name, brand) for i, name, brand in session.execute(
        select(Location.id, Location.name, Brand.name).join(Brand, Brand.id == Location.brand_id)
        .order_by(Brand.name, Location.name))]


@dataclass
class Nearby:
    mention: Mention
    location: LocationRow
    metres: int


def nearby(session: Session, brand_id: int, since: datetime, *, radius_m: float,
           limit: int = 20) -> list[Nearby]:
    """Posts with coordinates near one of the brand's locations that are not (yet) the brand's
    mentions, the newest first: what geo-listening heard, for a person to confirm."""
    found: list[Nearby] = []
    dlat = radius_m / 111_320.0
    for loc in session.scalars(select(Location).where(
            Location.brand_id == brand_id, Location.enabled.is_(True),
            Location.lat.is_not(None))):
        lat, lon = float(loc.lat or 0.0), float(loc.lon or 0.0)
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        branded = select(MentionBrand.mention_id).where(MentionBrand.brand_id == brand_id,
                                                        MentionBrand.mention_id == Mention.id)
        for m in session.scalars(
                select(Mention).where(Mention.lat.between(lat - dlat, lat + dlat),
                                      Mention.lon.between(lon - dlon, lon + dlon),
                                      Mention.created_at >= since, ~branded.exists())
                .order_by(Mention.created_at.desc()).limit(limit)):
            metres = distance_m(lat, lon, float(m.lat or 0.0), float(m.lon or 0.0))
            if metres <= radius_m:
                row = LocationRow(loc.id, loc.name, loc.address, loc.lat, loc.lon, loc.team)
                found.append(Nearby(m, row, round(metres)))
    found.sort(key=lambda n: n.mention.created_at, reverse=True)
    return found[:limit]
