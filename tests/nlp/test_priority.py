"""Priority: one explainable score; negative questions on the own page from big accounts first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from otklik.domain.posts import Author, Place
from otklik.nlp.priority import SIGNALS, PriorityWeights, priority
from tests.factories import BASE_TIME, make_post

NOW = BASE_TIME + timedelta(days=1)
OWN = frozenset({("vk", "-1")})
NEG = {"negative": 0.9, "neutral": 0.08, "positive": 0.02}
NEU = {"negative": 0.1, "neutral": 0.8, "positive": 0.1}


def score(post, scores=None, question=False, weights=None) -> float:
    return priority(post, sentiment_scores=scores, is_question=question, owned_places=OWN,
                    now=NOW, weights=weights)[0]


def test_contributions_add_up_and_stay_in_range() -> None:
    post = make_post(author=Author("u1", followers=50_000), engagement=120)
    value, reasons = priority(post, sentiment_scores=NEG, is_question=True, owned_places=OWN,
                              now=NOW)
    assert set(reasons) == set(SIGNALS)
    assert value == pytest.approx(sum(reasons.values()), abs=1e-3)
    assert 0.0 <= value <= 1.0
    assert all(v >= 0 for v in reasons.values())


def test_ordering() -> None:
    big = Author("big", followers=300_000)
    small = Author("small", followers=12)
    elsewhere = Place("forum-7", name="Отзывы")
    fresh = NOW - timedelta(minutes=5)
    old = NOW - timedelta(days=6)
    ranked = [
        # a negative question on the brand's own page, from a big account, just now
        score(make_post(author=big, created_at=fresh, engagement=300), NEG, question=True),
        # the same complaint on someone else's forum
        score(make_post(author=big, created_at=fresh, engagement=300, place=elsewhere), NEG,
              question=True),
        # negative, not a question, small account, elsewhere
        score(make_post(author=small, created_at=fresh, place=elsewhere), NEG),
        # neutral and old, elsewhere
        score(make_post(author=small, created_at=old, place=elsewhere), NEU),
        # nothing known at all
        score(make_post(author=None, created_at=old, place=None)),
    ]
    assert ranked == sorted(ranked, reverse=True)
    assert len(set(ranked)) == len(ranked)


def test_each_signal_raises_the_score() -> None:
    base = make_post(author=Author("a", followers=10), place=Place("x"), engagement=0,
                     created_at=NOW - timedelta(days=3))
    low = score(base, NEU)
    assert score(base, NEG) > low
    assert score(base, NEU, question=True) > low
    assert score(make_post(author=Author("a", followers=10**6), place=Place("x"), engagement=0,
                           created_at=base.created_at), NEU) > low
    assert score(make_post(author=Author("a", followers=10), place=Place("x"), engagement=0,
                           reach=50_000, created_at=base.created_at), NEU) > low
    assert score(make_post(author=Author("a", followers=10), place=Place("-1"), engagement=0,
                           created_at=base.created_at), NEU) > low
    assert score(make_post(author=Author("a", followers=10), place=Place("x"), engagement=500,
                           created_at=base.created_at), NEU) > low
    assert score(make_post(author=Author("a", followers=10), place=Place("x"), engagement=0,
                           created_at=NOW), NEU) > low


def test_weights_are_settings() -> None:
    post = make_post(place=Place("x"))
    only_questions = PriorityWeights(negativity=0, reach=0, engagement=0, place=0, recency=0,
                                     question=1)
    assert score(post, NEG, question=True, weights=only_questions) == 1.0
    assert score(post, NEG, question=False, weights=only_questions) == 0.0
    with pytest.raises(ValueError):
        PriorityWeights(negativity=-1)
    with pytest.raises(ValueError):
        PriorityWeights(negativity=0, reach=0, engagement=0, place=0, recency=0, question=0)
