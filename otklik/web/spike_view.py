"""What the spike page reads from the store: names and links for the explanation's authors and
places, the volume around the spike for its chart, the cases its posts opened, a related attack.

The story itself is written by `otklik.wording.spike_story` (pure); this module only looks up.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.db.models import Attack, Author, Brand, Case, MentionBrand, Place, Spike
from otklik.wording import words
from otklik.wording.spike_story import Story, rows_of, tell

BEFORE = timedelta(hours=24)  # the chart shows a day before the spike
AFTER = timedelta(hours=6)
MAX_SPAN = timedelta(days=4)  # a long-running spike is charted over at most this


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _names(session: Session, labels: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Author labels (handles, else names) → a readable name and a link to their mentions."""
    names: dict[str, str] = {}
    links: dict[str, str] = {}
    if not labels:
        return names, links
    for a in session.scalars(select(Author).where(Author.handle.in_(labels)).limit(500)):
        key = a.handle or ""
        names[key] = f"{a.name} (@{a.handle})" if a.name and a.name != a.handle else f"@{key}"
        links[key] = "/mentions?" + urlencode({"author": key})
    return names, links


def _places(session: Session, labels: list[str], brand_id: int, since: datetime,
            until: datetime) -> dict[str, str]:
    links: dict[str, str] = {}
    if not labels:
        return links
    for p in session.scalars(select(Place).where(Place.name.in_(labels)).limit(200)):
        links.setdefault(p.name or "", "/mentions?" + urlencode({
            "place": p.id, "brand": brand_id, "since": since.isoformat(timespec="seconds"),
            "until": until.isoformat(timespec="seconds")}))
    return links


def _cases(session: Session, mention_ids: list[int]) -> dict[int, int]:
    if not mention_ids:
        return {}
    return {m: c for c, m in session.execute(
        select(Case.id, Case.root_mention_id).where(Case.root_mention_id.in_(mention_ids)))}


def chart(session: Session, spike: Spike, tz: tzinfo, lang: str) -> dict[str, Any]:
    """Mentions per hour (local time) from a day before the spike to a few hours after it, the
    usual hourly level the detector expected, and the spike's hours to shade."""
    start = _utc(spike.start)
    end = _utc(spike.end) if spike.end else min(datetime.now(UTC), start + MAX_SPAN)
    end = min(end, start + MAX_SPAN)
    lo, hi = start - BEFORE, end + AFTER
    rows = session.execute(
        select(MentionBrand.created_at, MentionBrand.sentiment).where(
            MentionBrand.brand_id == spike.brand_id, MentionBrand.created_at >= lo,
            MentionBrand.created_at < hi))
    counts: Counter[datetime] = Counter()
    negative: Counter[datetime] = Counter()
    for created, sentiment in rows:
        hour = _utc(created).replace(minute=0, second=0, microsecond=0)
        counts[hour] += 1
        negative[hour] += sentiment == "negative"
    hours = []
    t = lo.replace(minute=0, second=0, microsecond=0)
    while t < hi:
        hours.append(t)
        t += timedelta(hours=1)
    spike_hours = max(1.0, (end - start).total_seconds() / 3600)
    usual = round(float(spike.expected or 0.0) / spike_hours, 2)

    def label(h: datetime) -> str:
        return words.when(h, lang, tz)

    inside = [label(h) for h in hours if start.replace(minute=0, second=0, microsecond=0)
              <= h < end]
    return {"t": [label(h) for h in hours], "n": [counts[h] for h in hours],
            "neg": [negative[h] for h in hours], "usual": usual,
            "from": inside[0] if inside else None, "to": inside[-1] if inside else None}


def spike_context(session: Session, spike: Spike, lang: str, tz: tzinfo) -> dict[str, Any]:
    """Everything `spike.html` needs: the story, the chart's JSON and the buttons' links."""
    ex = spike.explanation or {}
    brand = session.get(Brand, spike.brand_id)
    start = _utc(spike.start)
    end = _utc(spike.end) if spike.end else datetime.now(UTC)
    posts = rows_of(ex.get("examples")) + [
        c.get("example") or {} for c in rows_of(ex.get("clusters"))]
    authors = [str(r.get("key")) for r in rows_of(ex.get("authors")) if r.get("key")]
    authors += [str(p.get("author")) for p in posts if p.get("author")]
    names, author_links = _names(session, authors)
    places = _places(session, [str(r.get("key")) for r in rows_of(ex.get("places"))],
                     spike.brand_id, start, end)
    ids = [p.get("id") for p in posts if isinstance(p.get("id"), int)]
    story: Story = tell(spike, ex, brand=brand.name if brand else "", lang=lang, tz=tz,
                        author_names=names, author_links=author_links, place_links=places,
                        cases=_cases(session, ids))
    attack = session.scalars(select(Attack).where(
        Attack.brand_id == spike.brand_id, Attack.start < end + timedelta(hours=1),
        Attack.end > start - timedelta(hours=1)).order_by(Attack.score.desc())).first()
    window = {"brand": spike.brand_id, "since": start.isoformat(timespec="seconds"),
              "until": end.isoformat(timespec="seconds")}
    if spike.series == "negative":
        window["sentiment"] = "negative"
    return {
        "spike": spike, "story": story, "brand": brand, "attack": attack,
        "chart_json": json.dumps(chart(session, spike, tz, lang), ensure_ascii=False),
        "mentions_href": "/mentions?" + urlencode(window),
        "incident_href": "/incidents?" + urlencode({"brand": spike.brand_id, "spike": spike.id})
        + "#open-incident",
    }
