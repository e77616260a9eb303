"""The customer's answer to "удалось ли решить проблему?": resolved / not_resolved / no_answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otklik.care.followup import classify_reply

FIXTURES = Path(__file__).parents[1] / "fixtures" / "care"
CASES = [json.loads(line)
         for name in ("follow_up_replies.jsonl", "follow_up_replies_heldout.jsonl")
         for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_realistic_replies(case: dict[str, str]) -> None:
    assert classify_reply(case["text"]) == case["label"]


def test_fixture_covers_all_labels_and_both_languages() -> None:
    labels = {c["label"] for c in CASES}
    assert labels == {"resolved", "not_resolved", "no_answer"}
    assert any("а" <= ch <= "я" for c in CASES for ch in c["text"].lower())
    assert any(c["text"].isascii() for c in CASES)


@pytest.mark.parametrize("text,label", [
    ("", "no_answer"),
    ("   ", "no_answer"),
    ("Спасибо, но так и не перезвонили", "not_resolved"),  # negative wins over thanks
    ("НЕ РЕШИЛИ", "not_resolved"),  # 'решили' inside a negation does not count as solved
    ("проблем больше нет, спасибо", "resolved"),  # a negation that means solved
    ("no more issues, thanks", "resolved"),
])
def test_edges(text: str, label: str) -> None:
    assert classify_reply(text) == label
