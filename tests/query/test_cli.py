"""The `otklik match` contract and `otklik query check|translit`, run as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

LINES = [
    {"id": 1, "text": "Были вчера в кофейне Зерно", "lang": "ru", "network": "vk"},
    {"id": "two", "text": "Кофе дома", "geo": {"lat": 55.76, "lon": 37.62}},
    {"id": 3, "text": "Мало кофеен #кофе", "author": "olga", "url": "https://m.vk.com/wall1"},
    {"id": 4, "text": "Delta flight delayed 😡", "lang": "en", "network": "x",
     "created_at": "2026-11-01T10:00:00Z", "place": {"external_id": "r/travel"}},
]


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str, stdin: str = "") -> Result:
    """In-process (importing the whole CLI costs seconds per process); see the test below."""
    from otklik.cli import app

    res = CliRunner().invoke(app, list(args), input=stdin)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return Result(res.exit_code, res.stdout, res.stderr)


def test_contract_as_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl(LINES), encoding="utf-8")
    cmd = [sys.executable, "-m", "otklik.cli", "match", "--query"]
    ok = subprocess.run([*cmd, "кофейня", str(path)], capture_output=True, text=True, timeout=300)
    assert (ok.returncode, ok.stdout.splitlines()) == (0, ["1", "3"]), ok.stderr
    bad = subprocess.run([*cmd, "кофейня OR", "-"], input=_jsonl(LINES), capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == 2 and "position 10" in bad.stderr and "Traceback" not in bad.stderr


def _jsonl(lines: list[dict]) -> str:  # type: ignore[type-arg]
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)


def test_match_prints_matching_ids_in_input_order(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl(LINES), encoding="utf-8")
    res = run("match", "--query", "кофейня OR (delay* NEAR/1 flight)", str(path))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == ["1", "3", "4"]


def test_match_reads_stdin_and_fields() -> None:
    cases = {
        "#кофе": ["3"],
        "geo:55.75,37.62,5": ["two"],
        "site:vk.com author:olga": ["3"],
        "lang:ru OR network:x": ["1", "4"],
        "NOT lang:ru": ["two", "3", "4"],  # a line without lang does not match lang:ru
        "😡 place:r/travel": ["4"],
    }
    for query, ids in cases.items():
        res = run("match", "-q", query, "-", stdin=_jsonl(LINES))
        assert res.returncode == 0, (query, res.stderr)
        assert res.stdout.splitlines() == ids, query


def test_bad_query_exits_2_with_position_and_expectation() -> None:
    res = run("match", "-q", "кофе AND (", "-", stdin=_jsonl(LINES))
    assert res.returncode == 2
    assert res.stdout == ""
    assert "position 10" in res.stderr and "expected" in res.stderr
    assert "Traceback" not in res.stderr


def test_bad_lines_exit_2_naming_the_line() -> None:
    bad = [
        _jsonl(LINES[:2]) + "{not json\n",
        _jsonl(LINES[:1]) + '{"id": 5}\n',
        _jsonl(LINES[:1]) + '["a list"]\n',
        _jsonl(LINES[:1]) + '{"id": 6, "text": "x", "geo": {"lat": 500, "lon": 1}}\n',
    ]
    for stdin, line in zip(bad, (3, 2, 2, 2), strict=True):
        res = run("match", "-q", "кофе", "-", stdin=stdin)
        assert res.returncode == 2, stdin
        assert f"line {line}" in res.stderr
        assert "Traceback" not in res.stderr


def test_missing_file_and_not_utf8(tmp_path: Path) -> None:
    assert run("match", "-q", "x", str(tmp_path / "nope.jsonl")).returncode == 2
    raw = tmp_path / "latin1.jsonl"
    raw.write_bytes(b'{"id": 1, "text": "caf\xe9"}\n')
    res = run("match", "-q", "x", str(raw))
    assert res.returncode == 2 and "UTF-8" in res.stderr


def test_query_check_and_translit() -> None:
    res = run("query", "check", "(Сбер | sber) -реклама ёлка")
    assert res.returncode == 0
    assert res.stdout.strip() == "(сбер OR sber) AND NOT реклама AND елка"
    res = run("query", "check", "сбер NEAR карта")
    assert res.returncode == 2 and "NEAR/n" in res.stderr
    res = run("query", "check", "--forms", "кофейня банк*")
    assert res.returncode == 0
    assert "кофейня: " in res.stdout and "кофеен" in res.stdout and "банк*: prefix" in res.stdout
    res = run("query", "translit", "Тинькофф")
    assert res.returncode == 0
    assert {"tinkoff", "tinkov"} <= set(res.stdout.split())
