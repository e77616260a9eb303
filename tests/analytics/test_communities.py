"""Place stance with Bayesian smoothing, opponents, and Louvain groups of opponents."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from otklik.analytics.communities import (
    FRIENDLY,
    HOSTILE,
    NEUTRAL,
    OFFICIAL,
    CommunityParams,
    PlaceInfo,
    StancePost,
    interaction_graph,
    opponent_groups,
    opponents,
    place_stances,
)

NOW = datetime(2026, 11, 20, tzinfo=UTC)
_ids = itertools.count()
WAVE = [
    json.loads(x)["text"]
    for x in (Path(__file__).parent.parent / "fixtures/attacks/airline_complaint_wave.jsonl")
    .read_text(encoding="utf-8").splitlines()
]


def post(author: str, place: str | None, sentiment: str | None, days_ago: float = 1.0,
         text: str = "", reply_to: str | None = None) -> StancePost:
    return StancePost(
        id=str(next(_ids)), author=author, place=place, sentiment=sentiment, text=text,
        created_at=NOW - timedelta(days=days_ago), reply_to_author=reply_to,
    )


def background(n: int = 200) -> list[StancePost]:
    """The brand's ordinary stream: mostly neutral, some negative and positive, many places."""
    labels = ["neutral"] * 6 + ["negative"] * 2 + ["positive"] * 2
    return [post(f"u{i}", f"misc{i % 20}", labels[i % 10], days_ago=i % 14) for i in range(n)]


def by_place(stances: list) -> dict:
    return {s.place: s for s in stances}


def test_three_negative_posts_is_not_a_hostile_place() -> None:
    posts = [*background(), *(post(f"x{i}", "tiny", "negative") for i in range(3))]
    tiny = by_place(place_stances(posts, {}, NOW))["tiny"]
    assert tiny.negative == 3 and tiny.volume == 3
    assert tiny.stance == NEUTRAL
    assert 0.2 < tiny.negative_share < 0.6  # pulled toward the brand's 20 % by the prior
    assert tiny.stance_score > -1.0 and not tiny.flagged


def test_many_negative_posts_make_a_hostile_flagged_place() -> None:
    hostile = [post(f"h{i}", "antibrand", "negative" if i % 8 else "neutral") for i in range(40)]
    posts = [*background(), *hostile]
    places = {"antibrand": PlaceInfo(name="Anti brand", audience=50_000)}
    s = by_place(place_stances(posts, places, NOW))["antibrand"]
    assert s.stance == HOSTILE and s.flagged and s.p_hostile > 0.99
    assert s.negative_share < 35 / 40  # smoothed, below the raw share
    assert s.audience == 50_000 and s.name == "Anti brand"


def test_small_hostile_place_is_not_flagged_and_official_stays_official() -> None:
    small = [post(f"s{i}", "smallgroup", "negative") for i in range(12)]
    own = [post(f"o{i}", "brandpage", "negative") for i in range(30)]
    places = {"smallgroup": PlaceInfo(audience=40), "brandpage": PlaceInfo(official=True)}
    stances = by_place(place_stances([*background(), *small, *own], places, NOW))
    assert stances["smallgroup"].stance == HOSTILE and not stances["smallgroup"].flagged
    assert stances["brandpage"].stance == OFFICIAL and not stances["brandpage"].flagged


def test_friendly_place_growth_and_trend() -> None:
    fans = [post(f"f{i}", "fans", "positive", days_ago=1 + i % 3) for i in range(15)]
    fans += [post(f"g{i}", "fans", "positive", days_ago=9) for i in range(5)]
    s = by_place(place_stances([*background(), *fans], {}, NOW))["fans"]
    assert s.stance == FRIENDLY and s.stance_score > 0
    assert s.growth == (15 - 5) / 5
    assert [row["volume"] for row in s.trend][-2:] == [5, 15]


def test_opponents_need_repeated_negativity() -> None:
    posts = [*background(), post("once", "p", "negative"),
             *(post("again", "p", "negative", days_ago=d) for d in range(4)),
             *(post("mixed", "p", lab) for lab in ["negative", "negative"] + ["positive"] * 8)]
    found = opponents(posts)
    assert "again" in found and "once" not in found and "mixed" not in found
    assert found["again"]["negative"] == 4


def test_customers_of_one_outage_are_not_opponents() -> None:
    """Twenty customers complain twice in one afternoon, alike, on the brand's page and reply to
    each other: a wave, not a group of opponents."""
    posts = background()
    for i in range(20):
        posts += [post(f"c{i}", "brandpage", "negative", days_ago=0.2, text=WAVE[i % 10]),
                  post(f"c{i}", "brandpage", "negative", days_ago=0.1, text="still broken",
                       reply_to=f"c{(i + 1) % 20}")]
    assert opponents(posts) == {} and opponent_groups(posts) == []


def test_the_brands_own_page_links_no_one() -> None:
    posts = two_camps()
    g = interaction_graph(posts, {"a0", "b0"}, own_places=frozenset({"brandpage"}))
    assert not g.has_edge("a0", "b0")  # they met only on the brand's page


def two_camps() -> list[StancePost]:
    """Two groups of opponents: each replies within itself, has its own place and shared texts;
    both also complain on the brand's page (which links everyone a little)."""
    posts = background()
    camps = {"a": ("forum_a", WAVE[1]), "b": ("forum_b", WAVE[6])}
    for camp, (place, text) in camps.items():
        members = [f"{camp}{i}" for i in range(4)]
        for i, m in enumerate(members):
            other = members[(i + 1) % 4]
            posts += [  # opponents keep at it: on different days
                post(m, place, "negative", text=f"{text} #{m}", days_ago=1),
                post(m, place, "negative", text=f"@{other} exactly this", reply_to=other,
                     days_ago=2),
                post(m, "brandpage", "negative", text=WAVE[10 + i + (4 if camp == "b" else 0)],
                     days_ago=3),
            ]
    return posts


def test_interaction_graph_links_replies_places_and_texts() -> None:
    posts = two_camps()
    g = interaction_graph(posts, {"a0", "a1", "b0"})
    assert g["a0"]["a1"]["reply"] == 1 and g["a0"]["a1"]["text"] >= 1
    assert g["a0"]["a1"]["place"] == 2 and g["a0"]["b0"]["text"] == 0  # forum_a, brandpage
    assert g["a0"]["a1"]["weight"] > g["a0"]["b0"]["weight"] > 0  # b0 shares only brandpage


def test_louvain_separates_the_two_camps_and_is_repeatable() -> None:
    params = CommunityParams()
    groups = opponent_groups(two_camps(), params)
    assert sorted(tuple(g.members) for g in groups) == [
        ("a0", "a1", "a2", "a3"), ("b0", "b1", "b2", "b3"),
    ]
    a = next(g for g in groups if g.members[0] == "a0")
    assert a.stance == HOSTILE and a.places[0] == "forum_a"
    assert a.typical_texts[0].startswith(WAVE[1][:30])
    assert a.links["reply"] >= 4
    again = opponent_groups(two_camps(), params)
    assert [g.key for g in again] == [g.key for g in groups]


def test_no_opponents_no_groups() -> None:
    assert opponent_groups(background()) == []


# --- storing: otklik.actions.communities on both stores ---------------------------------------

def test_refresh_communities_upserts_idempotently(store) -> None:
    from sqlalchemy import select

    from otklik.actions.communities import refresh_communities
    from otklik.actions.unit import transaction
    from otklik.db.models import Brand, Channel, Community
    from otklik.domain.posts import Author as AuthorRef
    from otklik.domain.posts import Place as PlaceRef
    from otklik.domain.posts import Post
    from otklik.flow.pipeline import ingest

    items = [*two_camps(), *(post(f"h{i}", "antibrand", "negative") for i in range(25))]
    with transaction(store.sessions) as s:
        brand = Brand(slug="aa", name="American")
        s.add(brand)
        s.flush()
        brand_id = brand.id
        s.add(Channel(brand_id=brand_id, network="vk", external_id="brandpage", name="AA"))
    by_id = {x.id: x for x in items}
    posts = []
    for x in items:
        parent = None
        if x.reply_to_author:  # the reply answers the replied author's first post
            parent = next(y.id for y in items if y.author == x.reply_to_author)
        posts.append(Post(
            network="vk", external_id=x.id, text=x.text or f"post {x.id}",
            created_at=x.created_at, author=AuthorRef(external_id=x.author),
            place=PlaceRef(external_id=x.place, name=x.place.upper(),
                           audience=5000 if x.place == "antibrand" else None),
            parent_external_id=parent,
        ))

    def enrich(batch) -> None:
        for item in batch:
            item.brand_matches = {brand_id: []}
            item.sentiment = by_id[item.post.external_id].sentiment

    with transaction(store.sessions) as s:
        ingest(s, posts, enrichers=[enrich])
    with transaction(store.sessions) as s:
        first = refresh_communities(s, brand_id, now=NOW)
    with transaction(store.sessions) as s:
        again = refresh_communities(s, brand_id, now=NOW)
    assert first.created > 20 and again.created == 0 and again.updated == 0
    with transaction(store.sessions) as s:
        rows = {(c.kind, c.key): c for c in s.scalars(select(Community))}
        assert len(rows) == first.created
        anti = rows[("place", "vk:antibrand")]
        assert anti.stance == HOSTILE and anti.flagged and anti.audience == 5000
        assert anti.volume == 25 and anti.place_id is not None
        assert rows[("place", "vk:brandpage")].stance == OFFICIAL
        groups = [c for k, c in rows.items() if k[0] == "author_group"]
        members = sorted(tuple(g.details["members"]) for g in groups)
        assert members == [tuple(f"vk:a{i}" for i in range(4)), tuple(f"vk:b{i}" for i in range(4))]
        assert all(g.details["links"]["reply"] >= 4 for g in groups)


def test_refresh_reads_the_brands_spikes_as_waves(store) -> None:
    """Customers of a three-day outage complain every day in a city chat, answering each other:
    with the outage's spike stored they are no group; without it they would pass for one."""
    from sqlalchemy import delete, select

    from otklik.actions.communities import refresh_communities
    from otklik.actions.unit import transaction
    from otklik.db.models import Brand, Community, Spike
    from otklik.domain.posts import Author as AuthorRef
    from otklik.domain.posts import Place as PlaceRef
    from otklik.domain.posts import Post
    from otklik.flow.pipeline import ingest

    start = NOW - timedelta(days=6)
    items = background()
    for i in range(8):
        items += [post(f"c{i}", "city_chat", "negative", text=f"{WAVE[(i + d) % 20]} day {d}",
                       days_ago=6 - d - i / 24, reply_to=f"c{(i + 1) % 8}") for d in range(3)]
    with transaction(store.sessions) as s:
        brand = Brand(slug="aa", name="American")
        s.add(brand)
        s.flush()
        brand_id = brand.id
        s.add(Spike(brand_id=brand_id, start=start, peak=start + timedelta(days=1),
                    end=start + timedelta(days=3), volume=24))
    first = {x.author: x.id for x in reversed(items)}
    posts = [Post(network="vk", external_id=x.id, text=x.text or f"post {x.id}",
                  created_at=x.created_at, author=AuthorRef(external_id=x.author),
                  place=PlaceRef(external_id=x.place or "misc"),
                  parent_external_id=first.get(x.reply_to_author or ""))
             for x in items]
    by_id = {x.id: x for x in items}

    def enrich(batch) -> None:
        for item in batch:
            item.brand_matches = {brand_id: []}
            item.sentiment = by_id[item.post.external_id].sentiment

    with transaction(store.sessions) as s:
        ingest(s, posts, enrichers=[enrich])
    with transaction(store.sessions) as s:
        assert refresh_communities(s, brand_id, now=NOW).groups == []
        s.execute(delete(Spike))
    with transaction(store.sessions) as s:
        groups = refresh_communities(s, brand_id, now=NOW).groups
    assert groups and {m for g in groups for m in g.members} <= {f"vk:c{i}" for i in range(8)}
    with transaction(store.sessions) as s:
        stored = s.scalars(select(Community).where(Community.kind == "author_group")).all()
        assert {(c.details["days"], c.details["topics"] >= 2) for c in stored} == {(3, True)}
