"""`otklik spikes` contract: timestamp,value in; timestamp,value,anomaly_score out; online."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from otklik.cli import app

runner = CliRunner()


def _write(path: Path, values: list[float], step_minutes: int = 10) -> Path:
    rows = ["timestamp,value"]
    for i, v in enumerate(values):
        minutes = i * step_minutes
        rows.append(f"2015-03-{1 + minutes // 1440:02d} {minutes // 60 % 24:02d}:"
                    f"{minutes % 60:02d}:00,{v:g}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _values(n: int, seed: int = 0) -> list[float]:
    return np.random.default_rng(seed).poisson(12, n).astype(float).tolist()


def test_one_scored_row_per_input_row(tmp_path: Path) -> None:
    values = _values(1000)
    values[800:804] = [90, 150, 120, 60]  # a burst after ~5.5 days of 10-minute buckets
    path = _write(tmp_path / "in.csv", values)
    result = runner.invoke(app, ["spikes", str(path)])
    assert result.exit_code == 0, result.output
    rows = _read(result.stdout)
    assert list(rows[0]) == ["timestamp", "value", "anomaly_score"]
    assert len(rows) == 1000
    source = _read(path.read_text())
    assert [(r["timestamp"], r["value"]) for r in rows] == [
        (r["timestamp"], r["value"]) for r in source]
    scores = np.array([float(r["anomaly_score"]) for r in rows])
    assert ((scores >= 0) & (scores <= 1)).all()
    assert int(scores.argmax()) in range(800, 804)


def test_scores_are_online_and_written_to_the_output_file(tmp_path: Path) -> None:
    values = _values(600, seed=1)
    first = _write(tmp_path / "a.csv", values)
    changed = values[:400] + [v * 5 for v in values[400:]]
    second = _write(tmp_path / "b.csv", changed)
    for src, out in ((first, "a.out.csv"), (second, "b.out.csv")):
        result = runner.invoke(app, ["spikes", str(src), "-o", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
    a = _read((tmp_path / "a.out.csv").read_text())
    b = _read((tmp_path / "b.out.csv").read_text())
    assert [r["anomaly_score"] for r in a[:400]] == [r["anomaly_score"] for r in b[:400]]
    assert [r["anomaly_score"] for r in a[400:]] != [r["anomaly_score"] for r in b[400:]]


def test_unix_seconds_and_extra_columns_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "epoch.csv"
    path.write_text("value,timestamp,note\n3,1425168000,x\n4,1425168300,y\n", encoding="utf-8")
    result = runner.invoke(app, ["spikes", str(path)])
    assert result.exit_code == 0, result.output
    assert [r["timestamp"] for r in _read(result.stdout)] == ["1425168000", "1425168300"]


@pytest.mark.parametrize(("content", "line", "words"), [
    ("time,count\n2015-03-01 00:00:00,3\n", 1, "header"),
    ("timestamp,value\n2015-03-01 00:00:00,3\n2015-03-01 00:05:00,many\n", 3, "not a number"),
    ("timestamp,value\n2015-03-01 00:00:00,3\nyesterday,4\n", 3, "timestamp"),
    ("timestamp,value\n2015-03-01 00:00:00,3\n2015-03-01 00:05:00,inf\n", 3, "finite"),
    ("timestamp,value\n2015-03-01 00:00:00,nan\n", 2, "finite"),
    ("timestamp,value\n2015-03-01 00:00:00\n", 2, "expected timestamp,value"),
])
def test_bad_csv_exits_2_naming_the_line(tmp_path: Path, content: str, line: int,
                                         words: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["spikes", str(path), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 2
    assert f"bad.csv:{line}:" in result.stderr and words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out.csv").exists()  # nothing is written for a bad input


def test_repeated_and_earlier_timestamps_are_scored_in_order_with_a_warning(
        tmp_path: Path) -> None:
    """A local clock repeats an hour (NAB's CloudWatch series repeat 03:00 twelve times) or is set
    back: every row is still scored, in input order, and stderr says which line and how many."""
    values = _values(600, seed=2)
    path = _write(tmp_path / "in.csv", values)
    lines = path.read_text().splitlines()
    lines[301] = lines[300].split(",")[0] + ",7"  # row 301 repeats row 300's time (line 302)
    lines[401] = lines[390].split(",")[0] + ",9"  # row 401 goes back in time (line 402)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["spikes", str(path)])
    assert result.exit_code == 0, result.output
    assert "in.csv:302:" in result.stderr and "2 row(s)" in result.stderr
    rows = _read(result.stdout)
    assert [(r["timestamp"], r["value"]) for r in rows] == [
        (r["timestamp"], r["value"]) for r in _read(path.read_text())]
    scores = np.array([float(r["anomaly_score"]) for r in rows])
    assert ((scores >= 0) & (scores <= 1)).all()
    clean = runner.invoke(app, ["spikes", str(_write(tmp_path / "clean.csv", values))])
    assert clean.stderr == ""
    assert [r["anomaly_score"] for r in _read(clean.stdout)][:301] == [
        r["anomaly_score"] for r in rows][:301]


def test_a_measurement_with_negative_values_is_scored(tmp_path: Path) -> None:
    values = (np.random.default_rng(3).normal(-5.0, 0.2, 700)).round(3).tolist()
    values[650] = 3.0  # far outside everything seen
    result = runner.invoke(app, ["spikes", str(_write(tmp_path / "m.csv", values))])
    assert result.exit_code == 0, result.output
    scores = np.array([float(r["anomaly_score"]) for r in _read(result.stdout)])
    assert int(scores.argmax()) == 650 and scores[650] > 0.9


def test_missing_file_and_empty_input_are_clean_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["spikes", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "no such file" in result.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["spikes", str(empty)])
    assert result.exit_code == 2 and "empty" in result.stderr
