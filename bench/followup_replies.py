"""Accuracy of the follow-up reply classifier on the two labelled sets in tests/fixtures/care.

`follow_up_replies.jsonl` was written together with the rules (a development set);
`follow_up_replies_heldout.jsonl` was written afterwards: the rules scored 26/30 on it before
they saw it (commit "bench/followup_replies.py: …"); its four misses were then fixed, so it is a
development set now too. Both were written by the desk's author (not an independent
annotation): treat them as a sanity check, not a published benchmark.

    .venv/bin/python bench/followup_replies.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from otklik.care.followup import classify_reply

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures" / "care"


def main() -> None:
    for name in ("follow_up_replies.jsonl", "follow_up_replies_heldout.jsonl"):
        rows = [json.loads(line) for line in (FIXTURES / name).read_text("utf-8").splitlines()]
        confusion: Counter[tuple[str, str]] = Counter()
        for row in rows:
            confusion[(row["label"], classify_reply(row["text"]))] += 1
        right = sum(n for (gold, got), n in confusion.items() if gold == got)
        print(f"{name}: {right}/{len(rows)} correct ({right / len(rows):.1%})")
        for (gold, got), n in sorted(confusion.items()):
            if gold != got:
                print(f"  {gold} → {got}: {n}")
        wrong = [r["text"] for r in rows if classify_reply(r["text"]) != r["label"]]
        for text in wrong:
            print(f"    {text}")


if __name__ == "__main__":
    main()
