"""Signing in with a network (OAuth 2.0 authorization-code flow), so an installation need not
paste tokens: the authorize URL with a fresh ``state`` (and PKCE S256 where the network requires
or allows it), then the code exchanged at the network's token URL for the credentials the
connector reads. A pasted token still works: this only fills the same credentials.

Each network's authorize and token URLs are its real ones unless its ``OTKLIK_<NETWORK>_API_URL``
setting points elsewhere (a test's local server, a proxy): then both are paths under that base,
so the same setting that moves the API moves the sign-in. The installation's OAuth app for a
network (``client_id``, ``client_secret``; OK also ``application_key``) comes from
``OTKLIK_OAUTH_CLIENTS``, e.g. ``{"reddit": {"client_id": "…", "client_secret": "…"}}``.

Documented flows followed: Reddit (github.com/reddit-archive/reddit/wiki/OAuth2: HTTP Basic,
``duration=permanent``), X API v2 (OAuth 2.0 with PKCE, ``/2/oauth2/token``), Google OAuth 2.0
for the YouTube Data API v3 (``access_type=offline``, PKCE), OK (``connect.ok.ru/oauth/authorize``,
``/oauth/token.do``), Mastodon (the app registered on the source's own server with
``POST /api/v1/apps``, then ``/oauth/authorize`` and ``/oauth/token`` there) and VK's community
token flow (``oauth.vk.com/authorize`` with ``group_ids``; the token answered in ``groups``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from otklik.sources.errors import AuthFailed, BadResponse, Unavailable
from otklik.sources.http import HttpClient, json_or_none, parse_json


@dataclass(frozen=True, slots=True)
class OAuthSpec:
    """How one network signs in: where, with which scopes, and what its token becomes."""

    network: str
    authorize_url: str
    token_url: str
    base_setting: str  # the API URL setting that moves both URLs when it is not the default
    default_base: str
    authorize_path: str
    token_path: str
    scopes: tuple[str, ...]
    scope_separator: str = " "
    pkce: bool = False
    basic_auth: bool = False  # client id and secret as HTTP Basic, not in the form
    extra: dict[str, str] = field(default_factory=dict)  # more authorize parameters
    keep_client: tuple[str, ...] = ()  # client fields the connector needs (to refresh, to sign)
    per_instance: bool = False  # Mastodon: each server is its own network, its app registered
    start_params: tuple[str, ...] = ()  # connect params the authorize URL carries (VK: group)


SPECS: dict[str, OAuthSpec] = {spec.network: spec for spec in (
    OAuthSpec("reddit", "https://www.reddit.com/api/v1/authorize",
              "https://www.reddit.com/api/v1/access_token", "reddit_api_url",
              "https://oauth.reddit.com", "/api/v1/authorize", "/api/v1/access_token",
              ("identity", "read", "submit", "privatemessages"), basic_auth=True,
              extra={"duration": "permanent"}, keep_client=("client_id", "client_secret")),
    OAuthSpec("x", "https://x.com/i/oauth2/authorize", "https://api.x.com/2/oauth2/token",
              "x_api_url", "https://api.x.com", "/i/oauth2/authorize", "/2/oauth2/token",
              ("tweet.read", "tweet.write", "users.read", "offline.access"), pkce=True,
              basic_auth=True),
    OAuthSpec("youtube", "https://accounts.google.com/o/oauth2/v2/auth",
              "https://oauth2.googleapis.com/token", "youtube_api_url",
              "https://www.googleapis.com/youtube/v3", "/o/oauth2/v2/auth", "/token",
              ("https://www.googleapis.com/auth/youtube.force-ssl",), pkce=True,
              extra={"access_type": "offline", "prompt": "consent",
                     "include_granted_scopes": "true"},
              keep_client=("client_id", "client_secret")),
    OAuthSpec("ok", "https://connect.ok.ru/oauth/authorize", "https://api.ok.ru/oauth/token.do",
              "ok_api_url", "https://api.ok.ru", "/oauth/authorize", "/oauth/token.do",
              ("VALUABLE_ACCESS", "GROUP_CONTENT", "LONG_ACCESS_TOKEN"), scope_separator=";",
              extra={"layout": "w"}, keep_client=("application_key",)),
    OAuthSpec("mastodon", "", "", "", "", "/oauth/authorize", "/oauth/token",
              ("read", "write:statuses"), per_instance=True),
    OAuthSpec("vk", "https://oauth.vk.com/authorize", "https://oauth.vk.com/access_token",
              "vk_api_url", "https://api.vk.com", "/authorize", "/access_token",
              ("manage", "messages", "wall"), scope_separator=",",
              extra={"display": "page", "v": "5.199"}, start_params=("group_id",)),
)}


def spec_of(network: str) -> OAuthSpec:
    try:
        return SPECS[network]
    except KeyError:
        raise ValueError(f"{network}: no sign-in with this network here; paste a token") from None


def urls(spec: OAuthSpec, settings: Any, instance: str = "") -> tuple[str, str]:
    """The authorize and token URLs: the real ones, or paths under a moved API base (under the
    source's own server for Mastodon)."""
    if spec.per_instance:
        if not instance:
            raise ValueError(f"{spec.network}: give the server's address to sign in there")
        return instance.rstrip("/") + spec.authorize_path, instance.rstrip("/") + spec.token_path
    base = str(getattr(settings, spec.base_setting, "") or spec.default_base).rstrip("/")
    if base == spec.default_base.rstrip("/"):
        return spec.authorize_url, spec.token_url
    return base + spec.authorize_path, base + spec.token_path


@dataclass(frozen=True, slots=True)
class Start:
    """Where to send the browser, and what the callback must find again (kept server-side)."""

    url: str
    state: str
    verifier: str | None


def pkce_challenge(verifier: str) -> str:
    """S256: base64url(sha256(verifier)) without padding (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def start(spec: OAuthSpec, settings: Any, client: dict[str, str], redirect_uri: str,
          params: dict[str, str] | None = None) -> Start:
    """The authorize URL with a new unguessable ``state`` (and a PKCE challenge)."""
    if not client.get("client_id"):
        raise ValueError(f"{spec.network}: no OAuth app configured (OTKLIK_OAUTH_CLIENTS)")
    params = params or {}
    missing = [p for p in spec.start_params if not params.get(p)]
    if missing:
        raise ValueError(f"{spec.network}: give {', '.join(missing)} to sign in")
    state = secrets.token_urlsafe(32)
    query = {"client_id": client["client_id"], "response_type": "code",
             "redirect_uri": redirect_uri, "state": state,
             "scope": spec.scope_separator.join(spec.scopes), **spec.extra}
    if spec.network == "vk":  # a community token for the brand's group
        query["group_ids"] = params["group_id"]
    verifier = None
    if spec.pkce:
        verifier = secrets.token_urlsafe(64)
        query.update(code_challenge=pkce_challenge(verifier), code_challenge_method="S256")
    authorize, _ = urls(spec, settings, params.get("instance", ""))
    return Start(f"{authorize}?{urlencode(query)}", state, verifier)


async def exchange(http: HttpClient, spec: OAuthSpec, settings: Any, client: dict[str, str],
                   code: str, redirect_uri: str, verifier: str | None,
                   instance: str = "") -> dict[str, str]:
    """The code for tokens at the token URL: the credentials the connector reads (a refresh
    token and the client fields it needs to refresh or sign, when there are some)."""
    _, token_url = urls(spec, settings, instance)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        form["code_verifier"] = verifier
    headers: dict[str, str] = {}
    secret = client.get("client_secret") or ""
    if spec.basic_auth and secret:
        pair = base64.b64encode(f"{client['client_id']}:{secret}".encode()).decode()
        headers["Authorization"] = f"Basic {pair}"
    else:  # a public client (X without a secret) or a network that wants them in the form
        form["client_id"] = client["client_id"]
        if secret:
            form["client_secret"] = secret
    holder: dict[str, Any] = {}

    def check(response: httpx.Response) -> None:
        payload = json_or_none(response, spec.network)
        token = _access_token(spec, payload)
        if response.status_code >= 400 or not token:
            reason = payload.get("error") if isinstance(payload, dict) else None
            error = Unavailable if response.status_code >= 500 else AuthFailed
            raise error(f"{spec.network}: the sign-in was refused: HTTP {response.status_code} "
                        f"{reason or ''}".strip(), network=spec.network, code=reason)
        holder["payload"] = payload

    await http.request(spec.network, "POST", token_url, data=form, headers=headers,
                       secrets=(code, secret, verifier or ""), check=check)
    payload = holder["payload"]
    if spec.network == "vk":  # VK answers the community's token in `groups`
        return {"group_token": str(_access_token(spec, payload))}
    found = {"access_token": str(payload["access_token"])}
    if payload.get("refresh_token"):
        found["refresh_token"] = str(payload["refresh_token"])
    for name in spec.keep_client:
        if client.get(name):
            found[name] = client[name]
    if spec.network == "ok" and secret:  # OK signs every request with the app's secret
        found["application_secret_key"] = secret
    return found


def _access_token(spec: OAuthSpec, payload: Any) -> str | None:
    """The token of a token endpoint's answer; for VK's community flow the group's one
    (``{"groups": [{"group_id", "access_token"}]}``)."""
    if not isinstance(payload, dict):
        return None
    if spec.network == "vk":
        groups = [g for g in payload.get("groups") or [] if isinstance(g, dict)]
        return str(groups[0].get("access_token") or "") or None if groups else None
    return str(payload.get("access_token") or "") or None


async def register_app(http: HttpClient, instance: str, redirect_uri: str) -> dict[str, str]:
    """Mastodon: every server is its own provider, so otklik registers itself there
    (``POST /api/v1/apps``) and signs in with the client it is given."""
    holder: dict[str, Any] = {}

    def check(response: httpx.Response) -> None:
        payload = parse_json(response, "mastodon") if response.status_code < 500 else None
        if response.status_code >= 400 or not isinstance(payload, dict) or not payload.get(
                "client_id"):
            error = Unavailable if response.status_code >= 500 else BadResponse
            raise error(f"mastodon: {instance} refused to register otklik: HTTP "
                        f"{response.status_code}", network="mastodon")
        holder["app"] = payload

    await http.request("mastodon", "POST", f"{instance.rstrip('/')}/api/v1/apps", data={
        "client_name": "otklik", "redirect_uris": redirect_uri,
        "scopes": " ".join(SPECS["mastodon"].scopes)}, check=check)
    app = holder["app"]
    return {"client_id": str(app["client_id"]), "client_secret": str(app.get("client_secret")
                                                                     or "")}


async def refresh(http: HttpClient, network: str, token_url: str, credentials: dict[str, Any],
                  *, basic: bool, headers: dict[str, str] | None = None) -> dict[str, str]:
    """Fresh tokens from the refresh token (``grant_type=refresh_token``), the client id and
    secret as HTTP Basic (Reddit, X's confidential app) or in the form (Google; X's public app
    sends its id alone). Returns the new ``access_token``, and the new ``refresh_token`` when
    the network rotates it (X does: the old one is dead from now on, so it must be stored). A
    refused refresh (revoked, expired: ``invalid_grant``) is AuthFailed; the server failing,
    Unavailable."""
    token = str(credentials.get("refresh_token") or "")
    client_id = str(credentials.get("client_id") or "")
    secret = str(credentials.get("client_secret") or "")
    if not token or not client_id:
        raise AuthFailed(f"{network}: no refresh token and client id to refresh with",
                         network=network)
    form = {"grant_type": "refresh_token", "refresh_token": token}
    sent = dict(headers or {})
    shown = [token, secret]
    if basic:
        pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        sent["Authorization"] = f"Basic {pair}"
        shown.append(pair)
    else:
        form = {"client_id": client_id, **({"client_secret": secret} if secret else {}), **form}
    holder: dict[str, str] = {}

    def check(response: httpx.Response) -> None:
        payload = json_or_none(response, network)
        fresh = payload.get("access_token") if isinstance(payload, dict) else None
        if response.status_code >= 400 or not fresh:
            reason = payload.get("error") if isinstance(payload, dict) else None
            if response.status_code >= 500:
                raise Unavailable(f"{network}: the token server failed: HTTP "
                                  f"{response.status_code}", network=network, code=reason)
            raise AuthFailed(f"{network}: the network refused to renew the access token "
                             f"(HTTP {response.status_code} {reason or ''}".strip() + "): sign "
                             "in with the network again", network=network, code=reason)
        holder["access_token"] = str(fresh)
        if isinstance(payload, dict) and payload.get("refresh_token"):
            holder["refresh_token"] = str(payload["refresh_token"])

    await http.request(network, "POST", token_url, data=form, headers=sent, secrets=shown,
                       check=check)
    return dict(holder)


def token_url(network: str, settings: Any) -> str:
    """The network's token URL under the settings (for a connector's refresh)."""
    return urls(spec_of(network), settings)[1]
