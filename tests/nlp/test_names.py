"""Customer first names: from the display name and a self-introduction, never a guess."""

from __future__ import annotations

import pytest

from otklik.nlp.names import NameFinder, customer_name


@pytest.fixture(scope="module")
def finder() -> NameFinder:
    return NameFinder()


@pytest.mark.parametrize(
    ("display", "expected"),
    [
        ("Ольга Петрова", "Ольга"),
        ("Роман Иванов", "Роман"),  # Роман is also "a novel"; with a surname it is a name
        ("Иванов Роман Сергеевич", "Роман"),  # surname first
        ("Марина Соколова", "Марина"),
        ("Вера Павлова", "Вера"),
        ("Слава Кузнецов", "Слава"),
        ("Марина", "Марина"),
        ("Роман", "Роман"),
        ("ОЛЬГА ПЕТРОВА", "Ольга"),
        ("Ольга 🌸 Петрова", "Ольга"),
        ("Оля_Петрова", "Оля"),
        ("Анна К.", "Анна"),
        ("Лев Толстой", "Лев"),
        ("Olga Petrova", "Olga"),
        ("John Smith", "John"),
        # not a person's name as a whole
        ("Вера в лучшее", None),  # a phrase: "faith in the best"
        ("Слава Украине", None),  # "Glory to Ukraine"
        ("Роман Банк", None),
        ("Кофейня Зерно", None),
        ("Мама Оли", None),
        ("Техномир", None),  # the dictionary does not know it: no guessed names
        ("Delta Airlines", None),
        ("Love", None),  # an English word before it is a name
        ("user_1987", None),
        ("Ольга 1987", "Ольга"),  # a year beside a name leaves it a name
        ("Ольга 1987 2020", None),
        ("", None),
        (None, None),
    ],
)
def test_display_names(finder: NameFinder, display: str | None, expected: str | None) -> None:
    assert finder.from_display_name(display) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Добрый день, меня зовут Ольга, заказ не пришёл", "Ольга"),
        ("Заказ не пришел. С уважением, Анна", "Анна"),
        ("Это Вера, пишу по поводу заказа", "Вера"),
        ("Я Роман, ваш клиент с 2015 года", "Роман"),
        ("Спасибо за помощь — Ольга", "Ольга"),
        ("Hi, my name is John and my flight is late", "John"),
        ("Flight late again. Best regards, Sarah", "Sarah"),
        # not the customer's own name
        ("Вера в лучшее умирает последней", None),
        ("Я Слава богу дождался", None),
        ("Здравствуйте, Марина! Меня обслуживали очень грубо", None),  # the addressee
        ("Спасибо, Марина", None),  # thanking the agent
        ("Оператор Марина нагрубила мне по телефону", None),  # someone else
        ("Thanks, Sarah", None),
        # real tweets (rusentitweet_train.csv): nicknames and jokes, no name to use
        ("меня зовут наруто, но друзья зовут меня стать хокаге", None),
        ("доброе утро меня зовут лера но вы можете звать меня спать", None),
        (None, None),
    ],
)
def test_names_in_text(finder: NameFinder, text: str | None, expected: str | None) -> None:
    assert finder.from_text(text) == expected


def test_name_comes_back_in_the_nominative(finder: NameFinder) -> None:
    assert finder._ru_name("Ольгой") == "Ольга"
    assert finder._ru_name("Сергеем") == "Сергей"
    assert finder._ru_name("Марину") is None  # Марина (accusative) or Марин (dative)
    assert finder.from_display_name("Ольгой") == "Ольга"


def test_self_introduction_wins_over_the_display_name() -> None:
    assert customer_name("Иван Петров", "Пишу с аккаунта мужа. Меня зовут Мария") == "Мария"
    assert customer_name("Роман Иванов", "Марина, здравствуйте! Где мой заказ?") == "Роман"
    assert customer_name("Вера в лучшее", "Где мой заказ?") is None


def test_display_answers_are_cached(finder: NameFinder) -> None:
    first = finder.from_display_name("Наталья Орлова")
    assert first == "Наталья"
    assert finder._display_cache["Наталья Орлова"] == "Наталья"
