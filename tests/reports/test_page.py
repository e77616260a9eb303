"""Отчёты in the desk: the form, the preview (the PDF's own HTML) and the downloads."""

from __future__ import annotations

import io

import openpyxl

from tests.reports.conftest import Demo


def test_the_page_builds_previews_and_downloads(demo: Demo) -> None:
    client = demo.desk.client("viewer")
    page = client.get("/reports")
    assert page.status_code == 200
    assert "Отчёты" in page.text and 'formaction="/reports/file"' in page.text
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


def test_an_anonymous_visitor_is_sent_to_sign_in(demo: Demo) -> None:
    assert demo.desk.client().get("/reports").status_code in (303, 401)
