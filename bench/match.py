"""Brand matching throughput: 1,000 queries (100 brands × 10) against 100,000 real mentions.

    nice -n 10 .venv/bin/python bench/match.py [--mentions 100000]

Texts are real posts from ../shared/data/sentiment/ (Russian and English tweets, reviews,
news sentences), mixed and repeated to the wanted count. Queries are written the way monitoring
teams write them: the brand and its transliterations, NEAR with topic words, NOT for noise,
hashtags, handles, field filters. Prints compile time, mentions/s on one core (first pass with
cold caches and a second, warm pass), matches found and peak memory.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from otklik.query import parse  # noqa: E402
from otklik.query.index import QueryIndex  # noqa: E402
from otklik.query.matcher import analyse  # noqa: E402
from otklik.query.translit import suggest_variants  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"
if not DATA.exists():
    DATA = Path("/work/shared/data/sentiment")

BRANDS = [
    "Сбербанк", "Сбер", "ВТБ", "Альфа-Банк", "Тинькофф", "Газпромбанк", "Райффайзен", "Открытие",
    "Совкомбанк", "Росбанк", "Почта Банк", "Хоум Кредит", "МТС", "Билайн", "МегаФон", "Теле2",
    "Ростелеком", "Яндекс", "Магнит", "Пятёрочка", "Перекрёсток", "Лента", "Ozon", "Wildberries",
    "Аэрофлот", "Победа", "РЖД", "Почта России", "Авито", "Ашан", "ИКЕА", "Макдоналдс",
    "Вкусно и точка", "Додо Пицца", "Кофе Хауз", "Шоколадница", "Азбука Вкуса", "Спортмастер",
    "Эльдорадо", "М.Видео", "Ситилинк", "DNS", "Леруа Мерлен", "Газпром", "Лукойл", "Роснефть",
    "Мосэнергосбыт", "Госуслуги", "ВКонтакте", "Телеграм", "Apple", "Google", "Microsoft",
    "Twitter", "Samsung", "Xiaomi", "United", "Delta", "JetBlue", "Southwest", "American Airlines",
    "US Airways", "Virgin America", "Amazon", "Netflix", "Uber", "Tesla", "Nike", "Adidas",
    "Coca-Cola", "Pepsi", "Starbucks", "KFC", "Burger King", "Walmart", "Target", "Costco",
    "Verizon", "AT&T", "Comcast", "Spotify", "Facebook", "Instagram", "YouTube", "Sony",
    "Nintendo", "Xbox", "PlayStation", "Intel", "Nvidia", "IBM", "Oracle", "Disney", "HBO",
    "Marvel", "Visa", "Mastercard", "PayPal", "Airbnb", "Booking",
]
TOPICS_RU = ["карта", "кредит", "поддержка", "приложение", "доставка", "отделение", "связь",
             "заказ", "цена", "ипотека"]
TOPICS_EN = ["card", "support", "service", "flight", "delivery", "app", "phone", "order",
             "price", "delay"]
NEGATIVE = ["ужас", "плохо", "обман", "отвратительно", "worst", "terrible", "awful", "hate"]


def load_texts() -> list[tuple[str, str]]:
    """(text, lang) pairs from the shared sentiment data."""
    out: list[tuple[str, str]] = []

    def read(name: str, column: str, lang: str, delimiter: str = ",") -> None:
        path = DATA / name
        if not path.exists():
            return
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f, delimiter=delimiter,
                                    quoting=csv.QUOTE_NONE if delimiter == "\t" else 0)
            out.extend((row[column], lang) for row in reader if row.get(column))

    csv.field_size_limit(10_000_000)
    for part in ("banks_train", "banks_test", "telecoms_train", "telecoms_test"):
        read(f"sentirueval2015_{part}.csv", "text", "ru")
    read("rusentitweet_train.csv", "text", "ru")
    read("extra/opensentimentcorpus_ru_majority.csv", "Sentence", "ru")
    read("extra/cedr_ru_train.tsv", "text", "ru", "\t")
    read("airline_tweets.csv", "text", "en")
    read("tweeteval_sentiment_val.tsv", "text", "en", "\t")
    read("extra/semeval2013_2016_task4a_en.tsv", "text", "en", "\t")
    read("extra/sanders_brands_en.csv", "text", "en")
    return out


def make_queries() -> list[tuple[int, int, str]]:
    rng = random.Random(7)
    queries: list[tuple[int, int, str]] = []
    for b, brand in enumerate(BRANDS, start=1):
        variants = [brand, *suggest_variants(brand, 2)]
        names = " OR ".join(f'"{v}"' if (" " in v or "-" in v or "." in v or "&" in v) else v
                            for v in variants)
        first = variants[0].split()[0].strip("\"&.-").lower() or "brand"
        tag = "".join(ch for ch in brand.lower() if ch.isalnum())
        ru, en = rng.sample(TOPICS_RU, 2), rng.sample(TOPICS_EN, 2)
        templates = [
            f"({names})",
            f"({names}) NEAR/5 ({ru[0]} OR {en[0]})",
            f"({names}) ONEAR/3 ({ru[1]} OR {en[1]} OR \"служба поддержки\")",
            f"({names}) AND ({' OR '.join(rng.sample(NEGATIVE, 3))}) NOT #реклама",
            f"#{tag} OR @{tag} OR \"{brand}\"",
            f"({names}) -(вакансия OR вакансии OR job OR hiring) lang:{rng.choice(['ru', 'en'])}",
            f"{first[:4]}* NEAR/2 ({ru[0]} OR {en[0]})" if len(first) >= 5 else f"={first}",
            f"({names}) NOT site:example.com NOT author:spam_bot",
            f"(\"{brand}\" NEAR/10 (отзыв OR review)) OR (#{tag} AND network:x)",
            f"({names}) AND NOT (розыгрыш OR giveaway OR конкурс)",
        ]
        queries.extend((b, b * 100 + i, q) for i, q in enumerate(templates))
    return queries


def make_mentions(n: int) -> list[dict[str, Any]]:
    texts = load_texts()
    rng = random.Random(11)
    rng.shuffle(texts)
    networks = ["x", "vk", "telegram", "reddit"]
    out = []
    for i in range(n):
        text, lang = texts[i % len(texts)]
        out.append({"id": i, "text": text, "lang": lang, "network": networks[i % 4],
                    "author": f"user{i % 5000}", "url": f"https://example.org/p/{i}"})
    return out, len(texts)  # type: ignore[return-value]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    warnings.simplefilter("ignore")
    ap = argparse.ArgumentParser()
    ap.add_argument("--mentions", type=int, default=100_000)
    args = ap.parse_args()
    mentions, distinct = make_mentions(args.mentions)  # type: ignore[misc]
    print(f"mentions: {len(mentions):,} ({distinct:,} distinct real texts)")
    print(f"peak RSS before the index: {rss_mb():.0f} MB")
    queries = make_queries()
    t0 = time.perf_counter()
    index = QueryIndex(queries)
    t_compile = time.perf_counter() - t0
    print(f"queries: {len(index):,} compiled in {t_compile:.1f} s "
          f"({len(index.errors)} rejected, {index.always_checked} without anchor); "
          f"peak RSS now {rss_mb():.0f} MB")
    for label in ("cold", "warm"):
        matched = 0
        t0, c0 = time.perf_counter(), time.process_time()
        for m in mentions:
            result = index.match(m)
            matched += bool(result)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"{label} pass: {len(mentions) / cpu:,.0f} mentions/s per CPU second "
              f"({len(mentions) / elapsed:,.0f}/s wall; {cpu:.2f} s CPU, {elapsed:.2f} s wall; "
              f"{matched:,} mentions matched a brand)")
    sample = mentions[: min(2000, len(mentions))]
    candidates = sum(len(index.candidates(analyse(m))) for m in sample)
    print(f"candidate queries per mention (prefilter): {candidates / len(sample):.1f} of "
          f"{len(index)}")
    # without the prefilter: every query on every mention (and the answers must be the same)
    compiled = [(b, q, parse(t)) for b, q, t in queries]
    c0 = time.process_time()
    differ = 0
    for m in sample:
        doc = analyse(m)
        brute: dict[int, list[int]] = {}
        for b, q, query in compiled:
            if query.predicate(doc):
                brute.setdefault(b, []).append(q)
        differ += brute != index.match(doc)
    cpu = time.process_time() - c0
    print(f"without the prefilter: {len(sample) / cpu:,.0f} mentions/s per CPU second "
          f"(on {len(sample):,}; answers differing from the index: {differ})")
    print(f"peak RSS: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
