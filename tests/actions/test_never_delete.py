"""Never delete: the audit log refuses UPDATE and DELETE in the store; no delete/hide anywhere."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from otklik.actions.audit import record
from otklik.db.models import AuditEvent

ROOT = Path(__file__).parents[2] / "otklik"


def test_audit_events_refuse_update_and_delete(store: Any) -> None:
    with store.sessions() as s:
        record(s, "anna", "case.transition", "case", 1, before="new", after="answered_publicly")
        s.commit()
        for sql in ("UPDATE audit_events SET actor = 'mallory'",
                    "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"):
                s.execute(text(sql))
            s.rollback()
        if store.dialect == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"):
                s.execute(text("TRUNCATE audit_events"))
            s.rollback()
        event = s.scalars(select(AuditEvent)).one()
        assert (event.actor, event.data["after"]) == ("anna", "answered_publicly")
        # and through the ORM too
        event.actor = "mallory"
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()
        s.rollback()
        s.delete(s.scalars(select(AuditEvent)).one())
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()
        s.rollback()
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 1


def _names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name.lower() for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


@pytest.mark.parametrize("module", [
    "care", "alerts", "actions/cases.py", "actions/send.py", "cli/care.py", "cli/alerts.py",
    "cli/templates.py", "sources",
])
def test_no_delete_or_hide_function(module: str) -> None:
    target = ROOT / module
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert files, module
    for path in files:
        for name in _names(path):
            assert not any(word in name for word in ("delete", "hide", "remove_comment")), (
                f"{path.relative_to(ROOT)} defines {name}")
        source = path.read_text(encoding="utf-8")
        for method in ("wall.delete", "deleteComment", "messages.delete", "wall.hide",
                       "deleteMessage", "banUser", "groups.ban"):
            assert method not in source, f"{path.relative_to(ROOT)} calls {method}"
