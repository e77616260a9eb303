"""`otklik case …` and `otklik template …` against a store and the local fake VK API."""

from __future__ import annotations

import json
from typing import Any

from pytest_httpserver import HTTPServer
from sqlalchemy import select
from typer.testing import CliRunner

from otklik.cli import app
from otklik.db.models import AuditEvent
from tests.actions.test_send import open_case
from tests.vk_desk import fixture_json, vk_calls

runner = CliRunner()


def run(store: Any, vk: HTTPServer, *args: str) -> Any:
    env = {"OTKLIK_DATABASE_URL": store.url, "OTKLIK_VK_API_URL": vk.url_for("/").rstrip("/"),
           "OTKLIK_SECRET_KEY": "test-secret-key-0123456789"}  # the key the desk sealed with
    return runner.invoke(app, list(args), env=env)


def test_case_commands(sqlite_store: Any, vk: HTTPServer) -> None:
    with sqlite_store.sessions() as s:
        _, case = open_case(s, vk)
    listed = run(sqlite_store, vk, "case", "list", "--json", "--brand", "zerno")
    assert listed.exit_code == 0, listed.output
    [row] = [json.loads(line) for line in listed.output.splitlines()]
    assert (row["id"], row["state"], row["customer_name"]) == (case.id, "new", "Ольга")

    bad = run(sqlite_store, vk, "case", "transition", str(case.id), "closed")
    assert bad.exit_code == 2 and "'new' cannot move to 'closed'" in bad.output
    assert "Traceback" not in bad.output
    assert run(sqlite_store, vk, "case", "show", "999").exit_code == 2
    assert run(sqlite_store, vk, "case", "list", "--state", "done").exit_code == 2

    vk.expect_oneshot_request("/method/messages.send").respond_with_json(
        fixture_json("vk_messages.send__ok.json"))
    vk.expect_oneshot_request("/method/wall.createComment").respond_with_json(
        fixture_json("vk_wall.createComment__answer.json"))
    answered = run(sqlite_store, vk, "case", "answer", str(case.id), "--actor", "anna")
    assert answered.exit_code == 0, answered.output
    assert "private_message: sent (48213)" in answered.output
    assert len(vk_calls(vk, "wall.createComment")) == 1

    assert run(sqlite_store, vk, "case", "note", str(case.id), "звонили").exit_code == 0
    resolved = run(sqlite_store, vk, "case", "resolve", str(case.id))
    assert resolved.exit_code == 0 and "follow-up due" in resolved.output
    shown = json.loads(run(sqlite_store, vk, "case", "show", str(case.id)).output)
    assert shown["state"] == "resolved" and shown["notes"][0]["text"] == "звонили"
    assert [a["status"] for a in shown["actions"]] == ["sent", "sent"]
    assert ("anna", "case.transition") in {(e["actor"], e["action"]) for e in shown["audit"]}

    due = run(sqlite_store, vk, "case", "follow-up-due", "--now", "2099-01-01T00:00")
    assert due.output.startswith(f"case {case.id}: follow-up due")

    metrics = run(sqlite_store, vk, "case", "metrics", "--brand", "zerno",
                  "--since", "2000-01-01")
    assert metrics.exit_code == 0, metrics.output
    m = json.loads(metrics.output)
    assert (m["cases"], m["moved_to_private_share"], m["loop_closure_rate"]) == (1, 1.0, 0.0)
    assert run(sqlite_store, vk, "case", "metrics", "--brand", "nope").exit_code == 2
    assert run(sqlite_store, vk, "case", "metrics", "--brand", "zerno",
               "--since", "yesterday").exit_code == 2


def _audited(store: Any, action: str) -> list[str]:
    """Who the audit log says did `action` (the CLI writes through the same actions as the web)."""
    with store.sessions() as s:
        return list(s.scalars(select(AuditEvent.actor).where(AuditEvent.action == action)))


def test_template_commands(sqlite_store: Any, vk: HTTPServer, tmp_path: Any) -> None:
    with sqlite_store.sessions() as s:
        open_case(s, vk)
    body = tmp_path / "fu.j2"
    body.write_text("{{ name }}, как прошёл ваш визит в {{ brand }}?", encoding="utf-8")
    saved = run(sqlite_store, vk, "template", "set", "follow_up", "ru", str(body),
                "--brand", "zerno", "--actor", "cli:olga")
    assert saved.exit_code == 0, saved.output
    assert _audited(sqlite_store, "template.save") == ["cli:olga"]
    preview = run(sqlite_store, vk, "template", "preview", "follow_up", "ru", "--brand", "zerno")
    assert preview.output.strip() == "Ольга, как прошёл ваш визит в Зерно?"
    anonymous = run(sqlite_store, vk, "template", "preview", "follow_up", "ru", "--brand",
                    "zerno", "--name", "")
    assert anonymous.output.strip() == "Как прошёл ваш визит в Зерно?"
    listed = run(sqlite_store, vk, "template", "list", "--brand", "zerno")
    assert listed.exit_code == 0 and "brand" in listed.output
    body.write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    escape = run(sqlite_store, vk, "template", "set", "follow_up", "ru", str(body))
    assert escape.exit_code == 2 and "sandbox" in escape.output
    missing = run(sqlite_store, vk, "template", "set", "follow_up", "ru", str(tmp_path / "x"))
    assert missing.exit_code == 2


def test_alert_and_tick_commands(sqlite_store: Any, vk: HTTPServer) -> None:
    vk.expect_request("/hook").respond_with_data("ok")
    with sqlite_store.sessions() as s:
        _, case = open_case(s, vk)  # the recorded complaint is long overdue: SLA breached
    added = run(sqlite_store, vk, "alert", "add", "webhook", "--brand", "zerno",
                "--config", json.dumps({"url": vk.url_for("/hook")}))
    assert added.exit_code == 0, added.output
    assert len(_audited(sqlite_store, "alert_channel.create")) == 1
    channel_id = added.output.split()[2]
    assert run(sqlite_store, vk, "alert", "test", channel_id).exit_code == 0
    assert run(sqlite_store, vk, "alert", "add", "webhook", "--config", "{url").exit_code == 2
    assert run(sqlite_store, vk, "alert", "add", "pager", "--config", "{}").exit_code == 2
    assert run(sqlite_store, vk, "alert", "add", "webhook", "--config", "{}").exit_code == 2
    assert run(sqlite_store, vk, "alert", "add", "webhook", "--event", "tweet", "--config",
               json.dumps({"url": "http://127.0.0.1/x"})).exit_code == 2
    tick = run(sqlite_store, vk, "case", "tick")
    assert tick.exit_code == 0, tick.output
    assert f"SLA breached #{case.id}" in tick.output
    hooks = [req.get_json()["text"] for req, _ in vk.log if req.path == "/hook"]
    assert hooks[0] == "[otklik] test\nAlerts work."
    assert hooks[1].startswith("[otklik] Зерно: SLA breached")
    again = run(sqlite_store, vk, "case", "tick")
    assert again.output.startswith("0 alert(s)")


def test_review_command(sqlite_store: Any, vk: HTTPServer) -> None:
    from otklik.actions import case_answers as answers

    with sqlite_store.sessions() as s:
        _, case = open_case(s, vk)
        action = answers.draft_case_action(s, case, "public_reply", actor="anna")
        action.status = "needs_review"
        s.commit()
        action_id = str(action.id)
    assert run(sqlite_store, vk, "case", "review", action_id).exit_code == 2
    done = run(sqlite_store, vk, "case", "review", action_id, "--sent-as", "-100500_1301_c9151")
    assert done.exit_code == 0 and done.output.strip() == f"action {action_id}: sent"
    again = run(sqlite_store, vk, "case", "review", action_id, "--not-sent")
    assert again.exit_code == 2 and "not under review" in again.output


def test_answer_and_send_exit_1_when_a_message_did_not_go_out(
        sqlite_store: Any, vk: HTTPServer) -> None:
    with sqlite_store.sessions() as s:
        _, case = open_case(s, vk)
    vk.expect_request("/method/messages.send").respond_with_json(
        fixture_json("vk_messages.send__no_permission.json"))
    answered = run(sqlite_store, vk, "case", "answer", str(case.id), "--actor", "anna")
    assert answered.exit_code == 1, answered.output
    assert "private_message: failed" in answered.output and "личные сообщения" in answered.output
    assert "Traceback" not in answered.output and "901" not in answered.output
    again = run(sqlite_store, vk, "case", "send", str(case.id))
    assert again.exit_code == 1 and "failed" in again.output
