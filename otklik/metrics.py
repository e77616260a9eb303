"""Prometheus metrics computed from the store at scrape time.

The desk's processes (web, scheduler, workers) come and go; the store is what they share. So the
figures are read from it when Prometheus scrapes, not counted in one process's memory: every
web process answers the same, and a restart loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from otklik.db.models import Action, AlertOutbox, Case, DeadLetter, Mention, Source
from otklik.domain.cases import OPEN_STATES


class StoreCollector(Collector):
    """Reads the desk's figures in one short session per scrape."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        with self.sessions() as session:
            yield from _mentions(session)
            yield from _cases(session, datetime.now(UTC))
            yield from _sends(session)
            yield from _sources(session)
            yield from _queues(session)


def _mentions(session: Session) -> Iterator[Metric]:
    family = CounterMetricFamily("otklik_mentions", "Mentions stored, by network",
                                 labels=["network"])
    for network, count in session.execute(
            select(Mention.network, func.count()).group_by(Mention.network)):
        family.add_metric([network], count)
    yield family


def _cases(session: Session, now: datetime) -> Iterator[Metric]:
    open_cases = GaugeMetricFamily("otklik_cases_open", "Open cases, by brand and state",
                                   labels=["brand_id", "state"])
    for brand_id, state, count in session.execute(
            select(Case.brand_id, Case.state, func.count())
            .where(Case.state.in_(OPEN_STATES)).group_by(Case.brand_id, Case.state)):
        open_cases.add_metric([str(brand_id), state], count)
    yield open_cases
    breached = GaugeMetricFamily(
        "otklik_sla_breaches", "Open cases whose first answer is overdue, by brand",
        labels=["brand_id"])
    for brand_id, count in session.execute(
            select(Case.brand_id, func.count())
            .where(Case.state.in_(OPEN_STATES), Case.first_response_at.is_(None),
                   Case.first_response_due_at < now)
            .group_by(Case.brand_id)):
        breached.add_metric([str(brand_id)], count)
    yield breached


def _sends(session: Session) -> Iterator[Metric]:
    family = GaugeMetricFamily("otklik_actions", "Replies and posts, by network and status "
                               "(draft, approved, sent, failed…)", labels=["network", "status"])
    for network, status, count in session.execute(
            select(Action.network, Action.status, func.count())
            .group_by(Action.network, Action.status)):
        family.add_metric([network, status], count)
    yield family


def _sources(session: Session) -> Iterator[Metric]:
    failing = or_(
        and_(Source.last_error_at.is_not(None), Source.last_success_at.is_(None)),
        Source.last_error_at > Source.last_success_at,
    )
    family = GaugeMetricFamily("otklik_sources_failing",
                               "Enabled sources whose last poll failed, by network",
                               labels=["network"])
    for network, count in session.execute(
            select(Source.network, func.count())
            .where(Source.enabled.is_(True), failing).group_by(Source.network)):
        family.add_metric([network], count)
    yield family


def _queues(session: Session) -> Iterator[Metric]:
    yield GaugeMetricFamily("otklik_dead_letters", "Tasks that kept failing, not yet replayed",
                            value=session.scalar(select(func.count()).select_from(DeadLetter)
                                                 .where(DeadLetter.replayed_at.is_(None))) or 0)
    alerts = GaugeMetricFamily("otklik_alert_deliveries", "Alert deliveries, by state",
                               labels=["state"])
    for state, count in session.execute(
            select(AlertOutbox.state, func.count()).group_by(AlertOutbox.state)):
        alerts.add_metric([state], count)
    yield alerts


def exposition(sessions: sessionmaker[Session]) -> bytes:
    """The Prometheus text format of the store's figures, now."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(sessions))
    return generate_latest(registry)
