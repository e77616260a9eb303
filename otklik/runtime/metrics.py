"""Prometheus metrics computed from the store at scrape time.

The desk's processes (web, scheduler, workers) come and go; the store is what they share. So the
figures are read from it when Prometheus scrapes, not counted in one process's memory: every
web process answers the same, and a restart loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from otklik.db.models import Action, AlertOutbox, Case, DeadLetter, Mention, Source
from otklik.domain.cases import OPEN_STATES
from otklik.settings import Settings

LAG_WINDOW = timedelta(minutes=15)
LAG_SAMPLE = 5000  # the newest mentions of the window; enough for a p99
QUANTILES = (0.5, 0.95, 0.99)


class StoreCollector(Collector):
    """Reads the desk's figures in one short session per scrape (and the broker's queue depth
    in distributed mode)."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings | None = None) -> None:
        self.sessions = sessions
        self.settings = settings

    def collect(self) -> Iterator[Metric]:
        now = datetime.now(UTC)
        with self.sessions() as session:
            yield from _mentions(session)
            yield from _ingest_lag(session, now)
            yield from _cases(session, now)
            yield from _sends(session)
            yield from _sources(session)
            yield from _queues(session)
        if self.settings is not None and self.settings.broker_url:
            yield from _broker(self.settings)


def _mentions(session: Session) -> Iterator[Metric]:
    family = CounterMetricFamily("otklik_mentions", "Mentions stored, by network",
                                 labels=["network"])
    for network, count in session.execute(
            select(Mention.network, func.count()).group_by(Mention.network)):
        family.add_metric([network], count)
    yield family


def _ingest_lag(session: Session, now: datetime) -> Iterator[Metric]:
    """How long after it was written a mention reached the store, over the last 15 minutes'
    ingests (a source that falls behind shows here first)."""
    # the newest by id (ids grow as mentions are stored; ingested_at has no index to walk)
    newest = session.execute(select(Mention.ingested_at, Mention.created_at)
                             .order_by(Mention.id.desc()).limit(LAG_SAMPLE)).all()
    rows = [(ingested, created) for ingested, created in newest
            if ingested >= now - LAG_WINDOW]
    lags = sorted(max(0.0, (ingested - created).total_seconds()) for ingested, created in rows)
    family = GaugeMetricFamily(
        "otklik_ingest_lag_seconds", "Seconds from a post's time to its storing, quantiles over "
        "the mentions stored in the last 15 minutes", labels=["quantile"])
    for q in QUANTILES:
        if lags:
            family.add_metric([str(q)], lags[min(len(lags) - 1, int(q * len(lags)))])
    yield family
    yield GaugeMetricFamily("otklik_ingested_recent",
                            f"Mentions stored in the last 15 minutes (counted to {LAG_SAMPLE:,})",
                            value=len(rows))


def _broker(settings: Settings) -> Iterator[Metric]:
    """Tasks waiting in the broker's queue (distributed mode); absent when it cannot be read."""
    from otklik.runtime.worker import DEFAULT_QUEUE, producer

    try:
        with producer(settings).connection_for_read() as conn:
            declared = conn.default_channel.queue_declare(DEFAULT_QUEUE, passive=True)
    except Exception:  # noqa: BLE001 - a broker outage is /readyz's to report, not a failed scrape
        return
    yield GaugeMetricFamily("otklik_queue_depth", "Tasks waiting in the broker's queue",
                            value=declared.message_count)


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


def exposition(sessions: sessionmaker[Session], settings: Settings | None = None) -> bytes:
    """The Prometheus text format of the store's figures, now."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(sessions, settings))
    return generate_latest(registry)
