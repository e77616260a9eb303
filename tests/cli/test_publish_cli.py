"""`otklik incident|announce|refute …` against a store and the local fake VK and Telegram APIs."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from otklik.cli import app
from otklik.db.models import Attack
from otklik.flow.pipeline import ingest
from tests.factories import make_post
from tests.network_desk import FakeNetworks, make_desk, negative_enricher

runner = CliRunner()


def run(store: Any, net: FakeNetworks, *args: str) -> Any:
    url = net.server.url_for("/").rstrip("/")
    env = {"OTKLIK_DATABASE_URL": store.url, "OTKLIK_VK_API_URL": url,
           "OTKLIK_TELEGRAM_API_URL": url, "OTKLIK_TELEGRAM_WEB_URL": url}
    return runner.invoke(app, list(args), env=env)


def lines(result: Any) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def test_incident_announce_refute_commands(sqlite_store: Any, net: FakeNetworks) -> None:
    with sqlite_store.sessions() as s:
        desk = make_desk(s, net.server)
        post = make_post(external_id="-1_901", text="Зерно: подделка, не ходите!")
        ids = ingest(s, [post], enrichers=[negative_enricher(desk.brand.id, [])]).mention_ids
        s.add(Attack(brand_id=desk.brand.id, key="k", start=post.created_at,
                     end=post.created_at, score=0.7, mention_ids=ids, authors=["vk:u1"]))
        s.commit()

    [opened] = lines(run(sqlite_store, net, "incident", "open", "zerno", "Не работает оплата",
                         "--channel", "vk", "--channel", "telegram", "--keywords", "карта",
                         "--actor", "anna"))
    assert [p["status"] for p in opened["posts"]] == ["sent", "sent"]
    assert opened["explanation_url"] == "https://vk.com/wall-100500_1203"
    assert net.paths() == ["wall.post", "sendMessage"]
    [listed] = lines(run(sqlite_store, net, "incident", "list", "--brand", "zerno"))
    assert listed["id"] == opened["id"] and listed["status"] == "open"
    [closed] = lines(run(sqlite_store, net, "incident", "close", str(opened["id"]), "Починили"))
    assert closed["status"] == "resolved" and len(net.calls("wall.post")) == 2

    bad = run(sqlite_store, net, "incident", "open", "zerno", "x", "--channel", "vk",
              "--keywords", "карта AND (")
    assert bad.exit_code == 2 and "column" in bad.output and "Traceback" not in bad.output
    assert run(sqlite_store, net, "incident", "open", "nobrand", "x",
               "--channel", "vk").exit_code == 2
    assert run(sqlite_store, net, "incident", "close", "999", "x").exit_code == 2

    [ann] = lines(run(sqlite_store, net, "announce", "add", "zerno", "Профилактика",
                      "--channel", "vk", "--publish-at", "2026-12-01T06:00",
                      "--event-start", "2026-12-02T06:00", "--text", "vk={{ title }}!"))
    assert ann["status"] == "scheduled"
    late = run(sqlite_store, net, "announce", "add", "zerno", "x", "--channel", "vk",
               "--publish-at", "2026-12-03T06:00", "--event-start", "2026-12-02T06:00")
    assert late.exit_code == 2 and "до начала события" in late.output
    assert run(sqlite_store, net, "announce", "add", "zerno", "x", "--channel", "vk",
               "--publish-at", "tomorrow").exit_code == 2
    [due] = lines(run(sqlite_store, net, "announce", "publish-due",
                      "--now", "2026-12-01T06:01"))
    assert due["published"] == [ann["id"]]
    assert net.calls("wall.post")[-1]["message"] == "Профилактика!"
    assert [a["status"] for a in lines(run(sqlite_store, net, "announce", "list"))] == [
        "published"]

    [plan] = lines(run(sqlite_store, net, "refute", "plan", "--attack", "1"))
    assert plan["threads"] == 1 and plan["coverage"] == 0.0
    assert lines(run(sqlite_store, net, "refute", "approve", str(plan["id"])))[0][
        "official"][0]["status"] == "approved"
    [sent] = lines(run(sqlite_store, net, "refute", "send", str(plan["id"])))
    assert sent["coverage"] == 1.0 and len(sent["sent_now"]) == 1
    assert net.calls("wall.createComment")[0]["post_id"] == "901"
    [status] = lines(run(sqlite_store, net, "refute", "status", str(plan["id"])))
    assert status["replies"] == {"sent": 1}
    assert run(sqlite_store, net, "refute", "plan").exit_code == 2
    assert run(sqlite_store, net, "refute", "status", str(plan["id"]), "--placement",
               "7=done").exit_code == 2
