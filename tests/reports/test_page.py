"""Отчёты in the desk: the form, the preview (the PDF's own HTML), the downloads and the history
of scheduled deliveries."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl

from otklik.db.models import AlertChannel, AlertOutbox
from tests.reports.conftest import Demo


def test_the_page_builds_previews_and_downloads(demo: Demo) -> None:
    client = demo.desk.client("viewer")
    page = client.get("/reports")
    assert page.status_code == 200
    assert "Отчёты" in page.text and 'formaction="/reports/file"' in page.text
    assert "30 дней" in page.text and "прошлый месяц" in page.text
    chosen = client.get("/reports", params={"since": "2026-11-01", "until": "2026-11-30"})
    assert 'value="2026-11-01"' in chosen.text and 'value="2026-11-30"' in chosen.text
    params = {"brand": 1, "since": str(demo.since), "until": str(demo.until)}
    preview = client.get("/reports/preview", params=params)
    assert preview.status_code == 200 and "Зерно" in preview.text and "<svg" in preview.text
    xlsx = client.get("/reports/file", params={**params, "format": "xlsx"})
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert "Упоминания" in book.sheetnames
    bad = client.get("/reports/preview", params={**params, "until": "2026-09-01"})
    assert bad.status_code == 422
    assert client.get("/reports/file", params={**params, "brand": 999}).status_code == 404
    for since, until in (("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31"),
                         ("2025-01-01", "2026-12-31")):  # off the calendar; over a year
        edge = client.get("/reports/preview", params={**params, "since": since, "until": until})
        assert edge.status_code == 422, (since, until)


def test_an_anonymous_visitor_is_sent_to_sign_in(demo: Demo) -> None:
    assert demo.desk.client().get("/reports").status_code in (303, 401)


def test_the_page_lists_scheduled_deliveries_in_words(demo: Demo) -> None:
    with demo.store.sessions() as s:
        channel = AlertChannel(brand_id=1, kind="email", config={
            "host": "127.0.0.1", "sender": "otklik@example.org", "to": ["boss@example.org"],
            "reports": ["weekly"]})
        s.add(channel)
        s.flush()
        s.add(AlertOutbox(channel_id=channel.id, kind="report", state="sent",
                          sent_at=datetime(2026, 11, 30, 6, 0, 5, tzinfo=UTC), event={
                              "key": "weekly:2026-11-30:1", "brand_id": 1, "report": "weekly",
                              "since": "2026-11-22T21:00:00+00:00",
                              "until": "2026-11-29T21:00:00+00:00"}))
        s.commit()
    page = demo.desk.client("viewer").get("/reports")
    history = page.text[page.text.index('id="report-history"'):]
    assert "boss@example.org" in history and "недельный" in history
    assert "отправлен" in history and "23 нояб. 2026\u202fг. — 29 нояб. 2026\u202fг." in history
