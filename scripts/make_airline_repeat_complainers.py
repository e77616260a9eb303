"""Write tests/fixtures/communities/airline_repeat_complainers.jsonl from the shared airline set.

    .venv/bin/python scripts/make_airline_repeat_complainers.py [--data ../shared/data]

Every tweet to American Airlines (Twitter US Airline Sentiment, Feb 2015) of five customers who
complained again and again through the February 22–24 wave of cancelled flights: two who
complained on three different days, and three linked by one of them naming the other two with @
(`reply_to`: the customer of the set a tweet names). An older rule made a group of opponents of
two of them; they are customers of one wave.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests/fixtures/communities/airline_repeat_complainers.jsonl"
AUTHORS = ("Aero0729", "farfalla818", "CineDrones", "Active_Aly", "carlw1980")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    args = ap.parse_args()
    with (args.data / "sentiment/airline_tweets.csv").open(encoding="utf-8") as fp:
        rows = [r for r in csv.DictReader(fp)
                if r["airline"] == "American" and r["name"] in AUTHORS]
    rows.sort(key=lambda r: (r["tweet_created"], r["tweet_id"]))
    lines = []
    for r in rows:
        named = [h for h in re.findall(r"@(\w+)", r["text"]) if h in AUTHORS and h != r["name"]]
        lines.append(json.dumps({
            "id": f"air-{r['tweet_id']}", "text": r["text"], "author": r["name"],
            "created_at": r["tweet_created"].replace(" ", "T") + ":00Z",
            "sentiment": r["airline_sentiment"], "place": r["airline"],
            "reply_to": named[0] if named else None,
        }, ensure_ascii=False))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(lines)} tweets of {len(AUTHORS)} customers")


if __name__ == "__main__":
    main()
