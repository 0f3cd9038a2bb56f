"""Authorization codes: single use, bound to client, redirect URI and PKCE.

A code is a random string handed to the browser. The store keeps only its
SHA-256 digest as the key, with what the person approved as the value.
Taking a code deletes it in one step, so two token requests with one code
cannot both succeed. A taken code leaves a marker until the code would have
expired, so a second use is recognised and the grant behind it revoked
(RFC 6749 section 4.1.2).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from typing import Protocol

# A code is useful for seconds, between the redirect and the token request.
CODE_LIFETIME_SECONDS = 60
CODE_BYTES = 32
MAX_CODE_LENGTH = 128


class ValueStore(Protocol):
    """The expiring key-value store codes live in (memory or Redis)."""

    def put(self, key: str, value: bytes, ttl_seconds: int) -> None: ...

    def take(self, key: str) -> bytes | None: ...


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    """The client, redirect URI, scope, PKCE challenge and grant of a code.

    ``code_challenge`` is always an S256 challenge.

    The ``get_*`` methods and ``code_challenge_method`` are what authlib's
    authorization code grant and PKCE extension read.
    """

    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str
    grant_id: str
    expires_at: int

    code_challenge_method = "S256"

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass(frozen=True, slots=True)
class TakenCode:
    """The result of presenting a code: the code, or the grant of a reused one."""

    code: AuthorizationCode | None = None
    reused_grant_id: str | None = None


class AuthorizationCodes:
    """Issue and take authorization codes in a ``ValueStore``."""

    def __init__(self, store: ValueStore, prefix: str = "ccus:oauth") -> None:
        self._store = store
        self._prefix = prefix

    def issue(self, code: AuthorizationCode) -> str:
        """Store ``code`` and return the string to send to the client.

        Raises:
            OAuthStoreError: the store failed.
        """
        value = secrets.token_urlsafe(CODE_BYTES)
        payload = json.dumps(asdict(code)).encode("utf-8")
        self._store.put(self._key("code", value), payload, CODE_LIFETIME_SECONDS)
        return value

    def take(self, value: str, now: float) -> TakenCode:
        """Take the code ``value`` once; a second take reports its grant.

        Raises:
            OAuthStoreError: the store failed.
        """
        if len(value) > MAX_CODE_LENGTH:
            return TakenCode()
        payload = self._store.take(self._key("code", value))
        if payload is None:
            used = self._store.take(self._key("used", value))
            return TakenCode(reused_grant_id=used.decode() if used else None)
        code = AuthorizationCode(**json.loads(payload))
        if code.expires_at <= now:
            return TakenCode()
        self._store.put(
            self._key("used", value), code.grant_id.encode(), CODE_LIFETIME_SECONDS
        )
        return TakenCode(code=code)

    def _key(self, kind: str, value: str) -> str:
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
        return f"{self._prefix}:{kind}:{digest}"
