"""The report has a section per location: the demo coffee chain's cafés with their mentions,
trend, negative share, open cases, SLA and loop closure, and the mentions of no location."""

from __future__ import annotations

from datetime import UTC, datetime
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
