"""`otklik report BRAND --since YYYY-MM-DD --until YYYY-MM-DD -o FILE.pdf|.xlsx|.csv`
(DESIGN.md contract): the brand's period against the one before, the format from the extension.

`--days N` instead of the dates means the last N days up to today; `--incident ID` the incident's
span. Bad input (a date, the extension, an unknown brand) exits 2 with a message, before any
file is written. `otklik reports deliver` sends the scheduled reports that are due.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from otklik.cli._common import fail, parse_when, settings_of, store_session


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--{name} {value!r}: expected a date such as 2026-11-25")


def report(
    ctx: typer.Context,
    brand: Annotated[str, typer.Argument(help="Brand slug or id")],
    output: Annotated[str, typer.Option("-o", "--output",
                                        help="FILE.pdf, FILE.xlsx or FILE.csv")],
    since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (included), YYYY-MM-DD")] = None,
    days: Annotated[int | None, typer.Option(help="The last N days up to today instead")
                    ] = None,
    incident: Annotated[int | None, typer.Option(help="An incident's span instead")] = None,
    lang: Annotated[str, typer.Option(help="ru or en")] = "ru",
    tz: Annotated[str, typer.Option(help="Time zone of the days and times shown (IANA name)")
                  ] = "UTC",
) -> None:
    """A brand's period as a PDF, an XLSX or a CSV of its mentions."""
    from otklik.reports.build import format_of, incident_window, write_report
    from otklik.reports.figures import Window, window_of  # heavy: only when a report is asked

    path = Path(output)
    try:
        format_of(path)
    except ValueError as exc:
        fail(str(exc))
    if lang not in ("ru", "en"):
        fail(f"--lang {lang!r}: expected ru or en")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"--tz {tz!r}: not a time zone name such as Europe/Moscow")
    if not path.parent.is_dir():
        fail(f"{output}: no such directory {str(path.parent)!r}")
    chosen = sum(x is not None for x in ((since or until), days, incident))
    if chosen != 1:
        fail("give --since and --until, or --days, or --incident")
    with store_session(ctx) as s:
        window: Window
        if incident is not None:
            window = incident_window(s, brand, incident)
        elif days is not None:
            if not 1 <= days <= 3660:
                fail(f"--days {days}: expected 1 to 3660")
            today = datetime.now(zone).date()
            window = window_of(today - timedelta(days=days - 1), today, zone)
        else:
            start, end = _day(since, "since"), _day(until, "until")
            if start is None or end is None:
                fail("give both --since and --until")
            window = window_of(start, end, zone)
        try:
            written = write_report(s, brand, window, path, lang, zone)
        except OSError as exc:
            fail(f"{output}: cannot write ({exc.strerror})")
    typer.echo(f"{written.path}: {written.format}, {written.mentions} mentions")


reports_app = typer.Typer(help="Scheduled reports.", no_args_is_help=True)


@reports_app.command("deliver")
def deliver(
    ctx: typer.Context,
    now: Annotated[str | None, typer.Option(help="ISO time instead of now")] = None,
) -> None:
    """E-mail the scheduled reports due now (the scheduler does this every minute): weekly,
    monthly and incident reports that e-mail alert channels ask for in their config
    (`"reports": ["weekly", "monthly", "incident"]`), each once."""
    from otklik.actions.report_delivery import deliver_due
    from otklik.db.engine import open_store

    at = parse_when(now, "now")
    _, sessions = open_store(settings_of(ctx))
    for d in deliver_due(sessions, at):
        typer.echo(f"{d.due.key} → channel {d.due.channel_id}: {d.state}"
                   + (f" ({d.error})" if d.error else ""))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(reports_app, name="reports")
