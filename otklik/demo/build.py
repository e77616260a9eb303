"""Build the demo into a store: brands, channels, two weeks of mentions through the real
pipeline, then the detectors and the desk's rules, as a user's installation would."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from otklik.actions.attacks import refresh_attacks
from otklik.actions.brands import create_brand
from otklik.actions.channels import link_sandbox
from otklik.actions.communities import refresh_communities
from otklik.actions.discovery import store_place
from otklik.actions.imports import store_history
from otklik.actions.intake import intake
from otklik.actions.spikes import detect_spikes
from otklik.actions.unit import transaction
from otklik.actions.users import create_user, find_user
from otklik.db.models import Brand
from otklik.demo.locations import add_locations, heard_nearby, place_posts
from otklik.demo.scenario import BANK_TG, OWN_VK_GROUP, build_scenario
from otklik.demo.team import work_the_desk
from otklik.flow.wiring import Enrichment
from otklik.settings import Settings
from otklik.sources.outbound import registry_source_factory

BRANDS = [
    {
        "name": "Зерно", "slug": "zerno",
        "queries": ['(зерно OR "zerno coffee" OR #зерноотравление) NOT "кофейные зерна"'],
        "channels": [("vk", OWN_VK_GROUP)],
        # every network the demo shows has an account of the brand, all on the sandbox network
        "accounts": [("telegram", "@zerno_coffee", "Зерно"), ("x", "zerno_coffee", "Zerno Coffee"),
                     ("reddit", "u/zerno_coffee", "zerno_coffee")],
    },
    {
        "name": "Банк Северный", "slug": "severny",
        "queries": ['"банк северный" OR "северный банк" OR "severny bank"'],
        "channels": [("telegram", BANK_TG)],
        "accounts": [("vk", "-700300", "Банк Северный"), ("x", "severny_bank", "Severny Bank"),
                     ("reddit", "u/severny_bank", "severny_bank")],
    },
]
DEMO_ADMIN = ("admin@demo.otklik", "otklik-demo")
LIVE = timedelta(days=2)


@dataclass
class DemoReport:
    mentions: int = 0
    brands: list[str] = field(default_factory=list)
    steps: dict[str, object] = field(default_factory=dict)


def build_demo(
    sessions: sessionmaker[Session],
    *,
    seed: int = 7,
    end: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoReport:
    report = DemoReport()
    scenario = build_scenario(seed=seed, end=end)
    with transaction(sessions) as session:
        for spec in BRANDS:
            report.brands.append(_ensure_brand(session, spec))
        email, password = DEMO_ADMIN
        admin = find_user(session, email) or create_user(
            session, email, password, "admin", name="Demo admin", actor="demo")
        zerno = session.scalar(select(Brand).where(Brand.slug == "zerno"))
        if zerno is not None:
            add_locations(session, zerno, responsible=admin.email)
    report.steps["posts placed near a café"] = place_posts(scenario.posts)
    scenario.posts.extend(heard_nearby(scenario.end))
    scenario.posts.sort(key=lambda p: p.created_at)
    with transaction(sessions) as session:
        enrichers = Enrichment().enrichers(session)
    # The installation "went live" two days before the end: older posts arrive as backfilled
    # history (stored and enriched, no cases), the last two days as live posts the desk handles.
    live_from = scenario.end - LIVE
    history = [p for p in scenario.posts if p.created_at < live_from]
    live = [p for p in scenario.posts if p.created_at >= live_from]
    cases = 0
    for start in range(0, len(history), 500):
        batch = history[start : start + 500]
        report.mentions += store_history(sessions, batch, enrichers=enrichers).stored
        if progress:
            progress(len(batch))
    for start in range(0, len(live), 100):
        batch = live[start : start + 100]
        with transaction(sessions) as session:
            result = intake(session, batch, enrichers=enrichers, actor="demo",
                            now=batch[-1].created_at)
        report.mentions += result.stored.stored
        cases += len(result.desk.opened)
        if progress:
            progress(len(batch))
    report.steps["cases opened"] = cases
    report.steps.update(_after_ingest(sessions, scenario.end))
    report.steps.update(_team(sessions, scenario.end, seed))
    return report


def _team(sessions: sessionmaker[Session], end: datetime, seed: int) -> dict[str, int]:
    """The team's answers go out through the sandbox network kept in this same store."""
    bind = sessions.kw["bind"]
    settings = Settings(database_url=bind.url.render_as_string(hide_password=False))
    with sessions() as session:
        return work_the_desk(session, registry_source_factory(session, settings), end, seed)


def _ensure_brand(session: Session, spec: dict) -> str:  # type: ignore[type-arg]
    if session.scalar(select(Brand.id).where(Brand.slug == spec["slug"])) is None:
        brand = create_brand(session, spec["name"], slug=spec["slug"], queries=spec["queries"],
                             actor="demo")
        for network, place in spec["channels"]:
            store_place(session, network, place, official_brand_id=brand.id)
        accounts = [(n, p.external_id, p.name or "") for n, p in spec["channels"]]
        link_sandbox(session, brand_id=brand.id, channels=accounts + spec["accounts"],
                     actor="demo")
    return str(spec["slug"])


def _after_ingest(sessions: sessionmaker[Session], now: datetime) -> dict[str, object]:
    """The detectors over what was stored, and a demo admin to sign in with."""
    steps: dict[str, object] = {}
    with transaction(sessions) as session:
        for brand in session.scalars(select(Brand).order_by(Brand.id)).all():
            spikes = detect_spikes(session, brand.id, now=now)
            attacks = refresh_attacks(session, brand.id, now=now)  # before: a campaign's
            communities = refresh_communities(session, brand.id, now=now)  # accounts are a group
            steps[f"{brand.slug}: spikes"] = len(spikes)
            steps[f"{brand.slug}: attacks"] = len(attacks.detected)
            hostile = [p for p in communities.places if p.stance == "unofficial-hostile"]
            steps[f"{brand.slug}: places"] = f"{len(communities.places)} ({len(hostile)} hostile)"
            steps[f"{brand.slug}: opponent groups"] = len(communities.groups)
        email, password = DEMO_ADMIN
        if find_user(session, email) is None:
            create_user(session, email, password, "admin", name="Demo admin", actor="demo")
        steps["sign in"] = f"{email} / {password}"
    return steps
