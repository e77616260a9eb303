"""The desk shows what disappeared at the source and the tasks that kept failing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from otklik.actions.unit import transaction
from otklik.db.models import DeadLetter, Mention
from otklik.flow.pipeline import ingest
from tests.factories import make_post


def test_removed_comment_and_dead_letter_are_shown(desk):
    with transaction(desk.store.sessions) as s:
        ingest(s, [make_post(text="Верните деньги, Зерно!", external_id="-1_5_c9")])
        s.execute(Mention.__table__.update().values(
            removed_at_source=datetime(2026, 11, 20, 10, 0, tzinfo=UTC)))
        s.add(DeadLetter(task="otklik.poll_source", args={"source_id": 3},
                         error="<b>AuthFailed</b>: token revoked", attempts=5))
    client = desk.client("admin")
    mentions = client.get("/mentions").text
    assert "удалено в источнике" in mentions
    sources = client.get("/sources").text
    assert "otklik.poll_source" in sources
    assert "&lt;b&gt;AuthFailed&lt;/b&gt;" in sources and "<b>AuthFailed</b>" not in sources
    with transaction(desk.store.sessions) as s:
        assert s.scalar(select(Mention.removed_at_source)) is not None
