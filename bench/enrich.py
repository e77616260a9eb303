"""Throughput of the non-sentiment enrichers on real posts, and the memory they hold.

Posts are real tweets from ../shared/data/sentiment (RuSentiTweet, SentiRuEval banks, airline
tweets), in batches of 1,000 as the pipeline sends them. Prints posts/s per enricher (after a
warm-up batch, so loading the detector and the morphology is not counted, but printed apart),
the peak RSS of the process, and the duplicate index's size after a long stream (it must stay
bounded by its window).

    .venv/bin/python bench/enrich.py [--batches N] [--batch-size B]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from otklik.domain.enrichment import Enriched, Enricher  # noqa: E402
from otklik.domain.posts import Author, Place, Post  # noqa: E402
from otklik.nlp.duplicates import DuplicateIndex, canonical  # noqa: E402
from otklik.nlp.enrichers import (  # noqa: E402
    DuplicateEnricher,
    LanguageEnricher,
    NameEnricher,
    PriorityEnricher,
    QuestionEnricher,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"
NAMES = ["Ольга Петрова", "Роман Иванов", "Вера в лучшее", "user_1987", "John Smith",
         "Delta fan", "Марина", "Кофейня Зерно", "Слава Украине", "Анна К."]


def load_texts() -> list[str]:
    texts: list[str] = []
    with (DATA / "rusentitweet_train.csv").open(encoding="utf-8") as f:
        texts += [r["text"] for r in csv.DictReader(f)]
    with (DATA / "sentirueval2015_banks_test.csv").open(encoding="utf-8") as f:
        texts += [r["text"] for r in csv.DictReader(f)]
    with (DATA / "airline_tweets.csv").open(encoding="utf-8") as f:
        texts += [r["text"] for r in csv.DictReader(f)]
    return texts


def make_posts(texts: list[str], start: datetime) -> list[Post]:
    rng = random.Random(7)
    posts = []
    for i, text in enumerate(texts):
        posts.append(Post(
            network="x", external_id=str(i), text=text,
            created_at=start + timedelta(seconds=30 * i),
            author=Author(external_id=f"a{i % 3000}", name=rng.choice(NAMES),
                          followers=rng.choice([None, 10, 300, 5_000, 200_000])),
            place=Place(external_id=rng.choice(["own", "other", "forum"])),
            engagement=rng.choice([None, 0, 3, 40, 900]),
        ))
    return posts


def edited_copy(text: str, rng: random.Random) -> str:
    """A copy with one small edit: a word dropped, two swapped, one added, or a typo."""
    words = text.split()
    i = rng.randrange(len(words))
    op = rng.choice(["drop", "swap", "add", "typo"])
    if op == "drop" and len(words) > 4:
        del words[i]
    elif op == "swap" and len(words) > 2:
        j = min(i + 1, len(words) - 1)
        words[i], words[j] = words[j], words[i]
    elif op == "add":
        words.insert(i, rng.choice(["очень", "реально", "!!!", "😡", "https://t.co/x1", "really"]))
    elif len(words[i]) > 3:
        k = rng.randrange(len(words[i]))
        words[i] = words[i][:k] + words[i][k + 1:]
    return " ".join(words)


def duplicate_quality(texts: list[str], n: int = 3000) -> None:
    """Recall on edited copies of distinct posts, and how many distinct posts were joined."""
    rng = random.Random(3)
    seen: set[str] = set()
    base = []
    for text in texts:
        c = canonical(text)
        if len(c) >= 60 and c not in seen:
            seen.add(c)
            base.append(text)
    base = base[:n]
    index = DuplicateIndex()
    first = index.add_batch([(("o", i), t, None) for i, t in enumerate(base)])
    second = index.add_batch([(("e", i), edited_copy(t, rng), None) for i, t in enumerate(base)])
    joined = sum(r is not None for r in first)
    # the right answer for a copy is its original's cluster: the original itself, or the
    # earlier post the original reposts
    right = [first[i] if first[i] is not None else ("o", i) for i in range(len(base))]
    hit = sum(r == right[i] for i, r in enumerate(second))
    wrong = sum(r is not None and r != right[i] for i, r in enumerate(second))
    print(f"duplicates on {len(base)} distinct posts (>= 60 chars) + one edited copy of each: "
          f"recall {hit / len(base):.3f}, copies joined to a wrong cluster {wrong}; "
          f"originals joined to an earlier one {joined} (reposts in the data)")


def duplicate_cost(texts: list[str], n: int = 2000, rounds: int = 5) -> None:
    """CPU time of `DuplicateIndex.add_batch` per text: `n` posts into a fresh index, best round.

    Issue 26 (in distributed mode each worker also adds the other workers' mentions, so this is
    paid twice). On the 2-CPU AMD EPYC box, load ~2-3: 0.100 CPU-ms/text with datasketch's
    MinHash and LSH (a093271), 0.032 with `otklik.nlp.minhash`; `canonical()` (normalize) is
    0.024 of either.
    """
    items = [(i, t, None) for i, t in enumerate(texts[:n])]
    best = best_canon = float("inf")
    for _ in range(rounds):
        index = DuplicateIndex()
        c = time.process_time()
        index.add_batch(items)
        best = min(best, time.process_time() - c)
        c = time.process_time()
        for _, text, _ in items:
            canonical(text)
        best_canon = min(best_canon, time.process_time() - c)
    print(f"duplicate index add_batch on {len(items)} posts: {1000 * best / len(items):.4f} "
          f"CPU-ms/text (canonical() alone {1000 * best_canon / len(items):.4f}), best of {rounds}")


def language_agreement() -> None:
    """Share of each answer on sets whose language is known (Russian banks, English airlines)."""
    from collections import Counter

    from otklik.nlp.lang import detector_for

    t = time.perf_counter()
    detector = detector_for()
    detector.detect_batch(["Кто-нибудь знает, когда откроют", "Добрий день, де моя посилка"])
    print(f"language detector built and its models loaded: {time.perf_counter() - t:.2f} s")
    for name, lang in (("sentirueval2015_banks_test.csv", "ru"), ("airline_tweets.csv", "en")):
        with (DATA / name).open(encoding="utf-8") as f:
            texts = [r["text"] for r in csv.DictReader(f)]
        t = time.perf_counter()
        got = Counter(detector.detect_batch(texts))
        took = time.perf_counter() - t
        shares = ", ".join(f"{k} {v / len(texts):.3f}" for k, v in got.most_common())
        print(f"language on {name} ({len(texts)} posts, all {lang}): {shares}  "
              f"[{len(texts) / took:,.0f} posts/s]")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=1000)
    args = ap.parse_args()
    texts = load_texts()
    rng = random.Random(1)
    rng.shuffle(texts)
    duplicate_quality(texts)
    duplicate_cost(texts)
    language_agreement()
    n = args.batches * args.batch_size
    posts = make_posts((texts * (1 + n // len(texts)))[: n + args.batch_size],
                       datetime(2026, 1, 1, tzinfo=UTC))

    t0 = time.perf_counter()
    enrichers: dict[str, Enricher] = {
        "language": LanguageEnricher(),
        "names": NameEnricher(),
        "duplicates": DuplicateEnricher(DuplicateIndex()),
        "questions": QuestionEnricher([("x", "own")]),
        "priority": PriorityEnricher(
            [("x", "own")], clock=lambda: datetime(2026, 1, 2, tzinfo=UTC)
        ),
    }
    warm = [Enriched(post=p) for p in posts[: args.batch_size]]
    for enrich in enrichers.values():
        enrich(warm)
    print(f"build + warm-up batch of {args.batch_size}: {time.perf_counter() - t0:.2f} s")

    spent = dict.fromkeys(enrichers, 0.0)
    cpu = dict.fromkeys(enrichers, 0.0)
    for b in range(1, args.batches + 1):
        batch = [Enriched(post=p) for p in posts[b * args.batch_size: (b + 1) * args.batch_size]]
        for name, enrich in enrichers.items():
            t, c = time.perf_counter(), time.process_time()
            enrich(batch)
            spent[name] += time.perf_counter() - t
            cpu[name] += time.process_time() - c
    total, total_cpu = sum(spent.values()), sum(cpu.values())
    print(f"{n} posts in batches of {args.batch_size}, one process "
          f"(wall clock; CPU time of all threads in brackets, it is less sensitive to a busy box):")
    for name in enrichers:
        w, c = spent[name], cpu[name]
        print(f"  {name:<11} {n / w:>9,.0f} posts/s  {1000 * w / args.batches:6.1f} ms/batch  "
              f"[{1000 * c / args.batches:6.1f} ms CPU/batch]")
    print(f"  {'all five':<11} {n / total:>9,.0f} posts/s  {1000 * total / args.batches:6.1f} "
          f"ms/batch  [{1000 * total_cpu / args.batches:6.1f} ms CPU/batch]")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")

    # The duplicate index on a long stream: its size is bounded by its cap, not the stream.
    stream = [(p.external_id, p.text, p.created_at)
              for p in make_posts((texts * 2)[:60_000], datetime(2026, 1, 1, tzinfo=UTC))]
    tracemalloc.start()
    index = DuplicateIndex(window=None, max_items=20_000)
    t = time.perf_counter()
    joined = 0
    for k in range(0, len(stream), 1000):
        answers = index.add_batch(stream[k: k + 1000])
        joined += sum(a is not None for a in answers)
    elapsed = time.perf_counter() - t
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"duplicate index capped at 20,000 texts, fed {len(stream)} posts: "
          f"{len(stream) / elapsed:,.0f} posts/s under tracemalloc, {joined} joined a cluster, "
          f"{len(index)} kept at the end, holding {held / 2**20:.0f} MB "
          f"({held / len(index) / 1024:.1f} KB per kept text), traced peak {peak / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
