"""Questions to the brand, on real tweets to telecoms and airlines (and a few written here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otklik.nlp.questions import asks, is_addressed, is_question

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "nlp" / "questions.jsonl"
ROWS = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("row", ROWS, ids=[r["text"][:30] for r in ROWS])
def test_fixture(row: dict[str, object]) -> None:
    assert is_question(str(row["text"])) is row["question"]


@pytest.mark.parametrize(
    "text",
    [
        "Когда вернете деньги?",
        "Подскажите, пожалуйста, как подключить тариф",
        "ну и где мой заказ",  # no question mark, as people write
        "Можно ли вернуть товар без чека",
        "Is there wifi on this flight",
    ],
)
def test_asks(text: str) -> None:
    assert asks(text)


@pytest.mark.parametrize(
    "text",
    [
        "Сколько можно?!",  # an outburst, not a question
        "Что за бред?",
        "What the hell?",
        "Вы серьезно?!",
        "Как же достали эти звонки",
        "Как всегда опоздали",
        "Will never fly again",
        "Ужасный сервис. Больше не приду.",
        "",
    ],
)
def test_does_not_ask(text: str) -> None:
    assert not asks(text)


def test_a_question_must_be_put_to_someone_who_can_answer() -> None:
    text = "Почему МТС опять не работает?"
    assert asks(text) and not is_addressed(text)
    assert is_question(text, names_brand=True)
    assert is_question("When will my refund arrive?", on_own_page=True)
    assert not is_question("When will my refund arrive?")
