"""One demo store for the report tests (built once: it takes a while), and its desk."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from otklik.db.engine import make_engine, make_sessionmaker
from otklik.db.migrate import upgrade
from otklik.db.models import Brand, Mention, MentionBrand
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


def brand_with_mentions(store: Any, n: int = 30) -> int:
    """A brand in Moscow time with `n` mentions from 2026-11-23 08:00 UTC, five hours apart;
    the text of one starts with "=" (a spreadsheet must keep it as text), one has an emoji
    no font of the PDF may have."""
    with store.sessions() as s:
        brand = Brand(slug="zerno", name="Зерно", working_hours={"tz": "Europe/Moscow"})
        s.add(brand)
        s.flush()
        for i in range(n):
            at = datetime(2026, 11, 23, 8, tzinfo=UTC) + timedelta(hours=5 * i)
            text = ("=1+1 Зерно" if i == 0 else "Зерно, молодцы 👍" if i == 1
                    else f"Зерно, заказ {i}")
            m = Mention(network="vk", external_id=f"-1_{i}", text=text, created_at=at,
                        sentiment="negative" if i % 3 else "positive")
            s.add(m)
            s.flush()
            s.add(MentionBrand(mention_id=m.id, brand_id=brand.id, sentiment=m.sentiment,
                               created_at=at))
        s.commit()
        return brand.id
