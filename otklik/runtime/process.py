"""What a running otklik process holds: settings, the store, enrichment state, the outbound
connector factory and the alert dispatcher. Built once per process (web app, scheduler, Celery
worker) and passed to the task functions — never a module-level global."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from otklik.actions.alert_dispatch import AlertDispatcher
from otklik.actions.send import SourceFactory
from otklik.db.engine import open_store
from otklik.domain.enrichment import Enricher
from otklik.flow.wiring import Enrichment
from otklik.settings import Settings
from otklik.sources.outbound import registry_source_factory


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    enrichment: Enrichment = field(default_factory=Enrichment)
    dispatcher: AlertDispatcher = field(default_factory=AlertDispatcher)
    # session → (channel → connector); tests point it at a local fake API
    source_factory: Callable[[Session], SourceFactory] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> Runtime:
        engine, sessions = open_store(settings)
        return cls(settings=settings, engine=engine, sessions=sessions, **overrides)  # type: ignore[arg-type]

    def enrichers(self) -> list[Enricher]:
        """The enrichment chain as of now (brand queries re-read when they changed)."""
        with self.sessions() as session:
            return self.enrichment.enrichers(session)

    def sources_for(self, session: Session) -> SourceFactory:
        if self.source_factory is not None:
            return self.source_factory(session)
        return registry_source_factory(session, self.settings)
