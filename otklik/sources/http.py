"""One shared async HTTP client for every connector (httpx underneath).

Why one client: retries, backoff, rate-limit handling, request budgets and secret-free logging are
the same for every network, and getting them right once is cheaper than five times. Networks plug
in a `check` function that turns their own error payloads (VK's `error`, Telegram's `ok: false`)
into the shared error hierarchy; the client then decides whether to wait and retry.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from otklik.sources.errors import AuthFailed, BadResponse, RateLimited, SourceError, Unavailable

log = logging.getLogger("otklik.sources.http")

Sleep = Callable[[float], Awaitable[None]]
Check = Callable[[httpx.Response], None]

SECRET_PARAMS = frozenset({
    "access_token", "token", "key", "api_key", "apikey", "client_secret", "secret", "password",
    "sig", "auth", "service_token",
})
BOT_TOKEN_RE = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
MASK = "***"
# When the current poll must end (the client's clock), per asyncio task: one client serves many
# concurrent polls, and each has its own deadline.
_DEADLINE: ContextVar[float | None] = ContextVar("otklik_http_deadline", default=None)


@dataclass(frozen=True, slots=True)
class Budget:
    """A request budget: `rate` requests per second on average, bursts up to `burst`."""

    rate: float
    burst: int = 1


FALLBACK_BUDGET = Budget(5, 5)  # a network that declared none (each connector declares its own)


class TokenBucket:
    """Token bucket that reserves a token and sleeps off any debt (works with a fake sleep)."""

    def __init__(self, budget: Budget, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.rate = budget.rate
        self.burst = float(budget.burst)
        self.tokens = float(budget.burst)
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> float:
        """Take one token; returns how long it waited."""
        async with self._lock:
            now = self._clock()
            if now > self._last:
                self.tokens = min(self.burst, self.tokens + (now - self._last) * self.rate)
                self._last = now
            self.tokens -= 1.0
            wait = 0.0
            if self.tokens < 0:  # in debt: wait until the token we took has been earned
                ready_at = self._last + (-self.tokens) / self.rate
                wait = ready_at - now
                self.tokens = 0.0
                self._last = ready_at
            if wait > 0:
                await self._sleep(wait)
            return wait


def mask_url(url: str | httpx.URL, secrets: Iterable[str] = ()) -> str:
    """The URL with secret query values and bot tokens (and any given secret) replaced."""
    text = str(url)
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    text = BOT_TOKEN_RE.sub("/bot" + MASK, text)
    parts = urlsplit(text)
    if parts.query:
        query = [(k, MASK if k.lower() in SECRET_PARAMS else v)
                 for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        text = urlunsplit(parts._replace(query=urlencode(query, safe="*")))
    return text


def mask_text(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return BOT_TOKEN_RE.sub("/bot" + MASK, text)


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def status_error(network: str, status: int, text: str, *,
                 retry_after: float | None = None) -> SourceError:
    """An HTTP error status in the hierarchy: 429 waits, 401/403 is the credentials, 5xx the
    network's trouble (retried), any other 4xx a request it refuses."""
    if status == 429:
        return RateLimited(text, network=network, code=429, retry_after=retry_after)
    if status in (401, 403):
        return AuthFailed(text, network=network, code=status)
    if status >= 500:
        return Unavailable(text, network=network, code=status)
    return BadResponse(text, network=network, code=status)


def default_check(response: httpx.Response, network: str = "") -> None:
    """Map HTTP status codes to the hierarchy; 2xx and 3xx pass."""
    status = response.status_code
    if status >= 400:
        raise status_error(network, status, f"{network}: HTTP {status}",
                           retry_after=retry_after_seconds(response.headers.get("Retry-After")))


def parse_json(response: httpx.Response, network: str) -> Any:
    """The body as JSON, or BadResponse saying where it broke."""
    try:
        return json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadResponse(f"{network}: malformed JSON ({exc})", network=network) from None


def json_or_none(response: httpx.Response, network: str) -> Any:
    """The body as JSON, None when it is none (an error page a proxy wrote in HTML)."""
    try:
        return parse_json(response, network)
    except BadResponse:
        return None


class ResetWindow:
    """A network that tells in its answers when its request window resets once none are left
    (Mastodon's and Reddit's X-RateLimit headers): the next request waits for the reset, or
    fails RateLimited when that is further off than the client waits for a Retry-After."""

    def __init__(self, network: str) -> None:
        self.network = network
        self._wait = 0.0

    def spent(self, reset: float | None) -> None:
        """The last answer left no request until `reset` seconds from now."""
        if reset:
            self._wait = reset

    async def pause(self, client: HttpClient) -> None:
        """Before a request: sit out a spent window (once)."""
        if self._wait <= 0:
            return
        wait, self._wait = self._wait, 0.0
        if wait > client.max_retry_after:
            raise RateLimited(f"{self.network}: rate limit spent; resets in {wait:.0f}s",
                              network=self.network, retry_after=wait)
        await client.sleep(wait)


class HttpClient:
    """Timeouts, retries with exponential backoff and jitter, Retry-After, budgets, safe logs."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        max_retry_after: float = 120.0,
        budgets: Mapping[str, Budget] | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        user_agent: str = "otklik/0.1 (+https://github.com/otklik/otklik)",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self._rng = rng
        self._clock = clock
        self._budgets = dict(budgets or {})
        self._buckets: dict[str, TokenBucket] = {}
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), headers={"User-Agent": user_agent},
            follow_redirects=True, transport=transport,
        )
        self.requests_sent = 0

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @contextmanager
    def deadline(self, seconds: float | None) -> Iterator[None]:
        """Bound every request sent inside the block (retries and waits included) to `seconds`
        in all: a network that times out every time fails the poll once the time is spent,
        instead of after every retry's full timeout. An outer, earlier deadline still holds."""
        if seconds is None:
            yield
            return
        outer = _DEADLINE.get()
        ends = self._clock() + seconds
        token = _DEADLINE.set(ends if outer is None else min(outer, ends))
        try:
            yield
        finally:
            _DEADLINE.reset(token)

    def _remaining(self, network: str) -> float | None:
        """Seconds left before the deadline (None: no deadline); Unavailable when none are."""
        ends = _DEADLINE.get()
        if ends is None:
            return None
        left = ends - self._clock()
        if left <= 0:
            raise Unavailable(f"{network}: the poll's time is up", network=network,
                              code="deadline")
        return left

    def bucket(self, network: str) -> TokenBucket:
        if network not in self._buckets:
            budget = self._budgets.get(network, FALLBACK_BUDGET)
            self._buckets[network] = TokenBucket(budget, clock=self._clock, sleep=self.sleep)
        return self._buckets[network]

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with equal jitter: half fixed, half random."""
        delay = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        return delay / 2 + self._rng() * delay / 2

    async def request(
        self,
        network: str,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        check: Check | None = None,
        budget: str | None = None,
    ) -> httpx.Response:
        """Send with retries; returns the response once `check` accepts it, else raises."""
        secrets = tuple(s for s in secrets if s)
        checker = check or (lambda r: default_check(r, network))
        bucket = self.bucket(budget or network)
        attempt = 0
        while True:
            await bucket.acquire()
            left = self._remaining(network)
            started = self._clock()
            shown = mask_url(httpx.URL(url, params=dict(params or {})), secrets)
            extra: dict[str, Any] = {}
            if left is not None and left < self.timeout:  # the last attempt ends at the deadline
                extra["timeout"] = httpx.Timeout(left)
            try:
                response = await self._http.request(
                    method, url, params=params, data=data, json=json_body, headers=headers,
                    **extra)
                self.requests_sent += 1
                log.info("%s %s %s -> %d in %.0f ms", network, method, shown,
                         response.status_code, (self._clock() - started) * 1000)
                checker(response)
                return response
            except httpx.TimeoutException:
                error: SourceError = Unavailable(f"{network}: timed out", network=network,
                                                 code="timeout")
            except httpx.DecodingError:  # a body that is not what its Content-Encoding says
                error = Unavailable(f"{network}: the answer could not be decoded",
                                    network=network, code="decoding")
            except httpx.TooManyRedirects:
                raise BadResponse(f"{network}: too many redirects", network=network) from None
            except httpx.TransportError as exc:
                error = Unavailable(f"{network}: {type(exc).__name__}: "
                                    f"{mask_text(str(exc), secrets)}", network=network,
                                    code="connection")
            except (RateLimited, Unavailable) as exc:
                error = exc
            delay = self._retry_delay(error, attempt)
            ends = _DEADLINE.get()
            if delay is not None and ends is not None and self._clock() + delay >= ends:
                delay = None  # no time left for another attempt in this poll
                error = Unavailable(f"{network}: the poll's time is up after {attempt + 1} "
                                    f"attempt(s); last: {error}", network=network,
                                    code="deadline")
            log.warning("%s %s %s failed (%s); %s", network, method, shown, error,
                        f"retry in {delay:.1f}s" if delay is not None else "giving up")
            if delay is None:
                raise error
            await self.sleep(delay)
            attempt += 1

    def _retry_delay(self, error: SourceError, attempt: int) -> float | None:
        if attempt >= self.max_retries:
            return None
        if isinstance(error, RateLimited):
            if error.retry_after is None:
                return self.backoff(attempt)
            return error.retry_after if error.retry_after <= self.max_retry_after else None
        return self.backoff(attempt)
