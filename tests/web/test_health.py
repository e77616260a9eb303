"""Liveness, readiness and Prometheus metrics, as an orchestrator and Prometheus see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from otklik.settings import Settings
from otklik.web.health import address_allowed
from tests.web.conftest import make_desk
from tests.web.test_api import _mention


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_healthz_and_readyz_need_no_sign_in(any_desk: Any) -> None:
    client = any_desk.client()
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"store": "ok", "broker": "not used (embedded mode)"}


def test_readyz_says_when_the_store_is_behind_the_migrations(sqlite_store: Any) -> None:
    desk = make_desk(sqlite_store)
    with sqlite_store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    ready = desk.client().get("/readyz")
    assert ready.status_code == 503
    assert "run otklik init" in ready.json()["checks"]["store"]


def test_readyz_checks_the_broker_in_distributed_mode(sqlite_store: Any) -> None:
    from fastapi.testclient import TestClient

    from otklik.web import create_app

    settings = Settings(database_url=sqlite_store.url, secret_key="test-secret-key-0123456789",
                        broker_url="redis://127.0.0.1:6379/13")  # the machine's Redis
    ready = TestClient(create_app(settings, engine=sqlite_store.engine)).get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"store": "ok", "broker": "ok"}


def test_readyz_says_when_the_broker_is_unreachable(sqlite_store: Any) -> None:
    from otklik.web import create_app

    settings = Settings(database_url=sqlite_store.url, secret_key="test-secret-key-0123456789",
                        broker_url="redis://127.0.0.1:9/0")
    app = create_app(settings, engine=sqlite_store.engine)
    from fastapi.testclient import TestClient

    ready = TestClient(app).get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["broker"].startswith("broker unreachable")


def test_metrics_need_a_token_or_an_allowed_address(any_desk: Any) -> None:
    assert any_desk.client().get("/metrics").status_code == 401
    bad = any_desk.client()
    bad.headers["Authorization"] = "Bearer otk_nope"
    assert bad.get("/metrics").status_code == 401
    response = any_desk.api("viewer").get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")


def test_metrics_count_from_the_store(any_desk: Any) -> None:
    from otklik.actions.brands import create_brand
    from otklik.actions.cases import open_case
    from otklik.db.models import Case, Source

    ids = any_desk.api("admin").post("/api/v1/ingest", json={"mentions": [
        _mention(1), _mention(2), _mention(3, network="telegram")]}).json()["mention_ids"]
    with any_desk.store.sessions() as session:
        brand = create_brand(session, "Зерно")
        first = open_case(session, ids[0], brand.id, actor="test")
        second = open_case(session, ids[1], brand.id, actor="test")
        session.flush()
        now = datetime.now(UTC)
        session.get(Case, first.id).first_response_due_at = now - timedelta(hours=1)
        session.get(Case, second.id).first_response_due_at = now + timedelta(hours=1)
        session.add(Source(network="vk", name="broken", last_error_at=datetime.now(UTC),
                           last_error="401"))
        session.commit()
    text = any_desk.api("viewer").get("/metrics").text
    samples = _samples(text)
    assert samples[("otklik_mentions_total", (("network", "vk"),))] == 2
    assert samples[("otklik_mentions_total", (("network", "telegram"),))] == 1
    open_total = sum(v for (name, _), v in samples.items() if name == "otklik_cases_open")
    assert open_total == 2
    assert samples[("otklik_sla_breaches", (("brand_id", str(brand.id)),))] == 1
    assert samples[("otklik_sources_failing", (("network", "vk"),))] == 1
    assert all(name.startswith("otklik_") for name, _ in samples)


def test_an_allowed_address_reads_metrics_without_a_token(sqlite_store: Any) -> None:
    from fastapi.testclient import TestClient

    from otklik.web import create_app

    settings = Settings(database_url=sqlite_store.url, secret_key="test-secret-key-0123456789",
                        metrics_addresses="10.0.0.0/8, testclient-is-not-an-ip, 127.0.0.1")
    app = create_app(settings, engine=sqlite_store.engine)
    client = TestClient(app, client=("127.0.0.1", 50000))
    assert client.get("/metrics").status_code == 200
    other = TestClient(app, client=("192.0.2.7", 50000))
    assert other.get("/metrics").status_code == 401


def test_address_list() -> None:
    assert address_allowed("10.1.2.3", "10.0.0.0/8")
    assert address_allowed("::1", "127.0.0.1,::1")
    assert not address_allowed("10.1.2.3", "")
    assert not address_allowed("testclient", "10.0.0.0/8")
    assert not address_allowed("192.0.2.1", "bogus,10.0.0.0/8")


def test_the_grafana_dashboard_uses_only_metrics_we_serve(any_desk: Any) -> None:
    import json
    import re
    from pathlib import Path

    dashboard = json.loads((Path(__file__).parents[2] / "deploy" / "grafana-otklik.json")
                           .read_text("utf-8"))
    used = {name for panel in dashboard["panels"] for target in panel["targets"]
            for name in re.findall(r"otklik_\w+", target["expr"])}
    text = any_desk.api("viewer").get("/metrics").text
    served = {family.name for family in text_string_to_metric_families(text)}
    served |= {f"{name}_total" for name in served}
    served.add("otklik_queue_depth")  # distributed mode only: tested above with Redis
    assert used and used <= served, used - served


def test_metrics_show_the_ingest_lag(sqlite_store: Any) -> None:
    desk = make_desk(sqlite_store)
    written = (datetime.now(UTC) - timedelta(minutes=3)).isoformat()
    desk.api("admin").post("/api/v1/ingest", json={"mentions": [
        _mention(n, created_at=written) for n in range(1, 4)]})
    samples = _samples(desk.api("viewer").get("/metrics").text)
    p95 = samples[("otklik_ingest_lag_seconds", (("quantile", "0.95"),))]
    assert 170 <= p95 <= 3600  # three minutes late, give or take the run's own time
    assert samples[("otklik_ingested_recent", ())] == 3


def test_metrics_show_the_queue_depth_in_distributed_mode(sqlite_store: Any) -> None:
    import redis
    from fastapi.testclient import TestClient

    from otklik.runtime.worker import enqueue_ingest
    from otklik.web import create_app

    queue_db = redis.Redis(host="127.0.0.1", port=6379, db=12)
    queue_db.flushdb()
    settings = Settings(database_url=sqlite_store.url, secret_key="test-secret-key-0123456789",
                        broker_url="redis://127.0.0.1:6379/12",
                        metrics_addresses="127.0.0.1")
    try:
        for n in (1, 2):
            enqueue_ingest(settings, [_mention(n)])
        client = TestClient(create_app(settings, engine=sqlite_store.engine),
                            client=("127.0.0.1", 50000))
        samples = _samples(client.get("/metrics").text)
        assert samples[("otklik_queue_depth", ())] == 2
    finally:
        queue_db.flushdb()
