"""The desk's pages: stream filters, query errors at their position, live rows, folding,
one-click correction, overview figures and spike explanations, live query validation."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from otklik.db.models import DuplicateCluster, Mention, Spike
from otklik.flow.pipeline import ingest
from tests.factories import make_post


def _seed(desk: Any, posts: list[Any]) -> list[int]:
    with desk.store.sessions() as session:
        ids = ingest(session, posts).mention_ids
        session.commit()
    return ids


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="mention-(\d+)"', html)]


def test_stream_filters_and_query_errors(any_desk: Any) -> None:
    desk = any_desk
    now = datetime.now(UTC)
    ids = _seed(desk, [
        make_post(text="Холодный кофе опять", created_at=now - timedelta(hours=1)),
        make_post(network="telegram", text="Отличный кофе, спасибо",
                  created_at=now - timedelta(hours=2)),
        make_post(text="Курьер опоздал", created_at=now - timedelta(days=3), lang="ru"),
    ])
    client = desk.client("viewer")
    assert _ids(client.get("/mentions").text) == sorted(ids, reverse=True)
    assert _ids(client.get("/mentions?network=telegram").text) == [ids[1]]
    since = (now - timedelta(days=1)).date().isoformat()
    assert set(_ids(client.get(f"/mentions?since={since}").text)) == {ids[0], ids[1]}
    assert _ids(client.get("/mentions?q=кофе NOT отличный").text) == [ids[0]]
    bad = client.get("/mentions?q=кофе AND (холодный")
    assert bad.status_code == 422
    assert 'class="error query-problem"' in bad.text
    # the caret marks the position the parser names
    marked = re.search(r'<pre class="caret"><span>(.*?)</span><mark>', bad.text, re.S)
    assert marked is not None
    position = int(re.search(r"position (\d+)", bad.text).group(1))
    assert len(marked.group(1)) == position
    assert client.get("/mentions?since=yesterday").status_code == 422


def test_live_rows_bring_only_newer_mentions(desk: Any) -> None:
    first = _seed(desk, [make_post(text="первое")])
    client = desk.client("viewer")
    page = client.get("/mentions").text
    poll = re.search(r'id="poller" hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert client.get(poll).text.count('class="mention') == 0
    later = _seed(desk, [make_post(text="второе"), make_post(text="третье")])
    fragment = client.get(poll).text
    assert _ids(fragment) == sorted(later, reverse=True)
    assert first[0] not in _ids(fragment)
    assert f"after_id={max(later)}" in fragment and 'hx-swap-oob="true"' in fragment


def test_near_duplicates_are_folded(desk: Any) -> None:
    ids = _seed(desk, [make_post(text=f"Скидка 50% только сегодня {n}") for n in range(3)])
    with desk.store.sessions() as session:
        cluster = DuplicateCluster(exemplar_mention_id=ids[0], size=3)
        session.add(cluster)
        session.flush()
        for mention_id in ids:
            session.get(Mention, mention_id).cluster_id = cluster.id
        session.commit()
        cluster_id = cluster.id
    client = desk.client("viewer")
    html = client.get("/mentions").text
    assert _ids(html) == [ids[0]]
    assert f"/mentions?cluster={cluster_id}" in html and "ещё похожих: 2" in html
    assert sorted(_ids(client.get(f"/mentions?cluster={cluster_id}").text)) == ids


def test_one_click_correction_on_the_page(desk: Any) -> None:
    [mention_id] = _seed(desk, [make_post(text="ну такое")])
    client = desk.client("analyst")
    page = client.get("/mentions").text
    assert f'hx-post="/mentions/{mention_id}/sentiment"' in page
    row = client.post(f"/mentions/{mention_id}/sentiment", data={"label": "negative"})
    assert row.status_code == 200
    assert f'id="mention-{mention_id}"' in row.text and "исправлено" in row.text
    viewer_page = desk.client("viewer").get("/mentions").text
    assert "/sentiment" not in viewer_page  # no buttons for a role that may not use them


def test_overview_figures_and_spike_explanation(any_desk: Any) -> None:
    desk = any_desk
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    posts = [make_post(text=f"плохо {n}", created_at=now - timedelta(days=1, minutes=n))
             for n in range(4)]
    _seed(desk, posts)
    with desk.store.sessions() as session:
        session.execute(Mention.__table__.update().values(sentiment="negative"))
        from otklik.actions.brands import create_brand

        brand = create_brand(session, "Зерно")
        spike = Spike(brand_id=brand.id, start=now - timedelta(days=1, hours=1),
                      peak=now - timedelta(days=1), volume=4, expected=0.5, severity=0.9,
                      explanation={"terms": ["холодный", "<b>курьер</b>"],
                                   "summary": "Жалобы на доставку"})
        session.add(spike)
        session.commit()
        spike_id = spike.id
    client = desk.client("viewer")
    html = client.get("/overview?days=7").text
    chart = re.search(r'data-chart="([^"]+)"', html).group(1)
    import html as html_lib

    data = json.loads(html_lib.unescape(chart))
    assert sum(data["n"]) == 4 and data["bucket"] == "day"
    assert max(data["neg"]) == 100.0
    assert [s["id"] for s in data["spikes"]] == [spike_id]
    detail = client.get(f"/spikes/{spike_id}", headers={"HX-Request": "true"}).text
    # told in Russian words, the hostile term escaped; no stored English summary, no keys
    assert "Всплеск упоминаний «Зерно»: 4" in detail and "&lt;b&gt;курьер&lt;/b&gt;" in detail
    assert "в 8 раз больше обычного" in detail and "summary" not in detail
    assert "<html" not in detail  # a fragment for the overview


def test_settings_query_validation_and_template_preview(desk: Any) -> None:
    client = desk.client("admin")
    ok = client.get("/settings/queries/validate", params={"text": "зерно OR zerno"})
    assert "Запрос верный" in ok.text
    bad = client.get("/settings/queries/validate", params={"text": "зерно OR"})
    assert "query-problem" in bad.text and "position" in bad.text
    preview = client.post("/settings/templates/preview",
                          data={"body": "{{ name }}, это {{ brand }}"})
    assert preview.text.strip() == "Ольга, это Зерно"
    broken = client.post("/settings/templates/preview", data={"body": "{{ name "})
    assert 'class="error"' in broken.text
    created = client.post("/settings/brands", data={"name": "Зерно", "slug": "zerno"})
    assert created.status_code == 303
    assert "zerno" in client.get("/settings").text


def test_admin_manages_users_but_not_their_own_access(desk: Any) -> None:
    from sqlalchemy import select

    from otklik.actions.users import authenticate
    from otklik.db.models import User

    client = desk.client("admin")
    added = client.post("/settings/users", data={"email": "new@example.org",
                                                 "password": "new-password-1", "role": "analyst"})
    assert added.status_code == 303
    with desk.store.sessions() as session:
        new = session.scalars(select(User).where(User.email == "new@example.org")).one()
        me = session.scalars(select(User).where(User.email == "admin@example.org")).one()
        assert new.role == "analyst" and authenticate(session, new.email, "new-password-1")
    demoted = client.post(f"/settings/users/{new.id}", data={"role": "viewer", "active": "true"})
    assert demoted.status_code == 303
    refused = client.post(f"/settings/users/{me.id}", data={"role": "viewer", "active": "true"})
    assert refused.status_code == 422 and "own admin role" in refused.text
    short = client.post("/settings/users", data={"email": "x@example.org", "password": "short",
                                                 "role": "viewer"})
    assert short.status_code == 422 and "at least 8" in short.text
    with desk.store.sessions() as session:
        assert session.get(User, new.id).role == "viewer"
        assert session.get(User, me.id).role == "admin"


def test_templates_are_saved_after_a_sandbox_check(desk: Any) -> None:
    from otklik.db.models import Template

    client = desk.client("admin")
    saved = client.post("/settings/templates", data={
        "kind": "public_apology", "lang": "ru", "name": "default",
        "body": "{{ name }}, простите! {{ brand }}"})
    assert saved.status_code == 303
    escape = client.post("/settings/templates", data={
        "kind": "public_apology", "lang": "ru", "name": "evil",
        "body": "{{ ''.__class__.__mro__ }}"})
    assert escape.status_code == 422
    with desk.store.sessions() as session:
        bodies = [t.body for t in session.query(Template)]
        assert bodies == ["{{ name }}, простите! {{ brand }}"]


def test_until_date_keeps_the_whole_day(desk: Any) -> None:
    """A date in the filter is the desk's day (Moscow's, on the Russian desk), all of it."""
    day = datetime(2026, 11, 20, tzinfo=ZoneInfo("Europe/Moscow"))
    ids = _seed(desk, [make_post(created_at=day + timedelta(hours=23)),
                       make_post(created_at=day + timedelta(days=1, hours=1))])
    html = desk.client("viewer").get("/mentions?since=2026-11-20&until=2026-11-20").text
    assert _ids(html) == [ids[0]]


def test_overview_tops_arrive_as_fragments_of_the_same_window(any_desk: Any) -> None:
    from otklik.domain.posts import Author, Place

    now = datetime.now(UTC)
    loud = Author(external_id="u1", name="<i>Громкий</i>")
    cafe = Place(external_id="-7", name="Кофейни <b>города</b>", kind="group")
    _seed(any_desk, [make_post(author=loud, place=cafe, created_at=now - timedelta(hours=n + 1))
                     for n in range(3)]
          + [make_post(created_at=now - timedelta(hours=1)),
             make_post(author=loud, created_at=now - timedelta(days=9))])  # outside 7 days
    client = any_desk.client("viewer")
    page = client.get("/overview?days=7").text
    urls = re.findall(r'hx-get="(/overview/top/\w+\?[^"]+)"', page)
    assert [u.split("?")[0] for u in urls] == ["/overview/top/places", "/overview/top/authors"]
    import html as html_lib

    places, authors = (client.get(html_lib.unescape(u)) for u in urls)
    assert places.status_code == authors.status_code == 200
    assert "<html" not in places.text
    counts = dict(re.findall(r"<bdi>([^<]+)</bdi>.*?class=\"num\">(\d+)<", places.text, re.S))
    assert counts["Кофейни &lt;b&gt;города&lt;/b&gt;"] == "3"
    assert re.search(r"&lt;i&gt;Громкий&lt;/i&gt;</bdi>.*?class=\"num\">3<", authors.text, re.S)
    assert client.get("/overview/top/secrets").status_code == 422


def test_overview_figures_are_kept_for_the_ttl(desk: Any) -> None:
    now = datetime.now(UTC)
    _seed(desk, [make_post(created_at=now - timedelta(hours=2))])
    client = desk.client("viewer")

    def volume() -> int:
        import html as html_lib

        window = f"since={(now - timedelta(days=1)).date()}&until={now.date()}"
        chart = re.search(r'data-chart="([^"]+)"', client.get(f"/overview?{window}").text).group(1)
        return sum(json.loads(html_lib.unescape(chart))["n"])

    assert volume() == 1
    _seed(desk, [make_post(created_at=now - timedelta(hours=1))])
    assert volume() == 1  # within the TTL: the kept figures
    desk.app.state.overview_ttl = 0
    assert volume() == 2


def test_sources_page_shows_health(desk: Any) -> None:
    from otklik.db.models import Source

    now = datetime.now(UTC)
    with desk.store.sessions() as session:
        quiet = Source(network="vk", name="Тихий", kind="search", params={},
                       last_success_at=now - timedelta(days=3))
        broken = Source(network="rss", name="Сломанный", kind="feed", params={},
                        last_success_at=now - timedelta(hours=2),
                        last_error_at=now - timedelta(hours=1), last_error="HTTP 503 <b>x</b>")
        session.add_all([quiet, broken])
        session.commit()
        ids = (quiet.id, broken.id)
    # the quiet source used to bring a mention every few hours, then nothing for two days
    old = _seed(desk, [make_post() for _ in range(30)])
    with desk.store.sessions() as session:
        for n, mention_id in enumerate(old):
            session.execute(Mention.__table__.update().where(Mention.id == mention_id).values(
                source_id=ids[0], ingested_at=now - timedelta(days=2, hours=4 * n)))
        session.commit()
    html = desk.client("viewer").get("/sources").text
    row = {i: html.split(f'id="source-{i}"')[1].split("</tr>")[0] for i in ids}
    assert "HTTP 503 &lt;b&gt;x&lt;/b&gt;" in row[ids[1]]
    assert "молчит" in row[ids[0]] and "молчит" not in row[ids[1]]
    assert "/edit" not in html  # a viewer sees health, not the forms


def test_brand_overview_counts_the_sentiment_toward_the_brand(any_desk: Any) -> None:
    import html as html_lib

    from otklik.actions.brands import create_brand
    from otklik.db.models import MentionBrand

    desk = any_desk
    now = datetime.now(UTC)
    ids = _seed(desk, [make_post(created_at=now - timedelta(hours=n + 1)) for n in range(3)])
    with desk.store.sessions() as session:
        brand = create_brand(session, "Зерно")
        session.execute(Mention.__table__.update().values(sentiment="positive"))
        # two match the brand; one of them is negative toward it (as the pipeline stores them:
        # the label toward the brand, else the mention's own, and the mention's time)
        session.add_all([
            MentionBrand(mention_id=ids[0], brand_id=brand.id, sentiment="negative",
                         created_at=now - timedelta(hours=1)),
            MentionBrand(mention_id=ids[1], brand_id=brand.id, sentiment="positive",
                         created_at=now - timedelta(hours=2)),
        ])
        session.commit()
        brand_id = brand.id
    client = desk.client("viewer")
    page = client.get(f"/overview?days=7&brand={brand_id}").text
    chart = json.loads(html_lib.unescape(re.search(r'data-chart="([^"]+)"', page).group(1)))
    assert sum(chart["n"]) == 2
    split = dict(re.findall(r'kpi s-(\w+)"><span>[^<]+</span><b>(\d+)</b>', page))
    assert split == {"negative": "1", "neutral": "0", "positive": "1", "unknown": "0"}
    everything = client.get("/overview?days=7").text
    assert dict(re.findall(r'kpi s-(\w+)"><span>[^<]+</span><b>(\d+)</b>', everything)) == {
        "negative": "0", "neutral": "0", "positive": "3", "unknown": "0"}


def test_settings_show_what_each_alert_channel_was_told_and_what_waits(desk: Any) -> None:
    from otklik.actions.alert_dispatch import AlertDispatcher
    from otklik.alerts.events import AlertEvent
    from otklik.db.models import AlertChannel, Brand

    now = datetime.now(UTC)
    sent: list[str] = []

    class Collect:
        def send(self, subject: str, text: str) -> None:
            sent.append(text)

    with desk.store.sessions() as session:
        brand = Brand(slug="zerno", name="Зерно")
        session.add(brand)
        session.flush()
        session.add(AlertChannel(brand_id=brand.id, kind="webhook", config={"url": "x"}))
        session.commit()
        dispatcher = AlertDispatcher(notifier_factory=lambda kind, config: Collect())
        for n, summary in enumerate(["первое", "<script>alert(1)</script> второе"]):
            dispatcher.submit(session, [AlertEvent("new_case", brand.id, n + 1, summary)],
                              now + timedelta(seconds=n))
    assert len(sent) == 1  # the second waits for the channel's minute
    page = desk.client("viewer").get("/settings").text
    log = page.split('id="alert-log"')[1].split("</table>")[0]
    assert "первое" in log and "&lt;script&gt;alert(1)&lt;/script&gt; второе" in log
    assert "<script>alert" not in page
    assert "ждут отправки: 1" in page
