"""Benchmark of location attribution: accuracy on the labelled posts and mentions per second
with 1,000 locations.

Accuracy: the eight Moscow locations of `tests/fixtures/locations/zerno_locations.csv` and the
labelled posts beside it (`zerno_posts.jsonl`, the set the rules were written against, and
`zerno_posts_fresh.jsonl`, written afterwards and measured once before any change). A post about
a location is right when that location is found; a trap (a look-alike word, another town,
coordinates far from every location) is right when none is.

Speed: 1,000 locations (a two-word place name each, "Садовая застава", coordinates spread over
Moscow), posts mixing the labelled texts, texts naming one of the 1,000 in another case ("на
Садовой заставе"), posts with only coordinates and posts naming none, attributed by one
process on one core (`LocationIndex.locate`, what the enricher calls per brand mention). The
index is built once, as the enrichment builds it when locations change; its build time is
printed too.

Run: nice -n 10 .venv/bin/python bench/locate.py [--posts N] [--locations N]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import time
from pathlib import Path

from otklik.analytics.locations import LocationIndex, Site
from otklik.nlp.toponyms import russian_places

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures" / "locations"
ADJECTIVES = ("садовая", "лесная", "школьная", "полевая", "заречная", "весенняя", "солнечная",
              "береговая", "звездная", "цветочная", "луговая", "сиреневая", "северная", "южная",
              "липовая", "кленовая", "речная", "озерная", "тихая", "зеленая", "светлая", "новая",
              "старая", "верхняя", "нижняя", "малая", "большая", "дальняя", "ближняя", "горная",
              "снежная", "песчаная", "каменная", "дубовая", "ясная", "летняя", "осенняя",
              "зимняя", "рябиновая", "вишневая")
NOUNS = ("застава", "роща", "горка", "слобода", "поляна", "аллея", "площадь", "горница",
         "ярмарка", "мельница", "пасека", "деревня", "башня", "плотина", "улица", "слободка",
         "дубрава", "мастерская", "кузница", "рощица", "гавань", "бухта", "пашня", "просека",
         "опушка")


def eight() -> list[Site]:
    with (FIXTURES / "zerno_locations.csv").open(encoding="utf-8") as f:
        return [Site(i, r["name"], r["address"], float(r["lat"]), float(r["lon"]),
                     tuple(r["aliases"].split("|"))) for i, r in enumerate(csv.DictReader(f))]


def accuracy(name: str) -> str:
    index = LocationIndex(eight(), russian_places(), ["Зерно"])
    rows = [json.loads(x) for x in (FIXTURES / name).read_text("utf-8").splitlines()]
    hits = traps = 0
    located = [r for r in rows if r["expected"]]
    for r in rows:
        geo = r.get("geo") or {}
        found = index.locate(r["text"], geo.get("lat"), geo.get("lon"))
        got = found.site.name if found else None
        if r["expected"]:
            hits += got == r["expected"]
        else:
            traps += got is not None
    none = len(rows) - len(located)
    return (f"{name}: {hits}/{len(located)} = {hits / len(located):.1%} found right, "
            f"{traps}/{none} posts about no location given one")


def names(n: int) -> list[tuple[str, str]]:
    """n two-word place names (Садовая застава) and a prepositional form of each (о Садовой
    заставе), the inflection made by the dictionary."""
    morph = russian_places().morph
    found = []
    for i in range(n):
        adj, noun = ADJECTIVES[i % len(ADJECTIVES)], NOUNS[i // len(ADJECTIVES) % len(NOUNS)]
        pair = [morph.parse(w)[0].inflect({"loct"}) for w in (adj, noun)]
        spoken = " ".join(p.word if p else w for p, w in zip(pair, (adj, noun), strict=True))
        found.append((f"{adj.capitalize()} {noun}", spoken.capitalize()))
    return found


def many(named: list[tuple[str, str]], rng: random.Random) -> list[Site]:
    return [Site(i, f"Точка {i}", f"Москва, {alias}, {i + 1}", 55.60 + rng.random() * 0.30,
                 37.40 + rng.random() * 0.40, (alias,)) for i, (alias, _) in enumerate(named)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--locations", type=int, default=1_000)
    args = parser.parse_args()
    for name in ("zerno_posts.jsonl", "zerno_posts_fresh.jsonl"):
        print(accuracy(name))

    rng = random.Random(25)
    named = names(args.locations)
    sites = many(named, rng)
    started = time.perf_counter()
    index = LocationIndex(sites, russian_places(), ["Зерно"])
    built = time.perf_counter() - started
    labelled = [json.loads(x)["text"] for name in ("zerno_posts.jsonl", "zerno_posts_fresh.jsonl")
                for x in (FIXTURES / name).read_text("utf-8").splitlines()]
    posts: list[tuple[str, float | None, float | None]] = []
    for i in range(args.posts):
        kind = i % 4
        if kind == 0:
            posts.append((labelled[i % len(labelled)], None, None))
        elif kind == 1:
            spoken = named[rng.randrange(len(named))][1]
            posts.append((f"Вчера в Зерне на {spoken} опять очередь и холодный кофе, "
                          "бариста не извинился", None, None))
        elif kind == 2:
            posts.append(("Зерно: жду заказ двадцать минут", 55.60 + rng.random() * 0.30,
                          37.40 + rng.random() * 0.40))
        else:
            posts.append(("Зерно подняло цены на капучино, теперь 350 рублей, это перебор", None,
                          None))
    started = time.process_time()
    found = sum(index.locate(text, lat, lon) is not None for text, lat, lon in posts)
    spent = time.process_time() - started
    print(f"{args.locations} locations: index built in {built:.2f} s; {len(posts)} posts "
          f"attributed in {spent:.2f} CPU s = {len(posts) / spent:,.0f} mentions/s on one core "
          f"({found} given a location)")


if __name__ == "__main__":
    main()
