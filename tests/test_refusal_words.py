"""Refusals raised with `refusal` keep their Russian text and speak the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik.actions.channels import ConnectError
from otklik.publish.announcements import check_schedule
from otklik.wording.refusals import explain, refusal


def test_a_refusal_keeps_its_russian_text_and_says_it_in_english() -> None:
    err = refusal(ConnectError, "refused_token", network="VK")
    assert str(err) == "VK: токен не подошёл — он неверный, отозван или без нужных прав"
    assert explain(err, "ru") == str(err)
    assert explain(err, "en") == ("VK: the token did not work — it is wrong, revoked or lacks "
                                  "the needed permissions")
    many = refusal(ValueError, "refused_bulk_too_many", limit=200)
    assert str(many) == "за раз — не больше 200 обращений"
    assert explain(many, "en") == "no more than 200 cases at a time"


def test_a_schedule_refusal_raised_by_the_rules_is_english_on_an_english_desk() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with pytest.raises(ValueError) as caught:
        check_schedule(now, None, now + timedelta(hours=2), now + timedelta(hours=1))
    assert str(caught.value) == "событие должно закончиться позже, чем начнётся"
    assert explain(caught.value, "en") == "the event must end later than it starts"


def test_an_error_without_words_is_shown_as_it_is() -> None:
    assert explain(ValueError("plain"), "en") == "plain"
