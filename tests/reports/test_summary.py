"""The summary says what changed and why: more negative than before, because of the period's
incident (named, dated, how long it took); an incident's span is a report's period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from otklik.db.models import Incident, Mention, MentionBrand
from otklik.reports.build import incident_window
from otklik.reports.figures import collect, window_of
from otklik.reports.summary import sentences
from tests.reports.conftest import brand_with_mentions


def test_the_negative_rise_is_put_down_to_the_incident(sqlite_store: Any) -> None:
    brand_id = brand_with_mentions(sqlite_store, 30)  # 2026-11-23 on, two thirds negative
    start = datetime(2026, 11, 25, 9, tzinfo=UTC)
    with sqlite_store.sessions() as s:
        for i in range(6):  # the week before: all positive
            at = datetime(2026, 11, 17, 10, tzinfo=UTC) + timedelta(hours=i)
            m = Mention(network="vk", external_id=f"-2_{i}", text="Зерно, спасибо",
                        created_at=at, sentiment="positive")
            s.add(m)
            s.flush()
            s.add(MentionBrand(mention_id=m.id, brand_id=brand_id, sentiment="positive",
                               created_at=at))
        s.add(Incident(brand_id=brand_id, title="Сбой оплаты", status="resolved",
                       started_at=start, resolved_at=start + timedelta(hours=4)))
        s.commit()
        f = collect(s, "zerno", window_of(date(2026, 11, 23), date(2026, 11, 29)))
        moscow = ZoneInfo("Europe/Moscow")
        ru, en = sentences(f, "ru", moscow), sentences(f, "en", moscow)
        span = incident_window(s, "zerno", f.events.incidents[0].id)
    assert ru[0].startswith("30 упоминаний за период: на 400\u00a0% больше")
    assert ru[1].startswith("Негатив 0\u00a0% → ")
    assert "из-за «Сбой оплаты» 25 нояб. 2026\u202fг. (инцидент #1, закрыт за 4 ч" in ru[1], ru[1]
    assert "because of “Сбой оплаты”" in en[1] and "resolved in 4" in en[1], en[1]
    assert (span.since, span.until) == (start, start + timedelta(hours=4))
