"""`otklik attacks` contract: JSONL mentions in, one JSON document out, exit 2 on a bad line."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from otklik.cli import app

FIXTURES = Path(__file__).parent.parent / "fixtures" / "attacks"
runner = CliRunner()


def _lines(name: str) -> list[dict]:
    return [json.loads(x) for x in (FIXTURES / name).read_text(encoding="utf-8").splitlines()]


def _mixed(tmp_path: Path) -> tuple[Path, set[str]]:
    """The IRA burst moved into the organic airline day, written as the contract's input."""
    organic = _lines("airline_organic.jsonl")
    camp = _lines("ira_fergusonremembers.jsonl")
    to = datetime.fromisoformat(organic[20]["created_at"].replace("Z", "+00:00"))
    first = datetime.fromisoformat(camp[0]["created_at"].replace("Z", "+00:00"))
    for d in camp:
        at = datetime.fromisoformat(d["created_at"].replace("Z", "+00:00")) - first + to
        d["created_at"] = at.isoformat()
        del d["followers"]
    path = tmp_path / "mixed.jsonl"
    rows = sorted([*organic, *camp], key=lambda d: d["created_at"])
    path.write_text("".join(json.dumps(d) + "\n" for d in rows), encoding="utf-8")
    return path, {d["id"] for d in camp}


def test_campaign_in_file_is_reported(tmp_path: Path) -> None:
    path, camp_ids = _mixed(tmp_path)
    result = runner.invoke(app, ["attacks", str(path)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == ["attacks"] and len(doc["attacks"]) == 1
    attack = doc["attacks"][0]
    assert set(attack) >= {"id", "start", "end", "score", "mention_ids", "authors", "signals",
                           "summary"}
    assert set(attack["mention_ids"]) <= camp_ids
    assert len(attack["mention_ids"]) >= 0.8 * len(camp_ids)
    assert len(attack["authors"]) == 6 and attack["summary"]


def test_stdin_and_organic_stream_give_empty_list() -> None:
    text = (FIXTURES / "airline_complaint_wave.jsonl").read_text(encoding="utf-8")
    result = runner.invoke(app, ["attacks", "-"], input=text)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"attacks": []}


def test_integer_ids_come_back_as_integers(tmp_path: Path) -> None:
    path, _ = _mixed(tmp_path)
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    for n, d in enumerate(rows):
        d["id"] = n
    path.write_text("".join(json.dumps(d) + "\n" for d in rows))
    attack = json.loads(runner.invoke(app, ["attacks", str(path)]).stdout)["attacks"][0]
    assert all(isinstance(i, int) for i in attack["mention_ids"])


def test_bad_line_exits_2_naming_the_line(tmp_path: Path) -> None:
    good = json.dumps(_lines("airline_organic.jsonl")[0])
    cases = {
        "{not json": "3",
        json.dumps({"id": "x", "text": "t", "author": "a"}): "created_at",
        json.dumps({"id": "x", "text": "t", "created_at": "2015-02-23T10:00:00Z"}): "author",
        json.dumps({"id": "x", "text": "t", "author": "a", "created_at": "yesterday"}): "yesterday",
        json.dumps({"id": "x", "text": "t", "author": "a", "created_at": 1, "followers": "lots"}):
            "followers",
        "[1, 2]": "object",
    }
    for bad, expected in cases.items():
        path = tmp_path / "bad.jsonl"
        path.write_text(f"{good}\n{good}\n{bad}\n{good}\n", encoding="utf-8")
        result = runner.invoke(app, ["attacks", str(path)])
        assert result.exit_code == 2, bad
        assert f"{path}:3:" in result.stderr and expected in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["attacks", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "no such file" in result.stderr
