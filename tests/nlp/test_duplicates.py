"""Near-duplicates: real reposts and edited copies cluster, different posts do not."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from otklik.nlp.duplicates import DuplicateIndex, canonical, content_length

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "nlp" / "duplicates.jsonl"
ROWS = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _clusters(order: list[int]) -> dict[int, int]:
    """Post index → index of its cluster's first post, adding posts in `order`."""
    index = DuplicateIndex()
    answers = {i: index.add(i, ROWS[i]["text"]) for i in order}
    return {i: i if a is None else int(str(a)) for i, a in answers.items()}


def test_real_reposts_cluster_and_distinct_posts_stay_apart() -> None:
    root = _clusters(list(range(len(ROWS))))  # the order of the source files
    for i, row in enumerate(ROWS):
        first = next(j for j, r in enumerate(ROWS) if r["group"] == row["group"])
        assert root[i] == first, row["text"]


@pytest.mark.parametrize("seed", range(5))
def test_any_arrival_order_keeps_groups_apart(seed: int) -> None:
    order = list(range(len(ROWS)))
    random.Random(seed).shuffle(order)
    root = _clusters(order)
    for i, row in enumerate(ROWS):
        assert ROWS[root[i]]["group"] == row["group"], row["text"]  # never joins another group
    for group in {r["group"] for r in ROWS}:
        roots = {root[i] for i, r in enumerate(ROWS) if r["group"] == group}
        # "advocate" is a chain of edits (its 2nd and 4th tweets share only half their
        # shingles), so an unlucky order may split it in two; every other group is one cluster
        assert len(roots) <= (2 if group == "advocate" else 1), group


def test_small_edits_join_the_cluster() -> None:
    base = ("Сбербанк опять заблокировал карту без объяснений, третий раз за месяц, "
            "верните деньги!")
    index = DuplicateIndex()
    assert index.add("a", base) is None
    assert index.add("b", base.replace("третий", "четвертый")) == "a"  # one word changed
    assert index.add("c", base.upper() + " https://t.co/xyz @sberbank") == "a"  # case, link, @
    assert index.add("d", base.replace("опять ", "")) == "a"  # a word dropped
    assert index.add("e", "Ооочень " + base) == "a"
    # same topic, different words: not a copy
    other = "Мегафон опять заблокировал симку без объяснений, второй раз за год"
    assert index.add("f", other) is None
    # opposite meaning, half the words shared: not a copy either
    assert index.add("g", "Tinkoff is the best bank, love their app") is None
    assert index.add("h", "Tinkoff is the worst bank, hate their app") is None


def test_clusters_are_stars_rooted_at_the_first_post() -> None:
    index = DuplicateIndex()
    text = "Третий день нет горячей воды в доме на Ленина 5, управляющая компания молчит"
    assert index.add(1, text) is None
    assert index.add(2, text + " !!!") == 1
    assert index.add(3, text.replace("Третий", "Четвертый")) == 1
    assert index.add(2, "anything else") == 1  # a key already indexed answers as before


def test_short_texts_are_not_clustered() -> None:
    index = DuplicateIndex()
    # rusentitweet_train.csv: many people write the same short thanks
    assert index.add(1, "@polinacolombina Спасибо❤🎉") is None
    assert index.add(2, "@yourdeadpoet Спасибо") is None
    assert content_length(canonical("@yourdeadpoet Спасибо")) == len("спасибо")


def test_window_forgets_old_posts_and_bounds_memory() -> None:
    text = "Курьер опоздал на два часа и нагрубил, больше не закажу в этом магазине"
    index = DuplicateIndex(window=timedelta(hours=1), max_items=1000)
    assert index.add("old", text, T0) is None
    assert index.add("soon", text, T0 + timedelta(minutes=30)) == "old"
    index.add("other", "Совсем другой длинный текст про погоду и выходные", T0 + timedelta(hours=3))
    assert "old" not in index and "soon" not in index
    assert index.add("late", text, T0 + timedelta(hours=3, minutes=1)) is None
    small = DuplicateIndex(max_items=10, window=None)
    for i in range(100):
        small.add(i, f"Уникальный текст номер {i} про доставку и оплату заказа {i * 7919}")
    assert len(small) == 10


def test_naive_times_from_sqlite_mix_with_aware_ones() -> None:
    text = "Курьер опоздал на два часа и нагрубил, больше не закажу в этом магазине"
    index = DuplicateIndex(window=timedelta(hours=1))
    assert index.add("stored", text, T0.replace(tzinfo=None)) is None  # as SQLite returns it
    assert index.add("new", text, T0 + timedelta(minutes=5)) == "stored"
    index.add("later", "Совсем другой длинный текст про погоду и выходные", T0 + timedelta(hours=2))
    assert "stored" not in index


def test_batch_equals_one_by_one() -> None:
    texts = [r["text"] for r in ROWS]
    one = DuplicateIndex()
    singles = [one.add(i, t) for i, t in enumerate(texts)]
    many = DuplicateIndex().add_batch([(i, t, None) for i, t in enumerate(texts)])
    assert singles == many


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        DuplicateIndex(threshold=0)
    with pytest.raises(ValueError):
        DuplicateIndex(max_items=0)


def test_a_storm_of_copies_joins_one_cluster_with_bounded_candidates() -> None:
    """An attack's thousand near-copies all join the first; only a few stay LSH candidates, so
    a copy's cost does not grow with the storm."""
    text = ("Мегафон опять обманывает абонентов, списали деньги за подписки которые я не "
            "подключал! Не пользуйтесь мегафоном")
    index = DuplicateIndex(max_lsh_per_cluster=8, window=None)
    roots = index.add_batch([(i, f"{text} #{i}", None) for i in range(1000)])
    assert roots[0] is None and set(roots[1:]) == {0}
    assert sum(e.in_lsh for e in index._entries.values()) == 8
    assert index.add(5000, f"{text} #5000") == 0
