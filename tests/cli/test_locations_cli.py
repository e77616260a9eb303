"""`otklik location add/list/import` and the `otklik locate` contract, on both stores: eight
Moscow locations added with the CLI (one or two aliases in the nominative), then held-out posts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from otklik.cli import app
from tests.conftest import Store

FIXTURES = Path(__file__).parents[1] / "fixtures" / "locations"
runner = CliRunner()


@pytest.fixture
def cli_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", store.url)
    done = runner.invoke(app, ["brand", "add", "Зерно", "--slug", "zerno", "-q", "зерно"])
    assert done.exit_code == 0, done.output
    return store


def _add_eight() -> None:
    with (FIXTURES / "zerno_locations.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            args = ["location", "add", "zerno", row["name"], "--address", row["address"],
                    "--lat", row["lat"], "--lon", row["lon"]]
            for alias in row["aliases"].split("|"):
                args += ["--alias", alias]
            done = runner.invoke(app, args)
            assert done.exit_code == 0, done.output


def test_locate_held_out_posts(cli_store: Store) -> None:
    _add_eight()
    listed = runner.invoke(app, ["location", "list", "zerno"])
    assert len(listed.output.splitlines()) == 8
    rows = [json.loads(line) for name in ("zerno_posts.jsonl", "zerno_posts_fresh.jsonl")
            for line in (FIXTURES / name).read_text("utf-8").splitlines()]
    given = "".join(json.dumps({k: r[k] for k in ("id", "text", "geo") if k in r},
                               ensure_ascii=False) + "\n" for r in rows)
    done = runner.invoke(app, ["locate", "--brand", "zerno", "-"], input=given)
    assert done.exit_code == 0, done.output
    out = [json.loads(line) for line in done.output.splitlines()]
    assert [o["id"] for o in out] == [r["id"] for r in rows]  # input order
    got = {o["id"]: o["location"] for o in out}
    located = [r for r in rows if r["expected"]]
    assert sum(got[r["id"]] == r["expected"] for r in located) / len(located) >= 0.9
    assert [r["text"] for r in rows if not r["expected"] and got[r["id"]]] == []


def test_import_is_idempotent_and_bad_files_say_where(cli_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text((FIXTURES / "zerno_locations.csv").read_text("utf-8"), encoding="utf-8")
    for _ in range(2):
        done = runner.invoke(app, ["location", "import", str(path), "--brand", "zerno"])
        assert done.exit_code == 0, done.output
    assert len(runner.invoke(app, ["location", "list"]).output.splitlines()) == 8
    path.write_text("name,lat,lon\nАрбат,55.75,east\n", encoding="utf-8")
    done = runner.invoke(app, ["location", "import", str(path), "--brand", "zerno"])
    assert done.exit_code == 2 and "line 2" in done.output and "east" in done.output
    done = runner.invoke(app, ["location", "add", "zerno", "Х", "--lat", "55.7"])
    assert done.exit_code == 2 and "both latitude and longitude" in done.output
    done = runner.invoke(app, ["locate", "--brand", "zerno", "-"], input="{\"id\": 1}\n")
    assert done.exit_code == 2 and "line 1" in done.output


def test_radius_is_a_brand_setting(cli_store: Store) -> None:
    _add_eight()
    near = '{"id": 1, "text": "кофе", "geo": {"lat": 55.7530, "lon": 37.5960}}\n'  # ~170 m
    done = runner.invoke(app, ["locate", "--brand", "zerno", "-"], input=near)
    assert json.loads(done.output)["location"] == "Зерно на Арбате"
    assert runner.invoke(app, ["location", "radius", "zerno", "100"]).exit_code == 0
    done = runner.invoke(app, ["locate", "--brand", "zerno", "-"], input=near)
    assert json.loads(done.output)["location"] is None
    done = runner.invoke(app, ["location", "radius", "zerno", "5"])
    assert done.exit_code == 2 and "10…10,000" in done.output


def test_reattribute_after_adding_locations(cli_store: Store) -> None:
    from otklik.actions.unit import transaction
    from otklik.db.models import MentionBrand
    from otklik.flow.pipeline import ingest
    from otklik.flow.wiring import Enrichment
    from tests.factories import make_post

    with transaction(cli_store.sessions) as s:  # stored before any location existed
        ingest(s, [make_post(text="В Зерне на Арбате холодно"), make_post(text="Зерно: кофе")],
               enrichers=Enrichment(sentiment=False).enrichers(s))
    _add_eight()
    done = runner.invoke(app, ["location", "reattribute", "zerno", "--days", "3650"])
    assert done.exit_code == 0 and json.loads(done.output) == {"changed": 1}
    with transaction(cli_store.sessions) as s:
        located = [r for r in s.query(MentionBrand.location_id).all() if r[0] is not None]
    assert len(located) == 1


def test_import_names_the_brand_in_a_column(cli_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text("brand,name,address\nzerno,Зерно на Арбате,\"Москва, ул. Арбат, 10\"\n",
                    encoding="utf-8")
    done = runner.invoke(app, ["location", "import", str(path)])
    assert done.exit_code == 0 and json.loads(done.output) == {"imported": 1}
    path.write_text("name\nЗерно на Арбате\n", encoding="utf-8")
    done = runner.invoke(app, ["location", "import", str(path)])
    assert done.exit_code == 2 and "line 2: no brand" in done.output
    path.write_text("brand,name\nkofe,Кафе\n", encoding="utf-8")
    done = runner.invoke(app, ["location", "import", str(path)])
    assert done.exit_code == 2 and "no brand “kofe”" in done.output
