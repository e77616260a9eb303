"""Bearer tokens for the app stores, minted from the keys a brand holds: a pasted token dies
within the hour (Google Play's OAuth token) or 20 minutes (an App Store Connect JWT), so a
source that only took those could not poll unattended.

- Google Play: the service account's JSON key signs a JWT (RS256) that Google's token URI
  trades for an access token (RFC 7523 ``jwt-bearer`` grant).
- App Store Connect: the team's .p8 key (EC P-256) signs the request JWT itself (ES256).

`Tokens` keeps what was minted until shortly before it expires. Refusals and malformed keys are
`AuthFailed` in words; no key material ever appears in a message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from otklik.sources.errors import AuthFailed, BadResponse
from otklik.sources.http import HttpClient, parse_json
from otklik.sources.reviews_items import store_error

Clock = Callable[[], float]
PLAY_SCOPE = "https://www.googleapis.com/auth/androidpublisher"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PLAY_LIFE = 3600  # seconds Google accepts for the assertion
APPLE_LIFE = 1200  # Apple refuses a JWT that lives longer than 20 minutes
MARGIN = 60  # re-mint this long before expiry: a request in flight must not carry a dead token
_PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----(.*?)-----END \1-----", re.S)


class Tokens:
    """One source's minted token and the clock time it stops being used."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._token: str | None = None
        self._until = 0.0

    def current(self) -> str | None:
        return self._token if self._token and self.clock() < self._until else None

    def keep(self, token: str, minted_at: float, life: float) -> str:
        self._token, self._until = token, minted_at + max(life - MARGIN, 0)
        return token


def _key(text: str, store: str, name: str) -> Any:
    """The private key of a PEM, also when pasting lost its line breaks or escaped them
    (a password field drops newlines; an environment variable often holds ``\\n``)."""
    found = _PEM.search(text.replace("\\n", "\n"))
    if not found:
        raise AuthFailed(f"reviews: {store}: {name} is not a PEM private key "
                         "(-----BEGIN PRIVATE KEY----- …)", network="reviews")
    body = "".join(found[2].split())
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    pem = f"-----BEGIN {found[1]}-----\n{lines}\n-----END {found[1]}-----\n"
    try:
        return load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise AuthFailed(f"reviews: {store}: {name} cannot be read as a private key",
                         network="reviews") from None


def apple_jwt(issuer_id: str, key_id: str, private_key: str, now: int) -> str:
    """An App Store Connect API token: ES256 with the key's id, living `APPLE_LIFE`."""
    key = _key(private_key, "app_store", "private_key")
    if not isinstance(key, EllipticCurvePrivateKey) or not isinstance(key.curve, SECP256R1):
        raise AuthFailed("reviews: app_store: private_key is not an App Store Connect key "
                         "(the .p8 file, EC P-256)", network="reviews")
    return jwt.encode({"iss": issuer_id, "iat": now, "exp": now + APPLE_LIFE,
                       "aud": "appstoreconnect-v1"}, key, algorithm="ES256",
                      headers={"kid": key_id, "typ": "JWT"})


def service_account(text: str) -> dict[str, str]:
    """The fields of a service account's JSON key that minting needs."""
    try:
        account = json.loads(text)
    except ValueError:
        account = None
    fields = ("client_email", "private_key", "token_uri")
    if not isinstance(account, dict) or not all(
            isinstance(account.get(f), str) and account[f] for f in fields):
        raise AuthFailed("reviews: google_play: service_account_json is not a service account's "
                         "JSON key (client_email, private_key, token_uri)", network="reviews")
    return {f: account[f] for f in fields}


def play_token_url(token_uri: str, base_url: str, default_base_url: str) -> str:
    """Where the assertion goes: the key's token URI, on Google's host only (the assertion is
    good for an hour to whoever holds it); with the API URL set elsewhere (a test server),
    the same path there."""
    parts = urlsplit(token_uri)
    if base_url != default_base_url:
        return f"{base_url}{parts.path}"
    if parts.scheme != "https" or not (parts.hostname or "").endswith(".googleapis.com"):
        raise AuthFailed("reviews: google_play: the key's token_uri is not Google's "
                         "(https://oauth2.googleapis.com/token)", network="reviews")
    return token_uri


async def play_token(client: HttpClient, url: str, account: dict[str, str],
                     now: int) -> tuple[str, float]:
    """Trade a signed assertion for an access token: (token, seconds it lives)."""
    key = _key(account["private_key"], "google_play", "service_account_json private_key")
    if not isinstance(key, RSAPrivateKey):
        raise AuthFailed("reviews: google_play: the service account's private_key is not RSA",
                         network="reviews")
    assertion = jwt.encode({"iss": account["client_email"], "scope": PLAY_SCOPE,
                            "aud": account["token_uri"], "iat": now, "exp": now + PLAY_LIFE},
                           key, algorithm="RS256")
    holder: dict[str, Any] = {}

    def check(response: httpx.Response) -> None:
        try:
            payload = parse_json(response, "reviews")
        except BadResponse:
            if response.status_code < 400:
                raise
            payload = None
        body = payload if isinstance(payload, dict) else {}
        if response.status_code in (400, 401, 403):  # OAuth: {"error", "error_description"}
            raise AuthFailed(
                f"reviews: google_play: the token URI refused the service account key: HTTP "
                f"{response.status_code} {body.get('error') or ''}: "
                f"{body.get('error_description') or ''}".strip(), network="reviews",
                code=body.get("error") or response.status_code)
        if response.status_code >= 400:
            raise store_error(response.status_code, payload, response.headers, "google_play")
        if not isinstance(body.get("access_token"), str) or not body["access_token"]:
            raise BadResponse("reviews: google_play: no access_token in the token answer",
                              network="reviews")
        holder.update(body)

    await client.request("reviews", "POST", url, secrets=(assertion,), check=check,
                         data={"grant_type": JWT_BEARER, "assertion": assertion})
    life = holder.get("expires_in")
    return holder["access_token"], float(life) if isinstance(life, int | float) else PLAY_LIFE
