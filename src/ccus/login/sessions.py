"""Browser sessions, kept server-side in the value store.

The browser holds only a random session id in the ``ccus_session`` cookie
(HttpOnly, SameSite=Lax, Secure when the service's issuer is https). The
store keeps the session record under the SHA-256 of that id, encrypted with
AES-256-GCM under a key derived from the id itself, so that the store's
contents alone reveal nothing and open nothing.

A session ends ``IDLE_SECONDS`` after its last use or ``ABSOLUTE_SECONDS``
after it was opened, whichever comes first. A login replaces the session id,
so an id planted in a browser before the login (session fixation) never
names a logged-in session.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from litestar.datastructures import Cookie

from ccus.login.store import ValueStore

COOKIE_NAME = "ccus_session"
# A person who leaves the browser for half an hour logs in again, and no
# session outlives a working day.
IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 8 * 60 * 60
# The idle deadline moves forward at most once a minute, to save writes.
TOUCH_INTERVAL_SECONDS = 60
KEY_PREFIX = "ccus:login:session:"
RECORD_INFO = b"ccus.browser-session.v1"
NONCE_BYTES = 12
# Session ids are 43 characters of base64url; longer cookies are not looked up.
MAX_COOKIE_LENGTH = 100


@dataclass(frozen=True, slots=True)
class StaffMembership:
    """A company the logged-in person acts for, with the roles it gave them."""

    staff_id: str
    company_id: str
    company_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Person:
    """The person a browser session is logged in as. It contains no personal data.

    ``login_subject`` is the hex SHA-256 of the provider's issuer, a NUL and
    the provider's ``sub``.
    """

    login_subject: str
    worker_id: str | None
    staff: tuple[StaffMembership, ...]
    authenticated_at: int


class CookieRequest(Protocol):
    """The part of an HTTP request that sessions read."""

    @property
    def cookies(self) -> Mapping[str, str]: ...


@dataclass(slots=True)
class SessionRecord:
    """The record the store keeps for one browser session.

    ``identity`` contains the verified claims while the person may still
    register as a worker, and is None otherwise.
    """

    created_at: int
    seen_at: int
    csrf: str
    person: Person | None = None
    identity: dict[str, Any] | None = None


@dataclass(slots=True)
class OpenSession:
    """A session id with its record, as read or created for one request."""

    session_id: str
    record: SessionRecord
    new: bool = field(default=False)

    @property
    def ref(self) -> str:
        """The hex SHA-256 of the id, which binds pending logins to the session."""
        return _ref(self.session_id)


class BrowserSessions:
    """Open, read and end browser sessions."""

    def __init__(
        self,
        values: ValueStore,
        secure_cookie: bool,
        clock: Callable[[], float],
        idle_seconds: int = IDLE_SECONDS,
        absolute_seconds: int = ABSOLUTE_SECONDS,
    ) -> None:
        self._values = values
        self._secure = secure_cookie
        self._clock = clock
        self._idle = idle_seconds
        self._absolute = absolute_seconds

    def person(self, request: CookieRequest) -> Person | None:
        """Return the person the request's session is logged in as, or None.

        Raises:
            OAuthStoreError: the value store failed.
        """
        session = self.load(request)
        return None if session is None else session.record.person

    def csrf_token(self, request: CookieRequest) -> str | None:
        """Return the session's CSRF token for forms, or None without a session.

        Raises:
            OAuthStoreError: the value store failed.
        """
        session = self.load(request)
        return None if session is None else session.record.csrf

    def check_csrf(self, request: CookieRequest, token: str | None) -> bool:
        """Tell whether ``token`` is the session's CSRF token, in constant time.

        Raises:
            OAuthStoreError: the value store failed.
        """
        expected = self.csrf_token(request)
        if expected is None or not isinstance(token, str):
            return False
        return hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace"))

    def load(self, request: CookieRequest) -> OpenSession | None:
        """Return the request's live session, moving its idle deadline forward.

        Raises:
            OAuthStoreError: the value store failed.
        """
        session_id = request.cookies.get(COOKIE_NAME)
        if not session_id or len(session_id) > MAX_COOKIE_LENGTH:
            return None
        raw = self._values.get(_store_key(session_id))
        if raw is None:
            return None
        record = _open_record(session_id, raw)
        now = int(self._clock())
        if record is None or not self._alive(record, now):
            self._values.delete(_store_key(session_id))
            return None
        session = OpenSession(session_id, record)
        if now - record.seen_at >= TOUCH_INTERVAL_SECONDS:
            record.seen_at = now
            self.save(session)
        return session

    def load_or_open(self, request: CookieRequest) -> OpenSession:
        """Return the request's session, or a new anonymous one (stored)."""
        session = self.load(request)
        if session is not None:
            return session
        now = int(self._clock())
        session = OpenSession(
            secrets.token_urlsafe(32),
            SessionRecord(created_at=now, seen_at=now, csrf=secrets.token_urlsafe(32)),
            new=True,
        )
        self.save(session)
        return session

    def log_in(
        self,
        previous: OpenSession | None,
        person: Person,
        identity: dict[str, Any] | None,
    ) -> OpenSession:
        """Replace ``previous`` with a new session logged in as ``person``."""
        if previous is not None:
            self._values.delete(_store_key(previous.session_id))
        now = int(self._clock())
        session = OpenSession(
            secrets.token_urlsafe(32),
            SessionRecord(
                created_at=now,
                seen_at=now,
                csrf=secrets.token_urlsafe(32),
                person=person,
                identity=identity,
            ),
            new=True,
        )
        self.save(session)
        return session

    def save(self, session: OpenSession) -> None:
        """Store the session record until its idle or absolute deadline."""
        record = session.record
        now = int(self._clock())
        remaining = min(self._idle, record.created_at + self._absolute - now)
        key = _store_key(session.session_id)
        sealed = _seal_record(session.session_id, record)
        self._values.put(key, sealed, max(1, remaining))

    def end(self, session: OpenSession) -> None:
        self._values.delete(_store_key(session.session_id))

    def cookie(self, session: OpenSession) -> Cookie:
        """Return the cookie that carries the session id."""
        return Cookie(
            key=COOKIE_NAME,
            value=session.session_id,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self._secure,
        )

    def expired_cookie(self) -> Cookie:
        """Return a cookie that makes the browser drop the session id."""
        return Cookie(
            key=COOKIE_NAME,
            value="",
            path="/",
            max_age=0,
            httponly=True,
            samesite="lax",
            secure=self._secure,
        )

    def _alive(self, record: SessionRecord, now: int) -> bool:
        return (
            now - record.seen_at < self._idle
            and now - record.created_at < self._absolute
        )


def _ref(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


def _store_key(session_id: str) -> str:
    return KEY_PREFIX + _ref(session_id)


def _record_key(session_id: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=RECORD_INFO)
    return hkdf.derive(session_id.encode("utf-8", "surrogatepass"))


def _seal_record(session_id: str, record: SessionRecord) -> bytes:
    document = asdict(record)
    plaintext = json.dumps(document, separators=(",", ":")).encode()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_record_key(session_id)).encrypt(
        nonce, plaintext, _store_key(session_id).encode()
    )
    return nonce + sealed


def _open_record(session_id: str, raw: bytes) -> SessionRecord | None:
    """Decrypt a stored record, or return None if it does not open."""
    try:
        plaintext = AESGCM(_record_key(session_id)).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _store_key(session_id).encode()
        )
        document = json.loads(plaintext)
        person = document.get("person")
        return SessionRecord(
            created_at=int(document["created_at"]),
            seen_at=int(document["seen_at"]),
            csrf=str(document["csrf"]),
            person=None if person is None else _person(person),
            identity=document.get("identity"),
        )
    except (InvalidTag, ValueError, KeyError, TypeError):
        return None


def _person(document: dict[str, Any]) -> Person:
    return Person(
        login_subject=str(document["login_subject"]),
        worker_id=document["worker_id"],
        staff=tuple(
            StaffMembership(
                staff_id=str(member["staff_id"]),
                company_id=str(member["company_id"]),
                company_name=str(member["company_name"]),
                roles=tuple(member["roles"]),
            )
            for member in document["staff"]
        ),
        authenticated_at=int(document["authenticated_at"]),
    )
