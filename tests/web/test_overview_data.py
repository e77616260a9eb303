"""The overview's figures equal a plain count in Python, per bucket, on both stores."""

from __future__ import annotations

import html
import json
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from otklik.actions.unit import transaction
from otklik.db.models import Brand, Mention, MentionBrand, Spike
from otklik.domain.enrichment import Enriched
from otklik.domain.posts import Author
from otklik.figures import overview as data
from otklik.figures.buckets import key_of
from otklik.figures.people import person_keys, top_people
from otklik.flow.pipeline import ingest
from tests.factories import make_post

LABELS = ("negative", "neutral", "positive", None)


@pytest.mark.parametrize(("days", "bucket", "zone"), [
    (2, "hour", "UTC"), (7, "day", "Europe/Moscow"), (2, "hour", "Asia/Kolkata")])
def test_volume_and_split_match_a_plain_count(store: Any, days: int, bucket: str,
                                              zone: str) -> None:
    """Buckets are the desk's local hours and days (Kolkata: half an hour off UTC's)."""
    tz = ZoneInfo(zone)
    rng = random.Random(days)
    now = datetime.now(UTC)
    until = now - timedelta(minutes=17)  # windows that do not start or end on a bucket edge
    since = until - timedelta(days=days)
    posts = [make_post(created_at=now - timedelta(minutes=rng.randint(0, (days + 1) * 1440)))
             for _ in range(300)]
    with transaction(store.sessions) as s:
        brand = Brand(slug="zerno", name="Зерно")
        s.add(brand)
        s.flush()
        brand_id = brand.id

    def label(batch: list[Enriched]) -> None:
        for item in batch:
            item.sentiment = rng.choice(LABELS)
            if rng.random() < 0.5:
                item.brand_matches = {brand_id: []}

    with transaction(store.sessions) as s:
        ingest(s, posts, enrichers=[label])
    with transaction(store.sessions) as s:
        for brand in (None, brand_id):
            stmt = select(Mention.created_at, Mention.sentiment)
            if brand is not None:
                stmt = stmt.join(MentionBrand, MentionBrand.mention_id == Mention.id)
            rows = [(t, label) for t, label in s.execute(stmt) if since <= t < until]
            n = Counter(key_of(t, bucket, tz) for t, _ in rows)
            neg = Counter(key_of(t, bucket, tz) for t, lb in rows if lb == "negative")
            series, split = data.volume_and_split(s, brand, since, until, bucket, tz)
            assert series == [{"t": t, "n": n[t], "neg": neg[t]} for t in sorted(n)]
            counted = Counter(label or "unknown" for _, label in rows)
            assert split == {k: counted[k] for k in (*LABELS[:3], "unknown")}
            assert 0 < sum(n.values()) < len(posts)


def test_top_authors_list_a_person_once(store: Any) -> None:
    """One person on two networks (same handle and full name), a duplicate row of one account
    (same network and handle), and namesakes who stay apart."""
    now = datetime.now(UTC)
    people = [
        ("vk", "vk-1", "olga_s", "Ольга Смирнова", 5),
        ("telegram", "tg-1", "Olga_S", "ольга  смирнова", 3),  # the same handle and name
        ("telegram", "tg-2", "olga1990", "Ольга Смирнова", 1),  # a namesake
        ("vk", "vk-2", "Petr", "Пётр", 4),
        ("vk", "vk-3", "@petr", "Пётр И.", 2),  # the same VK handle: one account, two rows
        ("vk", "vk-4", "masha", "Мария", 6),
        ("telegram", "tg-4", "masha", "Мария", 1),  # one word is no full name: not merged
    ]
    posts = [make_post(network=net, author=Author(external_id=ext, handle=handle, name=name),
                       created_at=now - timedelta(minutes=5 + i))
             for net, ext, handle, name, k in people for i in range(k)]
    with transaction(store.sessions) as s:
        ingest(s, posts)
    with transaction(store.sessions) as s:
        top = top_people(s, None, now - timedelta(days=1), now)
    got = {(p["label"], p["count"], p["accounts"], tuple(p["networks"])) for p in top}
    assert got == {("Ольга Смирнова", 8, 2, ("vk", "telegram")), ("Мария", 6, 1, ("vk",)),
                   ("Пётр", 6, 2, ("vk",)), ("Мария", 1, 1, ("telegram",)),
                   ("Ольга Смирнова", 1, 1, ("telegram",))}
    assert person_keys("vk", "@Petr ", "Пётр") == ["vk:@petr"]


def test_the_overview_chart_is_in_the_desks_zone_with_spike_headlines(desk: Any) -> None:
    """Days are Moscow's (the Russian desk's default zone): a mention at 22:30 UTC counts on the
    next local day; the spike's pin sits on its local day and carries its headline."""
    now = datetime.now(UTC)
    late = (now - timedelta(days=2)).replace(hour=22, minute=30)
    with transaction(desk.store.sessions) as s:
        brand = Brand(slug="zerno", name="Зерно")
        s.add(brand)
        s.flush()
        s.add(Spike(brand_id=brand.id, start=late - timedelta(hours=1), peak=late, volume=30,
                    expected=5.0, severity=0.9, explanation={}))
    with transaction(desk.store.sessions) as s:
        ingest(s, [make_post(created_at=late)])
    page = desk.client("viewer").get("/overview?days=7").text
    chart = json.loads(html.unescape(re.search(r'data-chart="([^"]*)"', page).group(1)))
    moscow = ZoneInfo("Europe/Moscow")
    local_day = key_of(late, "day", moscow)
    assert local_day != late.strftime("%Y-%m-%d") and chart["t"] == [local_day]
    assert chart["spikes"][0]["t"] == local_day
    assert chart["spikes"][0]["headline"].startswith("Всплеск упоминаний «Зерно»: 30")
    assert "«Зерно»: 30" in page and chart["x"][0].endswith(
        ("янв.", "февр.", "марта", "апр.", "мая", "июня", "июля", "авг.", "сент.", "окт.",
         "нояб.", "дек."))
