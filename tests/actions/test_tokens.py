"""An API token's use is noted at most once a minute: a write per call would queue every API
call for SQLite's write lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from otklik.actions.unit import transaction
from otklik.actions.users import create_token, create_user, user_for_token
from otklik.db.models import ApiToken


def test_token_use_is_noted_at_most_once_a_minute(store) -> None:
    with transaction(store.sessions) as s:
        user = create_user(s, "ops@example.org", "password-123456", "admin")
        made = create_token(s, user, "ingest")
        token, token_id = made.token, made.id
    with transaction(store.sessions) as s:
        row = s.get(ApiToken, token_id)
        assert row is not None and row.last_used_at is None
        assert user_for_token(s, token) is not None
        first = row.last_used_at
        assert first is not None
    with transaction(store.sessions) as s:
        row = s.get(ApiToken, token_id)
        assert row is not None and user_for_token(s, token) is not None
        assert not s.dirty  # used again within the minute: nothing to write
        row.last_used_at = datetime.now(UTC) - timedelta(minutes=2)
    with transaction(store.sessions) as s:
        row = s.get(ApiToken, token_id)
        assert row is not None
        before = row.last_used_at
        assert before is not None
        assert user_for_token(s, token) is not None
        assert row.last_used_at is not None and row.last_used_at > before
    with transaction(store.sessions) as s:
        assert user_for_token(s, "otk_not-a-token") is None
