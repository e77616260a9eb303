"""RowSheet writes what XlsxWriter's own cell methods write: the same values read back through
openpyxl, hostile text included, with the columns' formats, dimensions and filter."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from otklik.reports import xlsx
from otklik.reports.build import write_report
from otklik.reports.figures import window_of
from otklik.reports.sheet import RowSheet
from tests.reports.conftest import brand_with_mentions

TEXTS = [
    "=1+1", "+7 999", "<b>&amp;</b> \"quoted\"", "a\x01b\x1fc", "_x0041_ literal", " leading",
    "trailing ", "\ttab", "line\nbreak\r\n", "Зерно 👍🏽 молодцы", "\u00a0nbsp", "https://x.org/a_x",
    "x" * 40_000, "😀" * 20_000, "\ufffe", "a" * 16_384 + "&",
]
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
           "strings_to_numbers": False}


def _rows() -> list[tuple[Any, ...]]:
    when = datetime(2026, 11, 30, 23, 59, 59, 999_000)
    return [(i, when, text, -1.5 if i % 2 else 10**15, None if i % 3 else i)
            for i, text in enumerate(TEXTS, start=1)]


def _values(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [tuple(None if v == "" else v for v in row)
            for row in ws.iter_rows(min_row=2, values_only=True)]


def test_rows_read_back_as_xlsxwriter_writes_them(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    usual = wb.add_worksheet("usual")
    fast = wb.add_worksheet("fast", worksheet_class=RowSheet)
    assert isinstance(fast, RowSheet)
    for ws in (usual, fast):
        ws.write_row(0, 0, ("id", "time", "text", "number", "case"))
        ws.freeze_panes(1, 0)
    fast.columns([None, when, None, None, None])
    rows = _rows()
    for n, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, datetime):
                usual.write_datetime(n, col, value, when)
            elif value is not None:
                usual.write(n, col, value)
        assert fast.put(n, row) == 0
    assert fast.put(1, rows[0]) == -2  # above a row already written: refused, as XlsxWriter
    for ws in (usual, fast):
        ws.autofilter(0, 0, len(rows), 4)
    wb.close()
    assert _values(path, "fast") == _values(path, "usual")
    book = openpyxl.load_workbook(path)
    sheet = book["fast"]
    assert sheet.dimensions == book["usual"].dimensions == f"A1:E{len(rows) + 1}"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:E{len(rows) + 1}"
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["B2"].value == datetime(2026, 11, 30, 23, 59, 59, 999_000)
    assert sheet["C2"].value == "=1+1" and sheet["C2"].data_type == "s"  # text, not a formula


def test_markup_in_a_text_stays_text(tmp_path: Path) -> None:
    """XlsxWriter writes an in-line string shaped "<r>…</r>" as rich-text XML; a post is text."""
    path = tmp_path / "m.xlsx"
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    ws = wb.add_worksheet("m", worksheet_class=RowSheet)
    assert isinstance(ws, RowSheet)
    ws.columns([None])
    hostile = "<r><t>x</t></r><x/><r>"
    ws.put(0, (hostile,))
    wb.close()
    assert openpyxl.load_workbook(path)["m"]["A1"].value == hostile


def test_only_in_constant_memory_and_only_plain_values(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    ws = wb.add_worksheet("x", worksheet_class=RowSheet)
    assert isinstance(ws, RowSheet)
    with pytest.raises(ValueError, match="constant_memory"):
        ws.columns([None])
    wb.close()
    wb = xlsxwriter.Workbook(str(tmp_path / "y.xlsx"), OPTIONS)
    ws = wb.add_worksheet("y", worksheet_class=RowSheet)
    assert isinstance(ws, RowSheet)
    ws.columns([None, None])
    with pytest.raises(TypeError, match="bool"):
        ws.put(0, (1, True))
    with pytest.raises(ValueError):  # as many values as columns
        ws.put(1, (1,))
    wb.close()


def test_mentions_past_a_sheets_last_row_go_on_the_next(sqlite_store: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    brand_with_mentions(sqlite_store, 30)
    monkeypatch.setattr(xlsx, "EXCEL_ROWS", 8)  # a header and 7 mentions a sheet
    with sqlite_store.sessions() as s:
        written = write_report(s, "zerno", window_of(date(2026, 11, 23), date(2026, 11, 29)),
                               tmp_path / "r.xlsx", "en")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    parts = [name for name in book.sheetnames if name.startswith("Mentions")]
    assert parts == ["Mentions", "Mentions 2", "Mentions 3", "Mentions 4", "Mentions 5"]
    ids = [row[0] for name in parts for row in book[name].iter_rows(min_row=2, values_only=True)]
    assert written.mentions == 30 and len(ids) == len(set(ids)) == 30
    for name in parts:
        sheet = book[name]
        assert sheet.freeze_panes == "A2" and sheet.cell(1, 1).value == "id"
        assert sheet.auto_filter.ref == f"A1:K{sheet.max_row}"
