"""App-store reviews of the brand's own apps (network ``reviews``): Google Play Developer API v3
and App Store Connect API v1. Reviews are mentions with a rating (`Post.rating`).

Kinds of source:
- ``google_play`` (param ``package``, e.g. ``ru.zerno.app``): `reviews.list`
  (``GET /androidpublisher/v3/applications/{package}/reviews``, 100 a page, paged with
  ``token``). Google returns the reviews written or edited in the last week, so every poll reads
  them all (ingest stores each once; an edited review updates its mention). Reply:
  `reviews.reply` (``POST …/reviews/{reviewId}:reply`` with ``replyText``, at most 350 characters;
  a second reply replaces the first). Credential ``service_account_json``: the service
  account's JSON key, from which the source mints its OAuth tokens (scope ``androidpublisher``);
  or ``access_token``, such a token pasted as is (it dies within the hour). Setting
  ``OTKLIK_GOOGLE_PLAY_API_URL`` (the token URI's path follows it when it is not Google's).
- ``app_store`` (param ``app_id``, the numeric Apple id): ``GET /v1/apps/{id}/customerReviews``
  (``sort=-createdDate``, 200 a page, ``include=response``), newest first; a sweep follows
  ``links.next`` back to the newest review the previous sweep saw. Reply: ``POST
  /v1/customerReviewResponses`` (JSON:API), published by Apple after review. Credentials
  ``issuer_id``, ``key_id`` and ``private_key`` (the .p8 file): the source signs its own API JWTs
  (ES256, 20 minutes each); or ``token``, such a JWT pasted as is. Setting
  ``OTKLIK_APP_STORE_API_URL``.

Minted tokens are kept by the source instance until shortly before they expire
(`otklik.sources.reviews_auth`).
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from otklik.domain.posts import Author
from otklik.sources import base
from otklik.sources.errors import AuthFailed, BadResponse
from otklik.sources.http import Budget, json_or_none, parse_json
from otklik.sources.reviews_auth import (
    APPLE_LIFE,
    Clock,
    Tokens,
    apple_jwt,
    play_token,
    play_token_url,
    service_account,
)
from otklik.sources.reviews_items import app_place, apple_posts, play_posts, store_error
from otklik.sources.reviews_kinds import CONNECT_FIELDS, CREDENTIALS, KIND_SPECS

REPLY_LIMIT = 350  # characters Google Play takes in a reply
_PACKAGE = re.compile(r"[A-Za-z][\w]*(\.[A-Za-z][\w]*)+")


class ReviewsSource(base.Source):
    network = "reviews"
    label = "Отзывы в магазинах приложений"
    kind_specs = KIND_SPECS
    credential_fields = CREDENTIALS
    connect_fields = CONNECT_FIELDS
    base_url_setting = "google_play_api_url"
    default_url = "https://androidpublisher.googleapis.com"
    capabilities = frozenset({base.READ, base.REPLY})
    budgets = {"reviews": Budget(2, 5)}

    def __init__(self, *args: Any, apple_url: str = "https://api.appstoreconnect.apple.com",
                 clock: Clock = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.apple_url = apple_url.rstrip("/")
        self.tokens = Tokens(clock)

    @classmethod
    def options(cls, settings: Any) -> dict[str, Any]:
        return {"apple_url": settings.app_store_api_url}

    def _app(self) -> str:
        if self.kind == "google_play":
            package = str(self.params.get("package") or "")
            if not _PACKAGE.fullmatch(package):
                raise ValueError("reviews google_play source needs params.package "
                                 "(e.g. ru.zerno.app)")
            return package
        app_id = str(self.params.get("app_id") or "")
        if not app_id.isdigit():
            raise ValueError("reviews app_store source needs params.app_id (Apple's number)")
        return app_id

    def _brand(self) -> Author:
        """The app's developer, as whom the store shows the brand's replies."""
        return Author(external_id=f"{self.kind}:{self._app()}:developer",
                      name=str(self.params.get("name") or self._app()))

    async def call(self, method: str, url: str, *, params: dict[str, Any] | None = None,
                   body: Any = None) -> dict[str, Any]:
        """One request to the kind's store with its bearer token; the answer as an object."""
        store = "google_play" if self.kind == "google_play" else "app_store"
        token = await self.bearer()
        holder: dict[str, Any] = {}

        def check(response: httpx.Response) -> None:
            if response.status_code >= 400:
                raise store_error(response.status_code, json_or_none(response, "reviews"),
                                  response.headers, store)
            payload = parse_json(response, "reviews")
            if not isinstance(payload, dict):
                raise BadResponse(f"reviews: {store}: the answer is not an object",
                                  network="reviews")
            holder["payload"] = payload

        await self.client.request("reviews", method, url, params=params, json_body=body,
                                  headers={"Authorization": f"Bearer {token}"},
                                  secrets=(token,), check=check)
        return holder["payload"]

    async def bearer(self) -> str:
        """The token for the kind's store: minted from the brand's key when it gave one (and
        kept while it lives), else the token pasted as is."""
        if token := self.tokens.current():
            return token
        given = {k: str(v) for k, v in self._credentials.items() if v}
        now = int(self.tokens.clock())
        if self.kind == "google_play" and "service_account_json" in given:
            account = service_account(given["service_account_json"])
            url = play_token_url(account["token_uri"], self.base_url, self.default_base_url())
            minted, life = await play_token(self.client, url, account, now)
            return self.tokens.keep(minted, now, life)
        if self.kind == "google_play":
            if "access_token" not in given:
                raise AuthFailed("reviews: google_play needs service_account_json (the service "
                                 "account's JSON key) or access_token", network="reviews")
            return given["access_token"]
        if {"issuer_id", "key_id", "private_key"} <= set(given):
            minted = apple_jwt(given["issuer_id"], given["key_id"], given["private_key"], now)
            return self.tokens.keep(minted, now, APPLE_LIFE)
        if "token" not in given:
            raise AuthFailed("reviews: app_store needs issuer_id, key_id and private_key (the "
                             ".p8 key), or token", network="reviews")
        return given["token"]

    # ---------------------------------------------------------------- inbound
    async def fetch_page(self, cursor: base.Cursor | None) -> base.Page:
        cursor = dict(cursor or {})
        place = app_place(self.kind, self._app(), self.params.get("name"))
        if self.kind == "google_play":
            token = cursor.get("token")
            answer = await self.call("GET", self._play_url("reviews"), params={
                "maxResults": 100, "token": token,
                "translationLanguage": self.params.get("translate")})
            posts = [p for r in answer.get("reviews") or [] if isinstance(r, dict)
                     for p in play_posts(r, place, self._brand())]
            following = (answer.get("tokenPagination") or {}).get("nextPageToken")
            more = bool(following) and following != token
            return base.Page(posts, {"token": following if more else None}, more=more)
        return await self._apple_page(cursor, place)

    def _play_url(self, tail: str) -> str:
        return (f"{self.base_url}/androidpublisher/v3/applications/"
                f"{quote(self._app())}/{tail}")

    async def _apple_page(self, cursor: base.Cursor, place: Any) -> base.Page:
        """One page of a newest-first sweep, down to the newest review of the last sweep."""
        floor = cursor.get("floor")
        query: dict[str, Any] = {"sort": "-createdDate", "limit": 200, "include": "response"}
        if cursor.get("next"):
            query["cursor"] = cursor["next"]
        answer = await self.call("GET", f"{self.apple_url}/v1/apps/{self._app()}/customerReviews",
                                 params=query)
        responses = {str(i.get("id")): i for i in answer.get("included") or []
                     if isinstance(i, dict) and i.get("type") == "customerReviewResponses"}
        posts = [p for r in answer.get("data") or [] if isinstance(r, dict)
                 for p in apple_posts(r, responses, place, self._brand())]
        reviews = [p for p in posts if p.parent_external_id is None]
        stamps = [p.created_at.isoformat() for p in reviews]
        top = max([s for s in (floor, cursor.get("top"), *stamps) if s], default=None)
        fresh = all(floor is None or s > floor for s in stamps)
        following = _next_cursor(answer)
        pages = int(cursor.get("pages") or 0) + 1
        if following and fresh and following != cursor.get("next") and pages < int(
                self.params.get("max_pages", 5)):
            return base.Page(posts, {"floor": floor, "top": top, "next": following,
                                     "pages": pages}, more=True)
        return base.Page(posts, {"floor": top})

    async def verify(self) -> base.Account:
        """The app the token may answer for: Google Play `reviews.list` (one review) for the
        package; App Store Connect ``GET /v1/apps/{id}``. The store follows the params given
        (``package`` or ``app_id``)."""
        if self.params.get("app_id") and not self.params.get("package"):
            self.kind = "app_store"
        app, name = self._app(), self.params.get("name")
        if self.kind == "google_play":
            await self.call("GET", self._play_url("reviews"), params={"maxResults": 1})
        else:
            found = await self.call("GET", f"{self.apple_url}/v1/apps/{app}")
            name = name or ((found.get("data") or {}).get("attributes") or {}).get("name")
        place = app_place(self.kind, app, name)
        return base.Account(external_id=place.external_id, name=str(place.name), kind=self.kind,
                            capabilities=frozenset({base.READ, base.REPLY}), url=place.url,
                            params={"package" if self.kind == "google_play" else "app_id": app})

    # ---------------------------------------------------------------- outbound
    async def reply(self, to_mention: base.Target, text: str, *, idempotency_key: str = "") -> str:
        """The developer's public answer under the review (Google: replaces an earlier one)."""
        store, _, review = to_mention.external_id.partition(":")
        review = review.removesuffix(":reply")
        if store != self.kind or not review:
            raise ValueError(f"reviews: {to_mention.external_id!r} is not a {self.kind} review")
        if store == "google_play":
            if len(text) > REPLY_LIMIT:
                raise ValueError(f"reviews: Google Play takes at most {REPLY_LIMIT} characters "
                                 f"in a reply ({len(text)} given)")
            await self.call("POST", self._play_url(f"reviews/{quote(review)}:reply"),
                            body={"replyText": text})
            return f"google_play:{review}:reply"
        answer = await self.call("POST", f"{self.apple_url}/v1/customerReviewResponses", body={
            "data": {"type": "customerReviewResponses", "attributes": {"responseBody": text},
                     "relationships": {"review": {"data": {"type": "customerReviews",
                                                           "id": review}}}}})
        if not (answer.get("data") or {}).get("id"):
            raise BadResponse("reviews: app_store: no response id in the answer",
                              network="reviews")
        return f"app_store:{review}:reply"


def _next_cursor(answer: dict[str, Any]) -> str | None:
    """The ``cursor`` of ``links.next``: the request is rebuilt on the configured host, so
    the token never follows a link to another one."""
    link = (answer.get("links") or {}).get("next")
    found = parse_qs(urlsplit(str(link)).query).get("cursor") if link else None
    return found[0] if found else None
