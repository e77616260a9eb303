"""Every format on SQLite and on PostgreSQL (where the mentions stream through a server-side
cursor), for a small brand and for a period with no mention at all."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pypdfium2 as pdfium
from pypdf import PdfReader

from otklik.reports.build import write_report
from otklik.reports.figures import window_of
from tests.reports.conftest import brand_with_mentions


def test_each_format_on_each_store(store: Any, tmp_path: Path) -> None:
    brand_with_mentions(store, 30)
    window = window_of(date(2026, 11, 23), date(2026, 11, 29))
    with store.sessions() as s:
        xlsx = write_report(s, "zerno", window, tmp_path / "r.xlsx", "en")
        csv_ = write_report(s, "zerno", window, tmp_path / "r.csv", "en")
        pdf = write_report(s, "zerno", window, tmp_path / "r.pdf", "en")
    assert xlsx.mentions == csv_.mentions == pdf.mentions == 30
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Mentions"]
    texts = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(texts) == 30 and "=1+1 Зерно" in texts  # text, never a formula
    with (tmp_path / "r.csv").open(encoding="utf-8", newline="") as stream:
        assert len(list(csv.DictReader(stream))) == 30
    assert len(pdfium.PdfDocument(tmp_path / "r.pdf")) >= 2
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "r.pdf").pages)
    assert "Зерно" in text and "\x00" not in text  # every glyph in a font: plain text encoding


def test_a_period_without_mentions(sqlite_store: Any, tmp_path: Path) -> None:
    brand_with_mentions(sqlite_store, 3)
    window = window_of(date(2025, 1, 1), date(2025, 1, 31))
    with sqlite_store.sessions() as s:
        for name in ("r.pdf", "r.xlsx", "r.csv"):
            assert write_report(s, "zerno", window, tmp_path / name, "ru").mentions == 0
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book["Упоминания"].max_row == 1
