"""The periodic detection task over the demo scenario: spikes and the planted attack are stored
and alerted (the same function the embedded scheduler and Celery beat run)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from otklik.actions.brands import create_brand
from otklik.actions.unit import transaction
from otklik.alerts.events import AlertEvent
from otklik.db.models import Attack, Spike
from otklik.demo.build import BRANDS
from otklik.demo.scenario import build_scenario
from otklik.flow.pipeline import ingest
from otklik.flow.wiring import Enrichment
from otklik.runtime import tasks
from otklik.runtime.process import Runtime
from otklik.settings import Settings


class Recorder:
    """Stands in for the alert dispatcher: keeps what would be sent."""

    def __init__(self) -> None:
        self.events: list[AlertEvent] = []

    def submit(self, _session: object, events: list[AlertEvent], now: object = None) -> None:
        self.events += events


def test_detect_stores_spikes_and_the_planted_attack(sqlite_store) -> None:
    end = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    scenario = build_scenario(end=end)
    spec = BRANDS[0]
    with transaction(sqlite_store.sessions) as s:
        brand_id = create_brand(s, spec["name"], slug=spec["slug"], queries=spec["queries"]).id
    rt = Runtime(settings=Settings(database_url=sqlite_store.url), engine=sqlite_store.engine,
                 sessions=sqlite_store.sessions, enrichment=Enrichment(sentiment=False))
    recorder = Recorder()
    rt.dispatcher = recorder  # type: ignore[assignment]
    enrichers = rt.enrichers()
    with transaction(sqlite_store.sessions) as s:
        ingest(s, scenario.posts, enrichers=enrichers)
    result = tasks.detect(rt, brand_id, now=end)
    assert result["attacks"] >= 1 and result["spikes"] >= 1
    with transaction(sqlite_store.sessions) as s:
        assert s.scalar(select(func.count()).select_from(Attack)) == result["attacks"]
        assert s.scalar(select(func.count()).select_from(Spike)) >= 1
    kinds = {e.kind for e in recorder.events}
    assert {"spike", "attack"} <= kinds
    again = tasks.detect(rt, brand_id, now=end)  # idempotent: nothing new to alert
    assert again["spikes"] == 0
