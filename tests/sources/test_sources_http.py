"""The shared HTTP client: retries, backoff, Retry-After, budgets, timeouts, secret-free logs."""

from __future__ import annotations

import logging
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from otklik.sources.errors import AuthFailed, BadResponse, RateLimited, Unavailable
from otklik.sources.http import Budget, HttpClient, TokenBucket, mask_url, retry_after_seconds


def test_mask_url_hides_tokens_in_query_and_path() -> None:
    url = "https://api.telegram.org/bot123456:AAE-secret_token/getUpdates?offset=5"
    assert mask_url(url) == "https://api.telegram.org/bot***/getUpdates?offset=5"
    shown = mask_url("https://api.vk.com/method/wall.get?owner_id=-1&access_token=vk1.a.SECRET")
    assert "SECRET" not in shown and "owner_id=-1" in shown and "access_token=***" in shown
    assert "hunter2" not in mask_url("https://x.example/feed/hunter2/rss", ["hunter2"])


def test_retry_after_parses_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds("soon") is None


async def test_token_bucket_spends_burst_then_waits_its_rate() -> None:
    waits: list[float] = []

    now = [100.0]

    async def sleep(s: float) -> None:  # a clock that moves while we sleep
        waits.append(s)
        now[0] += s

    bucket = TokenBucket(Budget(rate=2, burst=3), clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        await bucket.acquire()
    assert waits == [0.5, 0.5]  # three free, then one every 1/rate seconds
    now[0] += 10  # a quiet period refills the bucket, no more than its burst
    for _ in range(3):
        await bucket.acquire()
    assert waits == [0.5, 0.5]


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    low = HttpClient(rng=lambda: 0.0, backoff_base=1.0, backoff_cap=10.0)
    high = HttpClient(rng=lambda: 1.0, backoff_base=1.0, backoff_cap=10.0)
    assert [low.backoff(a) for a in range(5)] == [0.5, 1.0, 2.0, 4.0, 5.0]
    assert [high.backoff(a) for a in range(5)] == [1.0, 2.0, 4.0, 8.0, 10.0]


async def test_5xx_then_success_is_retried_with_backoff(httpserver: HTTPServer, client, sleeps):
    httpserver.expect_oneshot_request("/feed").respond_with_data("busy", status=503)
    httpserver.expect_oneshot_request("/feed").respond_with_data("oops", status=502)
    httpserver.expect_request("/feed").respond_with_data("<rss/>", status=200)
    response = await client.request("rss", "GET", httpserver.url_for("/feed"))
    assert response.text == "<rss/>"
    assert len(httpserver.log) == 3
    assert sleeps.calls == [client.backoff(0), client.backoff(1)]


async def test_retry_after_header_is_honoured(httpserver: HTTPServer, client, sleeps) -> None:
    httpserver.expect_oneshot_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_request("/feed").respond_with_data("ok")
    await client.request("rss", "GET", httpserver.url_for("/feed"))
    assert sleeps.calls == [7.0]


async def test_too_long_retry_after_is_raised_not_slept(httpserver: HTTPServer, client, sleeps):
    httpserver.expect_request("/feed").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimited) as caught:
        await client.request("rss", "GET", httpserver.url_for("/feed"))
    assert caught.value.retry_after == 3600
    assert sleeps.calls == [] and len(httpserver.log) == 1


async def test_gives_up_after_max_retries(httpserver: HTTPServer, sleeps) -> None:
    httpserver.expect_request("/feed").respond_with_data("down", status=500)
    async with HttpClient(sleep=sleeps, max_retries=2, rng=lambda: 0.5,
                          budgets={"rss": Budget(1000, 1000)}) as http:
        with pytest.raises(Unavailable):
            await http.request("rss", "GET", httpserver.url_for("/feed"))
    assert len(httpserver.log) == 3 and len(sleeps.calls) == 2


async def test_auth_and_client_errors_are_not_retried(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=401)
    httpserver.expect_request("/b").respond_with_data("", status=404)
    with pytest.raises(AuthFailed):
        await client.request("rss", "GET", httpserver.url_for("/a"))
    with pytest.raises(BadResponse):
        await client.request("rss", "GET", httpserver.url_for("/b"))
    assert len(httpserver.log) == 2


async def test_timeout_then_success(sleeps) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response("late")

    httpserver = HTTPServer(threaded=True)  # the slow answer must not hold up the retry
    httpserver.start()
    httpserver.expect_oneshot_request("/feed").respond_with_handler(slow)
    httpserver.expect_request("/feed").respond_with_data("fresh")
    async with HttpClient(sleep=sleeps, timeout=0.2, rng=lambda: 0.5,
                          budgets={"rss": Budget(1000, 1000)}) as http:
        response = await http.request("rss", "GET", httpserver.url_for("/feed"))
    httpserver.clear()
    httpserver.stop()
    assert response.text == "fresh"
    assert len(sleeps.calls) == 1


async def test_connection_refused_is_unavailable(sleeps) -> None:
    async with HttpClient(sleep=sleeps, max_retries=1, budgets={"rss": Budget(1000, 1000)}) as h:
        with pytest.raises(Unavailable) as caught:
            await h.request("rss", "GET", "http://127.0.0.1:9/feed")  # discard port: refused
    assert caught.value.code == "connection"


async def test_logs_never_contain_secrets(httpserver: HTTPServer, client, caplog) -> None:
    token = "123456:AAE-very-secret"
    httpserver.expect_request(f"/bot{token}/getMe").respond_with_data("", status=500)
    caplog.set_level(logging.INFO, logger="otklik.sources.http")
    with pytest.raises(Unavailable) as caught:
        await client.request("telegram", "GET", httpserver.url_for(f"/bot{token}/getMe"),
                             params={"access_token": "vk1.a.SECRET"}, secrets=[token])
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("otklik"))
    assert "getMe" in ours
    assert token not in ours and "SECRET" not in ours
    assert token not in str(caught.value)


async def test_a_poll_that_times_out_every_time_ends_at_its_deadline(sleeps) -> None:
    arrived: list[float] = []

    def never(request: Request) -> Response:
        arrived.append(time.monotonic())
        time.sleep(1.0)
        return Response("too late")

    httpserver = HTTPServer(threaded=True)
    httpserver.start()
    httpserver.expect_request("/feed").respond_with_handler(never)
    async with HttpClient(sleep=sleeps, timeout=0.2, max_retries=100, rng=lambda: 0.5,
                          budgets={"rss": Budget(1000, 1000)}) as http:
        with http.deadline(0.5), pytest.raises(Unavailable) as caught:
            await http.request("rss", "GET", httpserver.url_for("/feed"))
        # outside the block there is no deadline again: the client is shared by other polls
        with pytest.raises(Unavailable) as unbounded:
            await http.request("rss", "GET", "http://127.0.0.1:9/feed")
    sent = len(arrived)
    httpserver.clear()
    httpserver.stop()
    assert caught.value.code == "deadline" and "time is up" in str(caught.value)
    assert 1 <= sent < 10  # not the 101 attempts its retries alone would allow
    assert unbounded.value.code == "connection"


async def test_a_spent_deadline_sends_nothing(httpserver: HTTPServer, client) -> None:
    with client.deadline(0.0), pytest.raises(Unavailable, match="time is up"):
        await client.request("rss", "GET", httpserver.url_for("/feed"))
    assert httpserver.log == []


async def test_a_body_that_lies_about_its_encoding_is_a_clear_error(
        httpserver: HTTPServer, client, sleeps) -> None:
    httpserver.expect_oneshot_request("/feed").respond_with_data(
        b"not gzip at all", headers={"Content-Encoding": "gzip"})
    httpserver.expect_request("/feed").respond_with_data("<rss/>")
    response = await client.request("rss", "GET", httpserver.url_for("/feed"))
    assert response.text == "<rss/>" and len(sleeps.calls) == 1  # retried once, then read


async def test_a_redirect_loop_is_a_bad_response(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"})
    with pytest.raises(BadResponse, match="too many redirects"):
        await client.request("rss", "GET", httpserver.url_for("/loop"))
