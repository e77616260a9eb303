"""Credentials at rest: sealed with a key derived from `OTKLIK_SECRET_KEY` (Fernet from the
`cryptography` package: AES-128-CBC + HMAC-SHA256), so a copy of the store alone gives no
network tokens. A row keeps `{"sealed": "<token>"}`; a row written before sealing existed (a
plain dict) still reads, and `otklik secrets rotate` re-seals every row under a new key."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED = "sealed"


class CannotOpen(ValueError):
    """The credentials were sealed under another secret key."""


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"otklik-credentials",
               info=b"sources.credentials").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal_credentials(credentials: dict[str, Any], secret_key: str) -> dict[str, str]:
    """What a `sources.credentials` column stores; empty credentials stay empty."""
    plain = {k: v for k, v in credentials.items() if v not in (None, "")}
    if not plain:
        return {}
    token = _fernet(secret_key).encrypt(json.dumps(plain).encode())
    return {SEALED: token.decode()}


def open_credentials(stored: dict[str, Any] | None, secret_key: str) -> dict[str, Any]:
    """The credentials of a row (CannotOpen when sealed under another key)."""
    stored = dict(stored or {})
    if SEALED not in stored:
        return stored
    try:
        return dict(json.loads(_fernet(secret_key).decrypt(stored[SEALED].encode())))
    except InvalidToken:
        raise CannotOpen("the credentials were saved under another OTKLIK_SECRET_KEY: "
                         "run `otklik secrets rotate --old-key …` or enter them again") from None
