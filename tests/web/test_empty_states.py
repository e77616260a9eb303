"""A fresh desk says, on each main page, what to do next rather than showing nothing."""

from __future__ import annotations

import pytest

from tests.web.conftest import Desk

PAGES = [
    ("/overview", "Источников нет — подключите VK-сообщество или Telegram-канал бренда"),
    ("/overview", "Всплесков за этот период нет"),
    ("/mentions", "Источников нет — подключите VK-сообщество или Telegram-канал бренда"),
    ("/attacks", "покажет здесь скоординированную кампанию"),
    ("/incidents", "откройте инцидент в форме ниже"),
]


@pytest.mark.parametrize(("path", "said"), PAGES)
def test_an_empty_page_says_what_to_do_next(desk: Desk, path: str, said: str) -> None:
    response = desk.client("admin").get(path)
    assert response.status_code == 200
    assert said in response.text
