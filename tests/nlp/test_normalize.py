"""Normalisation: one spelling for the many ways social-network text writes the same thing."""

from __future__ import annotations

import pytest

from otklik.nlp.normalize import (
    URL_TOKEN,
    USER_TOKEN,
    fix_lookalikes,
    is_emoji,
    normalize,
    squeeze_repeats,
    strip_emoji,
    tokens,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ооочень", "оочень"),
        ("Ооочень плохоооо", "оочень плохоо"),  # case does not hide a run
        ("касса", "касса"),  # doubled letters are real spelling
        ("good", "good"),
        ("!!!!!", "!!"),
        ("Ёлка и ёжик", "елка и ежик"),
        ("пpивет", "привет"),  # Latin p inside a Cyrillic word
        ("Cбербанк", "сбербанк"),  # Latin C at the start
        ("Аррle", "apple"),  # Cyrillic look-alikes inside a Latin word
        ("MTC", "mtc"),  # a word in one script is left alone
        ("Tele2 и МТС", "tele2 и мтс"),
        ("trouble &amp; delays &lt;3", "trouble & delays <3"),  # airline_tweets.csv keeps entities
    ],
)
def test_normalize_cases(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_urls_and_users_become_tokens() -> None:
    text = "@mts_ru опять https://t.co/AbC123 и www.mts.ru/help, пишу @Beeline"
    assert normalize(text) == f"{USER_TOKEN} опять {URL_TOKEN} и {URL_TOKEN} пишу {USER_TOKEN}"


def test_emoji_kept_as_tokens_runs_squeezed_modifiers_dropped() -> None:
    assert tokens("Супер 😡😡😡😡 👍🏻") == ["супер", "😡", "😡", "👍"]
    assert tokens("семья 👨‍👩‍👧") == ["семья", "👨", "👩", "👧"]


def test_emoticons_and_punctuation_tokens() -> None:
    assert tokens("Ну спасибо)))) :( ?", punct=True) == ["ну", "спасибо", "))", ":(", "?"]
    assert "?" not in tokens("Где заказ?")


def test_real_tweet_from_rusentitweet() -> None:
    # rusentitweet_train.csv
    text = "@NCTsmtown_127 АААА Я ЛЮБЛЮ ВАС 🥺🥺🥺🥺💗💞💞"
    assert normalize(text) == f"{USER_TOKEN} аа я люблю вас 🥺 🥺 💗 💞 💞"


def test_helpers() -> None:
    assert is_emoji("😡") and not is_emoji("я") and not is_emoji("🏻")
    assert strip_emoji("😡😡 ").strip() == ""
    assert fix_lookalikes("хорошо") == "хорошо"
    assert squeeze_repeats("ааааа", keep=1) == "а"
    with pytest.raises(ValueError):
        squeeze_repeats("a", keep=0)
    assert normalize("") == "" and tokens("") == []
