"""Posts per second parsed and stored from recorded VK and Telegram pages through a local server.

Pages are built from the recorded fixtures (tests/fixtures/vk, tests/fixtures/telegram): the same
item structure, repeated with fresh ids so every post is new. A real HTTP server (pytest-httpserver,
threaded, in this process) serves them; `poll_source` fetches, parses and stores them page by page
into a fresh store, exactly as the scheduler does. Request budgets are lifted so the figure is our
own cost, not VK's 3 requests/s.

    .venv/bin/python bench/sources.py [--pages 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from otklik.actions.sources import poll_source  # noqa: E402
from otklik.db.engine import make_engine, make_sessionmaker  # noqa: E402
from otklik.db.migrate import upgrade  # noqa: E402
from otklik.db.models import Source as SourceRow  # noqa: E402
from otklik.settings import Settings  # noqa: E402
from otklik.sources.http import Budget, HttpClient  # noqa: E402
from otklik.sources.telegram import TelegramSource  # noqa: E402
from otklik.sources.vk import VKSource  # noqa: E402

FIX = ROOT / "tests" / "fixtures"
TOKEN = "6500000001:AAH-bench-token"
VK_PER_PAGE = 200  # newsfeed.search returns up to 200 per call
TG_PER_PAGE = 100  # getUpdates returns up to 100 per call


def vk_pages(pages: int) -> list[bytes]:
    recorded = json.loads((FIX / "vk" / "newsfeed.search__page1.json").read_bytes())["response"]
    items = recorded["items"]
    out = []
    for p in range(pages):
        batch = []
        for i in range(VK_PER_PAGE):
            item = copy.deepcopy(items[i % len(items)])
            item["id"] = 1_000_000 + p * VK_PER_PAGE + i
            item["date"] -= p * VK_PER_PAGE + i
            item["text"] = f"{item['text']} №{p}-{i}"
            batch.append(item)
        body = {**recorded, "items": batch, "count": len(batch)}
        if p + 1 < pages:
            body["next_from"] = str(p + 1)
        else:
            body.pop("next_from", None)
        out.append(json.dumps({"response": body}, ensure_ascii=False).encode())
    return out


def tg_pages(pages: int) -> list[bytes]:
    recorded = json.loads((FIX / "telegram" / "getUpdates__page1.json").read_bytes())["result"]
    comment = next(u for u in recorded if u["update_id"] == 700003)
    post = next(u for u in recorded if u["update_id"] == 700001)
    out = []
    for p in range(pages):
        updates = []
        for i in range(TG_PER_PAGE):
            n = p * TG_PER_PAGE + i
            update = copy.deepcopy(comment if i % 4 else post)
            key = "message" if i % 4 else "channel_post"
            update["update_id"] = 800_000 + n
            update[key]["message_id"] = 100_000 + n
            update[key]["text"] = f"{update[key]['text']} #{n}"
            updates.append(update)
        out.append(json.dumps({"ok": True, "result": updates}, ensure_ascii=False).encode())
    return out


def serve(server: HTTPServer, vk: list[bytes], tg: list[bytes]) -> None:
    def vk_handler(request: Request) -> Response:
        page = int(request.form.get("start_from") or 0)
        return Response(vk[page], content_type="application/json")

    def tg_handler(request: Request) -> Response:
        offset = (request.get_json() or {}).get("offset")
        page = 0 if offset is None else (int(offset) - 800_000) // TG_PER_PAGE
        body = tg[page] if page < len(tg) else b'{"ok": true, "result": []}'
        return Response(body, content_type="application/json")

    server.expect_request("/method/newsfeed.search").respond_with_handler(vk_handler)
    server.expect_request(f"/bot{TOKEN}/getUpdates").respond_with_handler(tg_handler)


async def parse_only(client: HttpClient, base: str, pages: int) -> tuple[int, float, float]:
    """Fetch and parse without storing: the connector's own share of the cost."""
    started, cpu = time.perf_counter(), time.process_time()
    count = 0
    vk = VKSource(client, kind="search", params={"q": "Зерно"}, base_url=base,
                  credentials={"access_token": "x"})
    cursor: dict[str, Any] | None = None
    for _ in range(pages):
        page = await vk.fetch_page(cursor)
        count += len(page.posts)
        cursor = page.cursor
    tg = TelegramSource(client, kind="bot", params={}, base_url=base,
                        credentials={"bot_token": TOKEN})
    cursor = None
    for _ in range(pages):
        page = await tg.fetch_page(cursor)
        count += len(page.posts)
        cursor = page.cursor
    return count, time.perf_counter() - started, time.process_time() - cpu


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=40, help="pages per network")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = HTTPServer(threaded=True)
    server.start()
    serve(server, vk_pages(args.pages), tg_pages(args.pages))
    base = server.url_for("/").rstrip("/")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        with sessions.begin() as session:
            session.add_all([
                SourceRow(network="vk", kind="search", name="bench vk", params={"q": "Зерно"},
                          credentials={"access_token": "x"}),
                SourceRow(network="telegram", kind="bot", name="bench tg",
                          params={"limit": TG_PER_PAGE}, credentials={"bot_token": TOKEN}),
            ])
        settings = Settings(database_url=url, vk_api_url=base, telegram_api_url=base)
        budgets = {n: Budget(1e6, 1_000_000) for n in ("vk", "telegram")}
        async with HttpClient(budgets=budgets) as client:
            parsed, parse_seconds, parse_cpu = await parse_only(client, base, args.pages)
            results = {}
            for source_id, name in ((1, "vk"), (2, "telegram")):
                started, cpu = time.perf_counter(), time.process_time()
                result = await poll_source(sessions, source_id, client=client, settings=settings,
                                           max_pages=args.pages + 1)
                seconds = time.perf_counter() - started
                if result.error:
                    raise SystemExit(f"{name}: {result.error}")
                results[name] = (result.inserted, result.pages, seconds,
                                 time.process_time() - cpu)
        engine.dispose()
    server.clear()
    server.stop()

    print(f"store: {'sqlite (temporary file)' if not args.database_url else 'given URL'}")
    print("wall = elapsed time; cpu = this process's CPU time (server thread included), the "
          "one-core figure on a shared machine")
    print(f"parse only (fetch + parse, both networks): {parsed} posts, "
          f"{parsed / parse_seconds:,.0f} posts/s wall, {parsed / parse_cpu:,.0f} posts/s cpu")
    total = wall = cpu_total = 0.0
    for name, (inserted, pages, seconds, cpu_seconds) in results.items():
        total += inserted
        wall += seconds
        cpu_total += cpu_seconds
        print(f"{name}: {inserted} posts in {pages} pages parsed and stored: "
              f"{inserted / seconds:,.0f} posts/s wall, {inserted / cpu_seconds:,.0f} posts/s cpu")
    print(f"overall parsed and stored: {total / wall:,.0f} posts/s wall, "
          f"{total / cpu_total:,.0f} posts/s cpu (target >= 2,000 on one core)")


if __name__ == "__main__":
    asyncio.run(main())
