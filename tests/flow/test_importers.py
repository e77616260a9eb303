"""`otklik import`: JSONL and CSV, bad rows named by line, all-or-nothing by default,
re-import adds nothing, and a kill -9 in the middle leaves the store consistent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from otklik.actions.imports import import_file
from otklik.actions.unit import transaction
from otklik.db.models import Mention
from otklik.flow.importers import UnreadableFile


def rows(n: int, start: int = 0) -> list[dict]:
    return [
        {"id": f"m{i}", "text": f"Кофейня Зерно, отзыв {i} 👍", "author": f"user{i % 7}",
         "created_at": f"2026-11-01T10:{i % 60:02d}:00Z", "network": "vk", "place": "-1",
         "geo": {"lat": 55.75, "lon": 37.61}}
        for i in range(start, start + n)
    ]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def mention_count(store) -> int:
    with transaction(store.sessions) as s:
        return s.scalar(select(func.count()).select_from(Mention))


def test_jsonl_import_and_reimport_adds_nothing(store, tmp_path):
    path = write_jsonl(tmp_path / "m.jsonl", rows(50))
    first = import_file(store.sessions, path, chunk=20)
    again = import_file(store.sessions, path, chunk=20)
    assert (first.inserted, again.inserted, again.unchanged) == (50, 0, 50)
    assert mention_count(store) == 50
    with transaction(store.sessions) as s:
        m = s.scalars(select(Mention).where(Mention.external_id == "m3")).one()
        assert (m.lat, m.lon, m.author.handle, m.network) == (55.75, 37.61, "user3", "vk")


def test_csv_with_column_mapping(sqlite_store, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "post_id,body,when,who\n"
        "1,\"Зерно, спасибо за раф, \"\"лучший\"\"\",2026-11-01 10:00:00,olga\n"
        "2,Second line,1761991200,ivan\n",
        "utf-8",
    )
    report = import_file(sqlite_store.sessions, path, mapping={
        "id": "post_id", "text": "body", "created_at": "when", "author": "who"})
    assert report.inserted == 2 and not report.bad
    with transaction(sqlite_store.sessions) as s:
        texts = sorted(s.scalars(select(Mention.text)))
    assert texts == ["Second line", 'Зерно, спасибо за раф, "лучший"']


def test_a_bad_row_commits_nothing_and_names_the_line(sqlite_store, tmp_path):
    lines = [json.dumps(r) for r in rows(3)]
    lines.insert(1, '{"id": "x", "text": "broken"')  # line 2
    lines.append(json.dumps({"id": "y", "text": "no time"}))  # line 5
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    report = import_file(sqlite_store.sessions, path)
    assert [(b.line, b.reason.split(":")[0]) for b in report.bad] == [
        (2, "broken JSON at column 29"), (5, "created_at")]
    assert not report.committed and mention_count(sqlite_store) == 0


def test_skip_bad_stores_good_rows_and_writes_rejects(sqlite_store, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        (json.dumps(rows(1)[0]) + "\n").encode()
        + b'{"id": "cp", "text": "\xcf\xf0\xe8\xe2\xe5\xf2", "created_at": "2026-11-01"}\n'
        + b"[1, 2]\n"
    )
    rejects = tmp_path / "rejects.jsonl"
    report = import_file(sqlite_store.sessions, path, skip_bad=True, rejects=rejects)
    assert report.inserted == 1
    reasons = [json.loads(line)["reason"] for line in rejects.read_text().splitlines()]
    assert reasons[0].startswith("not utf-8 text") and "JSON object" in reasons[1]


def test_wrong_encoding_can_be_named(sqlite_store, tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes("id,text,created_at\n1,Привет,2026-11-01\n".encode("cp1251"))
    with pytest.raises(UnreadableFile, match="not utf-8"):
        import_file(sqlite_store.sessions, path)
    assert import_file(sqlite_store.sessions, path, encoding="cp1251").inserted == 1


@pytest.mark.parametrize("content, message", [(b"", "empty"), (b"id,text\n", None)])
def test_empty_files(sqlite_store, tmp_path, content, message):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    if message:
        with pytest.raises(UnreadableFile, match=message):
            import_file(sqlite_store.sessions, path)
    else:
        assert import_file(sqlite_store.sessions, path).inserted == 0


def test_huge_field_is_a_bad_row_not_a_crash(sqlite_store, tmp_path):
    record = {"id": "big", "text": "а" * 1_200_000, "created_at": "2026-11-01"}
    path = write_jsonl(tmp_path / "big.jsonl", [record])
    report = import_file(sqlite_store.sessions, path)
    assert "more than 1,000,000" in report.bad[0].reason


def test_cli_import_exit_codes(tmp_path):
    env = {**os.environ, "OTKLIK_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    good = write_jsonl(tmp_path / "good.jsonl", rows(5))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "x", "created_at": "2026-11-01"}\n{oops\n')
    otklik = [sys.executable, "-m", "otklik.cli"]
    run = lambda *a: subprocess.run([*otklik, *a], env=env, capture_output=True, text=True)  # noqa: E731
    assert run("init").returncode == 0
    ok = run("import", str(good), "--no-enrich")
    assert ok.returncode == 0, ok.stderr
    failed = run("import", str(bad), "--no-enrich")
    assert failed.returncode == 2
    assert "bad.jsonl:2" in failed.stdout + failed.stderr and "Traceback" not in failed.stderr
    missing = run("import", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_kill_9_mid_import_leaves_whole_chunks_and_a_rerun_completes(tmp_path):
    """A real process is killed while importing; the store holds whole chunks only."""
    url = f"sqlite:///{tmp_path}/kill.db"
    env = {**os.environ, "OTKLIK_DATABASE_URL": url}
    path = write_jsonl(tmp_path / "many.jsonl", rows(60_000))
    script = (
        "import sys; from pathlib import Path\n"
        "from otklik.settings import Settings\n"
        "from otklik.db.engine import open_store\n"
        "from otklik.db.migrate import upgrade\n"
        "from otklik.actions.imports import import_file\n"
        "engine, sessions = open_store(Settings())\n"
        "upgrade(engine)\n"
        "def tick(n): print('chunk', flush=True)\n"
        f"import_file(sessions, Path({str(path)!r}), chunk=1000, progress=tick)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    for _ in range(3):  # let three chunks commit, then kill without warning
        assert proc.stdout.readline().strip() == "chunk"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    from otklik.db.engine import make_engine, make_sessionmaker

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as s:
        stored = s.scalar(select(func.count()).select_from(Mention))
        assert s.execute(select(func.count()).select_from(Mention).where(
            Mention.text.is_(None))).scalar() == 0
    assert 3000 <= stored < 60_000 and stored % 1000 == 0
    report = import_file(sessions, path, chunk=1000)
    assert report.inserted == 60_000 - stored
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Mention)) == 60_000
    engine.dispose()


def _one(tmp_path: Path, **overrides: object) -> Path:
    record = {**rows(1)[0], **overrides}
    return write_jsonl(tmp_path / "one.jsonl", [record])


@pytest.mark.parametrize("overrides, reason", [
    ({"created_at": 1e20}, "created_at: 1e+20 is out of range"),
    ({"created_at": "1e20"}, "created_at: '1e20' is not an ISO"),
    ({"created_at": "100000000000000000000"}, "created_at: '100000000000000000000' is out of"),
    ({"created_at": "0001-01-01T00:00:00+05:00"}, "out of range once moved to UTC"),
    ({"created_at": "9999-12-31T23:00:00-05:00"}, "out of range once moved to UTC"),
    ({"author_created_at": "0001-01-01T01:00:00+14:00"}, "author_created_at"),
    ({"reach": 1e30}, "reach: 1e+30 is out of range"),
    ({"reach": "1e30"}, "reach: '1e30' is out of range"),
    ({"reach": -5}, "reach: -5 is out of range"),
    ({"engagement": "inf"}, "engagement: 'inf' is not a number"),
    ({"followers": 2**40}, "followers"),
    ({"geo": {"lat": 1000, "lon": 0}}, "lat: 1000 is out of range"),
    ({"geo": {"lat": "nan", "lon": 1}}, "lat: 'nan' is out of range"),
    ({"id": "x" * 301}, "id: 301 characters"),
    ({"network": "n" * 40}, "network: 40 characters"),
    ({"lang": "klingon-x"}, "lang: 9 characters"),
    ({"text": "до\x00после"}, "NUL"),
    ({"extra": {"k": "\x00"}}, "NUL"),
    ({"hashtags": 5}, "hashtags"),
    ({"extra": float("nan")}, "the number nan"),
    ({"hashtags": [float("inf")]}, "the number inf"),
    ({"extra": json.loads('{"a":' * 900 + "1" + "}" * 900)}, "nested deeper than 64"),
])
def test_an_out_of_range_value_is_a_bad_row_with_a_message(store, tmp_path, overrides, reason):
    report = import_file(store.sessions, _one(tmp_path, **overrides))
    assert [b.line for b in report.bad] == [1]
    assert reason in report.bad[0].reason
    assert not report.committed and mention_count(store) == 0


def test_a_bad_value_late_in_a_file_stores_nothing(store, tmp_path):
    """Was: a bad `reach` on row 2,001 failed the store's bind and left 2,000 rows stored."""
    records = rows(2500)
    records[2200]["reach"] = 1e30
    path = write_jsonl(tmp_path / "late.jsonl", records)
    report = import_file(store.sessions, path, chunk=2000)
    assert [b.line for b in report.bad] == [2201] and "reach" in report.bad[0].reason
    assert not report.committed and mention_count(store) == 0


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_utf8_file_with_a_byte_order_mark_reads_as_utf8(sqlite_store, tmp_path, suffix):
    path = tmp_path / f"excel{suffix}"
    body = ("id,text,created_at\n1,Привет,2026-11-01\n" if suffix == ".csv"
            else json.dumps({"id": 1, "text": "Привет", "created_at": "2026-11-01"}) + "\n")
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    report = import_file(sqlite_store.sessions, path)
    assert not report.bad and report.inserted == 1
    with transaction(sqlite_store.sessions) as s:
        assert s.scalar(select(Mention.external_id)) == "1"


def test_json_nested_past_the_parser_is_a_bad_row(sqlite_store, tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps(rows(1)[0]) + "\n" + "[" * 100_000 + "\n", "utf-8")
    report = import_file(sqlite_store.sessions, path)
    assert [(b.line, b.reason) for b in report.bad] == [(2, "JSON nested too deeply to read")]
    assert mention_count(sqlite_store) == 0
