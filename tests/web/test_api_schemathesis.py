"""Schemathesis over every REST operation, against the ASGI app with an admin token: never a
server error, and every documented response matches its schema. Bounded and derandomized, so a
run sends the same inputs every time. (Its pytest plugin's fixture loader does not run on this
pytest, so the operations are walked here.)"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.web.conftest import make_desk
from tests.web.test_api import _mention

EXAMPLES = 25
CHECKS = [not_a_server_error, response_schema_conformance]


def _desk_with_data(store: Any) -> Any:
    """The desk with a few mentions, a brand and cases, so some ids exist."""
    from otklik.actions.cases import open_case

    desk = make_desk(store)
    admin = desk.api("admin")
    ids = admin.post("/api/v1/ingest", json={"mentions": [_mention(n) for n in range(1, 6)]})
    brand = admin.post("/api/v1/brands", json={"name": "Зерно", "queries": ["зерно"]}).json()
    with store.sessions() as session:
        for mention_id in ids.json()["mention_ids"][:3]:
            open_case(session, mention_id, brand["id"], actor="test")
        session.commit()
    return desk


def test_every_operation(sqlite_store: Any) -> None:
    desk = _desk_with_data(sqlite_store)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", desk.app)
    headers = {"Authorization": f"Bearer {desk.tokens['admin']}"}
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        _fuzz(operation, headers, failures)
    assert len(operations) > 20
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())


def _fuzz(operation: Any, headers: dict[str, str], failures: dict[str, str]) -> None:
    """One operation's examples; the first failure of each operation is kept with its curl."""
    label = f"{operation.method.upper()} {operation.path}"

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (AssertionError, FailureGroup) as exc:  # a failed check, or several
            failures.setdefault(label, f"{exc}\n{case.as_curl_command()}"[:1500])

    run()
