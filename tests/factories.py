"""Small factories: build one realistic object, override what the test is about."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from otklik.domain.posts import Author, Place, Post

_seq = itertools.count(1)
BASE_TIME = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def make_post(**overrides: Any) -> Post:
    n = next(_seq)
    fields: dict[str, Any] = {
        "network": "vk",
        "external_id": f"-1_{n}",
        "text": f"Кофейня Зерно на Тверской, заказ {n}",
        "created_at": BASE_TIME + timedelta(minutes=n),
        "url": f"https://vk.com/wall-1_{n}",
        "author": Author(external_id=f"u{n % 50}", handle=f"user{n % 50}", name="Ольга Петрова"),
        "place": Place(external_id="-1", name="Зерно — кофейни", kind="group"),
    }
    fields.update(overrides)
    return Post(**fields)
