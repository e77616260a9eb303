"""The report's figures are the desk's: the overview's, the care metrics', the API's."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import func, select

from otklik.care.metrics import compute
from otklik.db.models import Brand, Case, MentionBrand
from otklik.figures import overview as data
from otklik.figures.desk_metrics import desk_metrics
from otklik.reports.care import case_facts
from otklik.reports.figures import collect, window_of
from tests.reports.conftest import Demo


def _brand_id(demo: Demo, slug: str) -> int:
    with demo.store.sessions() as s:
        return int(s.scalar(select(Brand.id).where(Brand.slug == slug)))


def test_volume_tops_and_desk_equal_the_overview_and_the_metrics(demo: Demo) -> None:
    w = window_of(demo.since, demo.until)
    brand_id = _brand_id(demo, "zerno")
    with demo.store.sessions() as s:
        f = collect(s, "zerno", w)
        in_window = (MentionBrand.brand_id == brand_id, MentionBrand.created_at >= w.since,
                     MentionBrand.created_at < w.until)
        total = s.scalar(select(func.count()).select_from(MentionBrand).where(*in_window))
        by_label = dict(s.execute(select(MentionBrand.sentiment, func.count())
                                  .where(*in_window).group_by(MentionBrand.sentiment)).all())
        overview_cases = data.case_figures(s, brand_id, w.since, w.until)
        top_places = data.top(s, "places", brand_id, w.since, w.until)
        metrics = desk_metrics(s, brand_id, w.since, w.until)
        opened = s.scalar(select(func.count()).select_from(Case).where(
            Case.brand_id == brand_id, Case.created_at >= w.since, Case.created_at < w.until,
            Case.state != "not_actionable"))
    assert f.volume.total == total > 1000
    for label in ("negative", "neutral", "positive"):
        assert f.volume.split[label] == by_label.get(label, 0)
    assert f.previous.total == 0  # the demo begins inside the period
    assert f.places == top_places
    assert f.desk == metrics
    assert f.desk.complaints == overview_cases["complaints"] == opened
    assert f.desk.sla_breached == overview_cases["breaches"]
    assert sum(r.opened for r in f.by_network) == f.desk.complaints
    assert sum(r.opened for r in f.by_responder) == f.desk.complaints
    with demo.store.sessions() as s:  # the slices' cases are the desk's, measured the same way
        facts = case_facts(s, brand_id, w)
    assert compute([fact for *_, fact in facts]) == metrics
    assert sum(r.breached for r in f.by_network) == f.desk.sla_breached
    assert [s.id for s in f.spikes] == [
        s.id for s in data.spikes_in(demo.store.sessions(), brand_id, w.since, w.until)]
    assert f.events.attacks and f.examples["negative"] and f.examples["positive"]


def test_the_api_gives_the_same_figures(demo: Demo) -> None:
    brand_id = _brand_id(demo, "zerno")
    api = demo.desk.api("viewer")
    got = api.get("/api/v1/reports", params={"brand_id": brand_id, "since": str(demo.since),
                                             "until": str(demo.until)})
    assert got.status_code == 200, got.text
    body = got.json()
    with demo.store.sessions() as s:
        f = collect(s, brand_id, window_of(demo.since, demo.until))
    assert body["mentions"] == f.volume.total
    assert body["figures"]["desk"] == f.desk.as_dict()
    assert body["figures"]["volume"]["split"] == f.volume.split
    assert body["summary"][0].startswith(f"{f.volume.total} упоминани")  # 4 digits: whole


def test_the_desk_command_reports_the_same_care_figures(demo: Demo) -> None:
    """`otklik care metrics` (the desk's own command) and the report agree."""
    w = window_of(demo.since, demo.until)
    done = subprocess.run(
        [sys.executable, "-m", "otklik.cli", "case", "metrics", "--brand", "zerno",
         "--since", w.since.isoformat(), "--until", w.until.isoformat()],
        env={**os.environ, "OTKLIK_DATABASE_URL": demo.store.url},
        capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    cli = json.loads(done.stdout)
    with demo.store.sessions() as s:
        f = collect(s, "zerno", w)
    assert {k: cli[k] for k in f.desk.as_dict()} == f.desk.as_dict()
