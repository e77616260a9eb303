"""One demo store for the report tests (built once: it takes a while), and its desk."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from otklik.db.engine import make_engine, make_sessionmaker
from otklik.db.migrate import upgrade
from otklik.demo.build import build_demo
from tests.conftest import Store
from tests.web.conftest import Desk, make_desk

END = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # the demo's "now": its dates never move


@dataclass
class Demo:
    store: Store
    desk: Desk
    since: date  # a span covering the whole demo
    until: date


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    path = tmp_path_factory.mktemp("report-demo")
    url = f"sqlite:///{path}/demo.db"
    engine = make_engine(url)
    upgrade(engine)
    store = Store(engine, make_sessionmaker(engine), url, "sqlite")
    build_demo(store.sessions, end=END)
    yield Demo(store, make_desk(store), date(2026, 10, 1), date(2026, 12, 31))
    engine.dispose()
