"""The demo's desk in Russian and in English, crawled as a new user would: no internal code, no
Python repr, no catalogue key instead of its words, no Russian on the English desk.

Every page within two clicks of the overview, the inbox and the mentions (one page per route
shape) is read as text; a state, an event name, a kind, a signal or explanation key shown as
such fails the test, as does `{'`, `None`, a traceback or an exception name with a colon, a key
of the catalogue shown raw, or Cyrillic outside people's words on the English desk. The
list of codes is built from the program's own constants, its audit event names and the stored
attack signals and spike explanations, so it grows with them (see `tests/web/readable.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from otklik.db.base import Base
from otklik.db.models import Attack, Spike
from otklik.demo.build import build_demo
from otklik.wording.codes import codes as worded
from otklik.wording.codes import word
from tests.conftest import _sqlite_store
from tests.web.conftest import Desk, make_desk
from tests.web.readable import (
    Reader,
    crawl,
    event_names,
    keys_of,
    people_words,
    problems,
    raw_keys,
    static_codes,
)

START = ("/overview", "/inbox", "/mentions")
Demo = tuple[Desk, set[str], frozenset[str]]


@pytest.fixture(scope="module")
def demo_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo, built once for this module's tests, with the codes and the Russian strings its
    store holds."""
    gen = _sqlite_store(tmp_path_factory.mktemp("demo-desk"))
    store = next(gen)
    build_demo(store.sessions)
    codes = static_codes()
    with store.sessions() as session:
        for doc in session.scalars(select(Attack.signals)):
            codes |= keys_of(doc)
        for doc in session.scalars(select(Spike.explanation)):
            codes |= keys_of(doc)
        people = people_words(row for table in Base.metadata.sorted_tables
                              for row in session.execute(select(table)))
    yield make_desk(store), codes, people
    next(gen, None)


def _get(client: Any) -> Any:
    def get(url: str) -> tuple[int, str]:
        response = client.get(url)
        return response.status_code, response.text
    return get


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_desk_shows_no_internal_code_or_python_repr(
        demo_desk: Demo, lang: str) -> None:
    desk, codes, people = demo_desk
    client = desk.client("admin")
    assert client.post("/lang", data={"lang": lang}).status_code == 303
    report, seen = crawl(_get(client), START, codes, reader=Reader(lang, raw_keys(), people))
    assert f'<html lang="{lang}">' in client.get("/overview").text
    assert len(seen) >= 10, sorted(seen)
    assert not report, "\n".join(f"{url}: {found[:5]}" for url, found in report.items())


def test_the_inbox_lists_a_page_of_cases_not_all(demo_desk: Demo) -> None:
    desk, _, _ = demo_desk
    html = desk.client("viewer").get("/inbox").text
    rows = re.findall(r'<tr id="case-row-\d+"', html)
    assert 1 <= len(rows) <= 100
    assert not re.search(r"\d\s*min\b", html)  # SLA in words, not raw minutes
    second = desk.client("viewer").get("/inbox?page=2").text
    assert set(re.findall(r'case-row-(\d+)', second)).isdisjoint(
        re.findall(r'case-row-(\d+)', html))


def test_the_spike_page_tells_the_spike_in_sentences(demo_desk: Demo) -> None:
    desk, codes, _ = demo_desk
    with desk.store.sessions() as session:
        spike_id = session.scalars(select(Spike.id).order_by(Spike.volume.desc())).first()
    html = desk.client("viewer").get(f"/spikes/{spike_id}").text
    assert "Всплеск упоминаний «Зерно»" in html and "больше обычного" in html
    assert 'class="chart spike-chart"' in html and "/static/spike.js" in html
    assert "<blockquote" in html  # example posts quoted
    assert not problems(html, codes)


def test_every_code_the_program_defines_has_words() -> None:
    """A new state, event or kind needs its entry in `otklik.wording.codes` (else the page shows
    its parts spaced out, which the crawl would let pass but nobody should read)."""
    from otklik.domain import cases as sm
    from otklik.domain.posts import NETWORKS

    missing = [e for e in event_names() if e not in worded("event")]
    missing += [s for s in sm.STATES if s not in worded("state")]
    missing += [n for n in NETWORKS if n not in worded("network")]
    assert not missing
    assert word("state", "answered_publicly", "ru") == "ответили публично"
    assert word("event", "case.open", "en") == "case opened"
