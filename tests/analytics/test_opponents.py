"""Opponents are hostile again and again, over several days and topics, and act together on more
than one day; customers of one wave of complaints are not opponents, however loud."""

from __future__ import annotations

import csv
import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from otklik.analytics.communities import (
    OFFICIAL,
    PlaceInfo,
    StancePost,
    interaction_graph,
    opponent_groups,
    opponents,
    place_stances,
)

NOW = datetime(2026, 11, 20, tzinfo=UTC)
FIXTURES = Path(__file__).parent.parent / "fixtures"
AIRLINES = Path(__file__).resolve().parents[3] / "shared/data/sentiment/airline_tweets.csv"
_ids = itertools.count()
TOPICS = [
    "prices went up again and the cups got smaller, what a joke of a coffee chain",
    "the baristas were rude to my friend this morning and the manager just shrugged",
    "found a hair in the croissant, nobody apologised, never going back there",
    "the app charged me twice and support has been silent for a week now",
]
OTHER_TOPICS = [
    "their new winter menu is overpriced sugar water, boycott it",
    "queues of forty minutes at the morning rush, one cashier for the whole shop",
    "they fired the staff who complained about the heating, shame on them",
    "loyalty points vanished again, this is theft, plain and simple",
]


def post(author: str, sentiment: str, at: datetime, text: str = "", place: str | None = None,
         reply_to: str | None = None) -> StancePost:
    return StancePost(id=str(next(_ids)), author=author, created_at=at, sentiment=sentiment,
                      place=place, text=text, reply_to_author=reply_to)


def background(n: int = 200) -> list[StancePost]:
    labels = ["neutral"] * 6 + ["negative"] * 2 + ["positive"] * 2
    return [post(f"u{i}", labels[i % 10], NOW - timedelta(days=i % 14, hours=i % 5),
                 f"ordinary post number {i} about the coffee") for i in range(n)]


def critic(name: str, days: range, place: str | None = None,
           topics: list[str] = TOPICS) -> list[StancePost]:
    """A critic: one hostile post a day, about a different topic each time."""
    return [post(name, "negative", NOW - timedelta(days=d, hours=3),
                 f"{topics[d % len(topics)]} ({name})", place) for d in days]


def test_a_long_outage_is_one_day_and_one_topic() -> None:
    """An outage lasts three days; its customers complain every day, in their own words. Told the
    outage's window (a spike, an incident), none of them is an opponent; untold, the same posts
    would pass for repeated hostility."""
    start = NOW - timedelta(days=5)
    wave = (start, start + timedelta(days=3))
    posts = background()
    for i in range(12):
        posts += [post(f"c{i}", "negative", start + timedelta(days=d, hours=i),
                       f"{TOPICS[(i + d) % 4]} and the terminals are still down, day {d}",
                       place="city_chat", reply_to=f"c{(i + 1) % 12}") for d in range(3)]
    assert opponents(posts, waves=[wave]) == {}
    assert opponent_groups(posts, waves=[wave]) == []
    assert len(opponents(posts)) == 12  # the window is what tells them apart


def test_one_complaint_repeated_on_several_days_is_one_topic() -> None:
    posts = background()
    text = "order 48213: charged twice, coffee never came, still waiting for my refund"
    posts += [post("refund", "negative", NOW - timedelta(days=d), f"{text}!!") for d in range(5)]
    posts += critic("critic", range(5))
    found = opponents(posts)
    assert "refund" not in found
    assert "critic" in found and len(found["critic"]["days"]) == 5
    assert len(found["critic"]["topics"]) == 4


def test_opponents_who_met_on_one_day_are_no_group() -> None:
    posts = [*background(), *critic("a", range(1, 6)),
             *critic("b", range(1, 6), topics=OTHER_TOPICS)]
    posts.append(post("a", "negative", NOW - timedelta(days=2), "@b so true", reply_to="b"))
    assert {"a", "b"} <= set(opponents(posts))
    g = interaction_graph(posts, {"a", "b"})
    assert g.has_edge("a", "b") and len(g["a"]["b"]["days"]) == 1
    assert opponent_groups(posts) == []
    posts.append(post("b", "negative", NOW - timedelta(days=4), "@a and again", reply_to="a"))
    assert [grp.members for grp in opponent_groups(posts)] == [["a", "b"]]


def test_a_group_says_how_long_and_about_how_much() -> None:
    posts = [*background(), *critic("a", range(1, 6), "forum"), *critic("b", range(2, 8), "forum")]
    (grp,) = opponent_groups(posts)
    assert grp.members == ["a", "b"] and grp.days == 7 and grp.topics >= 4 and not grp.campaign


def test_a_detected_campaign_is_a_group_inside_its_wave() -> None:
    """Bots post one hoax in one hour: a spike. The attack detector named them: they are a group
    of opponents though they acted on one day; without its word they are one wave."""
    at = NOW - timedelta(days=1)
    story = "cockroach in the croissant at the coffee chain, do not go there, details at the link"
    posts = background() + [
        post(f"bot{i}", "negative", at + timedelta(minutes=3 * i + k), f"{story} #{k}")
        for i in range(8) for k in range(2)
    ]
    wave = [(at, at + timedelta(hours=1))]
    bots = frozenset(f"bot{i}" for i in range(8))
    assert opponent_groups(posts, waves=wave) == []
    (grp,) = opponent_groups(posts, waves=wave, campaign_authors=bots)
    assert set(grp.members) == bots and grp.links["text"] > 0 and grp.campaign


def test_the_brands_own_page_has_many_complaints_and_no_stance() -> None:
    """Customers come to the brand's own page to complain: many complaints, never "hostile"."""
    official = {"brandpage": PlaceInfo(official=True)}
    for mood, complaints in (("negative", True), ("neutral", False)):
        posts = [*background(), *(post(f"k{i}", mood, NOW - timedelta(hours=i), place="brandpage")
                                  for i in range(30))]
        own = next(s for s in place_stances(posts, official, NOW) if s.place == "brandpage")
        assert own.stance == OFFICIAL and own.complaints is complaints and not own.flagged


def airline_posts(rows: list[dict[str, str | None]]) -> list[StancePost]:
    return [StancePost(
        id=str(r["id"]), author=str(r["author"]), sentiment=r["sentiment"], place=r["place"],
        text=str(r["text"]), reply_to_author=r["reply_to"],
        created_at=datetime.fromisoformat(str(r["created_at"]).replace("Z", "+00:00")),
    ) for r in rows]


def test_airline_customers_of_one_wave_are_no_group() -> None:
    """Five American Airlines customers complaining through the February 2015 wave of cancelled
    flights (real tweets): some on three days, two naming each other once. Hostile again and
    again, yes; a group of opponents, no."""
    rows = [json.loads(line) for line in (FIXTURES / "communities/airline_repeat_complainers.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    posts = airline_posts(rows)
    assert {"Aero0729", "farfalla818"} <= set(opponents(posts))
    own = frozenset({"American"})  # tweets to @AmericanAir: the brand's own account
    g = interaction_graph(posts, {x.author for x in posts}, own_places=own)
    assert g.has_edge("Active_Aly", "CineDrones")
    assert opponent_groups(posts, own_places=own) == []


@pytest.mark.skipif(not AIRLINES.exists(), reason="the shared airline set is not here")
@pytest.mark.parametrize("own", [True, False])
def test_the_whole_airline_set_has_no_opponent_group(own: bool) -> None:
    """All 14,640 tweets: each airline's angry customers, with the airline's account as the
    brand's own page or as a plain place, and naming each other with @ as replies."""
    with AIRLINES.open(encoding="utf-8") as fp:
        rows = list(csv.DictReader(fp))
    for airline in sorted({r["airline"] for r in rows}):
        mine = [r for r in rows if r["airline"] == airline]
        names = {r["name"] for r in mine}
        posts = airline_posts([{
            "id": r["tweet_id"], "author": r["name"], "sentiment": r["airline_sentiment"],
            "place": airline, "text": r["text"], "created_at": r["tweet_created"] + "+00:00",
            "reply_to": next((h for h in re.findall(r"@(\w+)", r["text"])
                              if h in names and h != r["name"]), None),
        } for r in mine])
        own_places = frozenset({airline}) if own else frozenset()
        assert opponent_groups(posts, own_places=own_places) == [], airline
