"""`otklik spikes FILE.csv [-o OUT.csv]`: anomaly scores of a series (DESIGN.md contract).

Input: CSV with a header naming `timestamp` and `value` columns (ISO 8601 or Unix seconds; counts
per bucket, or any measurement, at any regular interval). Output: `timestamp,value,anomaly_score`,
one row per input row, score in [0, 1], computed online (a row's score depends only on it and
earlier rows). The detector is `ROW_SCORES`: after an alarm, only a 10x rarer event or a value
beyond every value seen alarms again for a day. The whole input is checked before anything is
written: a bad row exits with code 2 naming its line.

A row whose timestamp is not after the previous row's (a local clock repeating an hour when
daylight saving ends, a logger's duplicate, a clock set back) is still its own row: it is scored
in input order as arriving 1 s after the latest time seen (the detector's clock never goes
back), and a warning on stderr names the first such line and how many there are. Merging such
rows would break one output row per input row, and refusing them would refuse real files (8 of
NAB's series have them).
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path
from typing import Annotated

import typer

from otklik.analytics.spikes import ROW_SCORES, SpikeDetector
from otklik.cli._common import fail, read_lines
from otklik.flow.importers import parse_time


def read_series(path: str) -> tuple[list[str], list[str], list[float], list[float], list[int]]:
    """Raw timestamp and value strings, epoch seconds, values, and the line numbers of rows whose
    timestamp is not after the previous row's; fails with the line number on a bad row."""
    raw_ts: list[str] = []
    raw_values: list[str] = []
    epochs: list[float] = []
    values: list[float] = []
    not_after: list[int] = []
    columns: tuple[int, int] | None = None
    for number, line in read_lines(path):
        if not line.strip():
            continue
        try:
            cells = next(csv.reader([line]))
        except csv.Error as exc:
            fail(f"{path}:{number}: not CSV ({exc})")
        if columns is None:
            names = [c.strip().lower() for c in cells]
            if "timestamp" not in names or "value" not in names:
                fail(f"{path}:{number}: the header must name the columns timestamp,value "
                     f"(got {line!r})")
            columns = (names.index("timestamp"), names.index("value"))
            continue
        if len(cells) <= max(columns):
            fail(f"{path}:{number}: expected timestamp,value, got {line!r}")
        ts_text, value_text = cells[columns[0]].strip(), cells[columns[1]].strip()
        try:
            epoch = parse_time(ts_text, "timestamp").timestamp()
            value = float(value_text)
        except ValueError as exc:
            fail(f"{path}:{number}: {exc}" if "timestamp" in str(exc) else
                 f"{path}:{number}: value {value_text!r} is not a number")
        if not math.isfinite(value):
            fail(f"{path}:{number}: value {value_text!r} is not a finite number")
        if epochs and epoch <= epochs[-1]:
            not_after.append(number)
        raw_ts.append(ts_text)
        raw_values.append(value_text)
        epochs.append(epoch)
        values.append(value)
    if columns is None:
        fail(f"{path}: empty input, expected a timestamp,value header")
    return raw_ts, raw_values, epochs, values, not_after


def spikes(
    file: Annotated[str, typer.Argument(help="CSV with timestamp,value columns, or - for stdin")],
    output: Annotated[str | None, typer.Option("-o", "--output",
                                               help="Write the scored CSV here (default stdout)")
                      ] = None,
) -> None:
    """Score each row of a series for anomalies (online: no row sees later rows)."""
    raw_ts, raw_values, epochs, values, not_after = read_series(file)
    if not_after:
        typer.echo(f"warning: {file}:{not_after[0]}: {len(not_after)} row(s) with a timestamp not "
                   "after the previous row's, each scored in input order, 1 s after the latest "
                   "time seen", err=True)
    detector = SpikeDetector(ROW_SCORES)
    update = detector.update
    rows = [(t, v, f"{update(x, e):.6f}")
            for t, v, e, x in zip(raw_ts, raw_values, epochs, values, strict=True)]
    header = ["timestamp", "value", "anomaly_score"]
    if output is None:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return
    try:
        with Path(output).open("w", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    except OSError as exc:
        fail(f"{output}: cannot write ({exc.strerror})")


def register(app: typer.Typer) -> None:
    app.command("spikes")(spikes)
