"""How long hostile texts take through the whole ingest (enrichment included), into a fresh
SQLite store: one 20,000-letter word (issue 24's bar: within 60 s; the old look-alike rule took
hours), a megabyte of one word, of emoji and of invisible marks, beside a batch of 100 normal posts.

Run: .venv/bin/python bench/hostile_text.py
"""

from __future__ import annotations

import itertools
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from otklik.actions.brands import create_brand
from otklik.actions.unit import transaction
from otklik.db.engine import make_engine, make_sessionmaker
from otklik.db.migrate import upgrade
from otklik.domain.posts import Author, Post
from otklik.flow.pipeline import ingest
from otklik.flow.wiring import Enrichment

_seq = itertools.count(1)

CASES = {
    "20,000-letter word": "ж" * 20_000,
    "1 MB of one word": "ха" * 500_000,
    "1 MB of emoji": "😡" * 1_000_000,
    "100k bidi/zero-width": "\u202e\u200b\u200d\u2066" * 25_000,
}


def make_post(text: str) -> Post:
    n = next(_seq)
    return Post(network="vk", external_id=f"-1_{n}", text=text,
                created_at=datetime.now(UTC) - timedelta(minutes=n),
                author=Author(external_id=f"u{n}", name="Ольга Петрова"))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        with transaction(sessions) as s:
            create_brand(s, "Зерно", queries=["зерно"])
        with transaction(sessions) as s:
            enrichers = Enrichment().enrichers(s)
            ingest(s, [make_post(text="Зерно, кофе холодный")], enrichers=enrichers)  # warm-up
        normal = [make_post(text=f"Кофе в Зерне опять холодный, ждала {i} минут")
                  for i in range(100)]
        for name, posts in [("100 normal posts", normal),
                            *((n, [make_post(text=t)]) for n, t in CASES.items())]:
            start = time.perf_counter()
            with transaction(sessions) as s:
                ingest(s, posts, enrichers=enrichers)
            print(f"{name:24} {time.perf_counter() - start:7.2f} s")


if __name__ == "__main__":
    main()
