"""What the desk benchmarks send: real Russian tweets (SentiRuEval-2015 telecoms), a fifth of them
addressed to a demo brand, so matching, sentiment and the case rules run as they would.

    .venv/bin/python bench/desk_texts.py   # how many, and how many are addressed to a brand

Used by `bench/load.py` and `bench/embedded_ingest.py`.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

TWEETS = Path("/work/shared/data/sentiment/sentirueval2015_telecoms_train.csv")
BRAND_CALLS = ("Зерно, ", "Банк Северный, ", "@zerno_coffee ", "Северный банк: ")


def desk_texts() -> list[str]:
    """Real tweets when the shared data is there, otherwise plain generated sentences."""
    if TWEETS.exists():
        with TWEETS.open(encoding="utf-8") as f:
            tweets = [row["text"] for row in csv.DictReader(f) if row.get("text")]
    else:
        words = ("кофе", "холодный", "курьер", "заказ", "опоздал", "спасибо", "карта", "деньги")
        rng = random.Random(3)
        tweets = [" ".join(rng.choices(words, k=12)) for _ in range(2000)]
    rng = random.Random(5)
    return [rng.choice(BRAND_CALLS) + t if rng.random() < 0.2 else t for t in tweets]


if __name__ == "__main__":
    texts = desk_texts()
    called = sum(t.startswith(BRAND_CALLS) for t in texts)
    print(f"{len(texts)} texts, {called} addressed to a demo brand")
