"""The reviews source mints its own tokens from the keys a brand holds: a Google service account's
JSON key (a signed assertion traded at the token URI, replayed by a local server) and an App Store
Connect .p8 key (an ES256 JWT). Throwaway keys are made here; a clock is injected, not slept on."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from otklik.sources.errors import AuthFailed
from otklik.sources.http import Budget, HttpClient
from otklik.sources.reviews import ReviewsSource
from otklik.sources.reviews_auth import PLAY_SCOPE, play_token_url

from .conftest import FakeSleep, base_url, respond

PACKAGE, APP = "ru.zerno.app", "1234567890"
PLAY = f"/androidpublisher/v3/applications/{PACKAGE}/reviews"
APPLE = f"/v1/apps/{APP}/customerReviews"
TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105
EMAIL = "otklik@zerno-app.iam.gserviceaccount.com"
T0 = 1_797_000_000


class Clock:
    def __init__(self) -> None:
        self.now = float(T0)

    def __call__(self) -> float:
        return self.now


def pem(key: Any) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture
async def client(sleeps: FakeSleep):  # type: ignore[no-untyped-def]
    http = HttpClient(sleep=sleeps, budgets={"reviews": Budget(10_000, 10_000)}, timeout=2.0,
                      rng=lambda: 0.5)
    yield http
    await http.aclose()


def source(server: HTTPServer, client: HttpClient, kind: str, clock: Clock,
           **credentials: str) -> ReviewsSource:
    params = {"package": PACKAGE} if kind == "google_play" else {"app_id": APP}
    return ReviewsSource(client, kind=kind, params=params, credentials=credentials,
                         base_url=base_url(server), apple_url=base_url(server), clock=clock)


def minted(answers: list[str]) -> Any:
    """The token URI's answers, one token after another."""
    def handler(request: Request) -> Response:
        return Response(json.dumps({"access_token": answers.pop(0), "expires_in": 3599,
                                    "token_type": "Bearer"}), content_type="application/json")
    return handler


async def test_a_service_account_key_is_traded_for_a_token_kept_while_it_lives(
        httpserver: HTTPServer, client: HttpClient) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    account = json.dumps({"type": "service_account", "client_email": EMAIL,
                          "private_key": pem(key), "token_uri": TOKEN_URI})
    httpserver.expect_request("/token", method="POST").respond_with_handler(
        minted(["ya29.FIRST", "ya29.SECOND"]))
    httpserver.expect_request(PLAY).respond_with_response(
        respond("reviews", "google_play_reviews__page2.json"))
    clock = Clock()
    play = source(httpserver, client, "google_play", clock, service_account_json=account)
    await play.fetch_page(None)
    clock.now += 3000  # within the hour: the same token
    await play.fetch_page(None)
    clock.now += 600  # past expiry less the margin: a new one
    await play.fetch_page(None)
    asked = [r for r, _ in httpserver.log]
    assert [r.path for r in asked] == ["/token", PLAY, PLAY, "/token", PLAY]
    assert [r.headers["Authorization"] for r in asked if r.path == PLAY] == [
        "Bearer ya29.FIRST", "Bearer ya29.FIRST", "Bearer ya29.SECOND"]
    form = parse_qs(asked[0].get_data(as_text=True))
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    claims = jwt.decode(form["assertion"][0], key.public_key(), algorithms=["RS256"],
                        audience=TOKEN_URI, options={"verify_exp": False, "verify_iat": False})
    assert claims == {"iss": EMAIL, "scope": PLAY_SCOPE, "aud": TOKEN_URI, "iat": T0,
                      "exp": T0 + 3600}
    later = parse_qs(asked[3].get_data(as_text=True))["assertion"][0]
    assert jwt.decode(later, options={"verify_signature": False})["iat"] == T0 + 3600


async def test_an_app_store_key_signs_its_own_jwt_reminted_before_it_expires(
        httpserver: HTTPServer, client: HttpClient) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    flat = pem(key).replace("\n", "")  # as a password field keeps a pasted .p8
    httpserver.expect_request(APPLE).respond_with_response(
        respond("reviews", "app_store_reviews__page2.json"))
    clock = Clock()
    apple = source(httpserver, client, "app_store", clock, issuer_id="57246542-96fe-1a63",
                   key_id="2X9R4HXF34", private_key=flat)
    await apple.fetch_page(None)
    clock.now += 1000
    await apple.fetch_page(None)
    clock.now += 200
    await apple.fetch_page(None)
    tokens = [r.headers["Authorization"].removeprefix("Bearer ") for r, _ in httpserver.log]
    assert tokens[0] == tokens[1] != tokens[2]
    for token, iat in ((tokens[0], T0), (tokens[2], T0 + 1200)):
        assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "2X9R4HXF34",
                                                    "typ": "JWT"}
        claims = jwt.decode(token, key.public_key(), algorithms=["ES256"],
                            audience="appstoreconnect-v1",
                            options={"verify_exp": False, "verify_iat": False})
        assert claims == {"iss": "57246542-96fe-1a63", "iat": iat, "exp": iat + 1200,
                          "aud": "appstoreconnect-v1"}


async def test_a_refused_key_is_auth_failed_in_words(httpserver: HTTPServer,
                                                     client: HttpClient) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    account = json.dumps({"client_email": EMAIL, "private_key": pem(key),
                          "token_uri": TOKEN_URI})
    httpserver.expect_request("/token", method="POST").respond_with_json(
        {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, status=400)
    with pytest.raises(AuthFailed, match="refused the service account key: HTTP 400 "
                                         "invalid_grant: Invalid JWT Signature.") as caught:
        await source(httpserver, client, "google_play", Clock(),
                     service_account_json=account).fetch_page(None)
    assert "PRIVATE KEY" not in str(caught.value) and len(httpserver.log) == 1


@pytest.mark.parametrize(("kind", "credentials", "words"), [
    ("google_play", {}, "needs service_account_json"),
    ("google_play", {"service_account_json": "{not json"}, "not a service account's JSON key"),
    ("google_play", {"service_account_json": json.dumps(
        {"client_email": EMAIL, "private_key": "MIIB", "token_uri": TOKEN_URI})},
     "not a PEM private key"),
    ("app_store", {"issuer_id": "i"}, "needs issuer_id, key_id and private_key"),
    ("app_store", {"issuer_id": "i", "key_id": "k", "private_key": pem(
        rsa.generate_private_key(public_exponent=65537, key_size=2048))},
     "not an App Store Connect key")])
async def test_missing_or_malformed_keys_are_named_before_any_request(
        httpserver: HTTPServer, client: HttpClient, kind: str, credentials: dict[str, str],
        words: str) -> None:
    with pytest.raises(AuthFailed, match=words):
        await source(httpserver, client, kind, Clock(), **credentials).fetch_page(None)
    assert httpserver.log == []


def test_the_token_uri_is_googles_unless_the_api_url_is_moved() -> None:
    google = "https://androidpublisher.googleapis.com"
    assert play_token_url(TOKEN_URI, google, google) == TOKEN_URI
    assert play_token_url(TOKEN_URI, "http://127.0.0.1:9", google) == "http://127.0.0.1:9/token"
    with pytest.raises(AuthFailed, match="not Google's"):
        play_token_url("https://evil.example/token", google, google)
