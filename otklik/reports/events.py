"""Incidents, announcements, attacks and refutations of the period, with their effect.

An incident's effect is the brand's negative mentions in the day before it began against the day
after it was resolved (or after it began, while it is still open); an attack's is the share of
its reach the refutation covered. Each figure is one count over the brand's indexed window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from otklik.db.models import Announcement, Attack, Case, Incident, MentionBrand, Refutation

if TYPE_CHECKING:
    from otklik.reports.figures import Window

DAY = timedelta(days=1)


@dataclass
class IncidentLine:
    id: int
    title: str
    status: str
    started_at: datetime
    resolved_at: datetime | None
    cases: int
    negative_before: int  # the day before it began
    negative_after: int  # the day after it was resolved (or began, while open)

    @property
    def hours_to_resolve(self) -> float | None:
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.started_at).total_seconds() / 3600


@dataclass
class AnnouncementLine:
    id: int
    title: str
    kind: str
    status: str
    publish_at: datetime


@dataclass
class AttackLine:
    id: int
    start: datetime
    end: datetime
    score: float
    posts: int
    accounts: int
    refutation: str | None  # its refutation's status, if any
    coverage: float | None


@dataclass
class Events:
    incidents: list[IncidentLine]
    announcements: list[AnnouncementLine]
    attacks: list[AttackLine]


def _negatives(session: Session, brand_id: int, start: datetime, end: datetime) -> int:
    return int(session.scalar(
        select(func.count()).select_from(MentionBrand).where(
            MentionBrand.brand_id == brand_id, MentionBrand.created_at >= start,
            MentionBrand.created_at < end, MentionBrand.sentiment == "negative")) or 0)


def events_in(session: Session, brand_id: int, w: Window) -> Events:
    """What happened in the window: incidents that overlap it, announcements published in it,
    attacks that began in it."""
    incidents = []
    for inc in session.scalars(
        select(Incident).where(
            Incident.brand_id == brand_id, Incident.started_at < w.until,
            or_(Incident.resolved_at.is_(None), Incident.resolved_at >= w.since))
        .order_by(Incident.started_at)
    ):
        after = inc.resolved_at or inc.started_at
        cases = session.scalar(select(func.count()).select_from(Case)
                               .where(Case.incident_id == inc.id)) or 0
        incidents.append(IncidentLine(
            inc.id, inc.title, inc.status, inc.started_at, inc.resolved_at, int(cases),
            _negatives(session, brand_id, inc.started_at - DAY, inc.started_at),
            _negatives(session, brand_id, after, after + DAY)))
    announcements = [
        AnnouncementLine(a.id, a.title, a.kind, a.status, a.publish_at)
        for a in session.scalars(select(Announcement).where(
            Announcement.brand_id == brand_id, Announcement.publish_at >= w.since,
            Announcement.publish_at < w.until).order_by(Announcement.publish_at))
    ]
    attacks = []
    for at in session.scalars(select(Attack).where(
            Attack.brand_id == brand_id, Attack.start >= w.since, Attack.start < w.until)
            .order_by(Attack.start)):
        ref = session.scalar(select(Refutation).where(Refutation.attack_id == at.id)
                             .order_by(Refutation.id.desc()).limit(1))
        attacks.append(AttackLine(
            at.id, at.start, at.end, at.score, len(at.mention_ids or []), len(at.authors or []),
            ref.status if ref else None, ref.coverage if ref else None))
    return Events(incidents, announcements, attacks)
