"""The report has a section per location: the demo coffee chain's cafés with their mentions,
trend, negative share, open cases, SLA and loop closure, and the mentions of no location."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from otklik.reports.figures import Window, collect
from otklik.reports.pdf import html
from tests.reports.conftest import Demo


def test_the_report_has_a_section_per_location(demo: Demo) -> None:
    window = Window(datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 12, 3, 16, tzinfo=UTC))
    with demo.store.sessions() as s:
        figures = collect(s, "zerno", window)
    names = [r.name for r in figures.locations]
    assert len(names) == 7 and "Зерно на Садовой" in names and figures.locations[-1].id is None
    assert sum(r.mentions for r in figures.locations) == figures.volume.total
    page = html(figures, "ru", ZoneInfo("Europe/Moscow"))
    section = page[page.index("<h2>Точки</h2>"):]
    assert "Зерно на Садовой" in section and "без точки" in section
    assert "Locations" in html(figures, "en", ZoneInfo("Europe/Moscow"))


def test_the_workbook_has_a_locations_sheet(demo: Demo, tmp_path: Any) -> None:
    from openpyxl import load_workbook

    from otklik.reports.xlsx import write_xlsx

    window = Window(datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 12, 3, 16, tzinfo=UTC))
    path = tmp_path / "r.xlsx"
    with demo.store.sessions() as s:
        figures = collect(s, "zerno", window)
        write_xlsx(s, figures, path, "ru", ZoneInfo("Europe/Moscow"))
    sheet = load_workbook(path, read_only=True)["Точки"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("точка", "адрес", "команда", "упоминаний")
    assert [r[0] for r in rows[1:]] == [r.name if r.id is not None else "без точки"
                                        for r in figures.locations]
    assert sum(r[3] for r in rows[1:]) == figures.volume.total
