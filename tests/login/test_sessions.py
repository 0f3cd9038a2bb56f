"""Browser sessions: lifetimes, sealed records, and the session interface."""

from __future__ import annotations

from ccus.login.sessions import (
    COOKIE_NAME,
    KEY_PREFIX,
    BrowserSessions,
    OpenSession,
    Person,
    StaffMembership,
)
from ccus.login.store import MemoryValues
from tests.login.conftest import as_request

PERSON = Person(
    login_subject="a" * 64,
    worker_id="06721840783962",
    staff=(
        StaffMembership(
            "12345678901234", "22222222222222", "株式会社試験", ("administrator",)
        ),
    ),
    authenticated_at=1_000_000,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class RecordingValues(MemoryValues):
    """Memory values that keep what was stored, to look at the raw bytes."""

    def __init__(self) -> None:
        super().__init__()
        self.stored: dict[str, bytes] = {}

    def put(self, key: str, value: bytes, ttl_seconds: int) -> None:
        self.stored[key] = value
        super().put(key, value, ttl_seconds)


def logged_in(sessions: BrowserSessions) -> OpenSession:
    return sessions.log_in(
        None, PERSON, {"name": "試験　太郎", "birth_date": "1990-01-02"}
    )


def test_person_round_trips() -> None:
    sessions = BrowserSessions(MemoryValues(), secure_cookie=False, clock=Clock())
    session = logged_in(sessions)
    request = as_request({COOKIE_NAME: session.session_id})
    assert sessions.person(request) == PERSON
    assert sessions.csrf_token(request) == session.record.csrf


def test_idle_lifetime_ends_session() -> None:
    clock = Clock()
    sessions = BrowserSessions(
        MemoryValues(),
        secure_cookie=False,
        clock=clock,
        idle_seconds=600,
        absolute_seconds=3600,
    )
    request = as_request({COOKIE_NAME: logged_in(sessions).session_id})
    clock.now += 590
    assert sessions.person(request) == PERSON
    clock.now += 590
    assert sessions.person(request) == PERSON
    clock.now += 600
    assert sessions.person(request) is None


def test_absolute_lifetime_ends_active_session() -> None:
    clock = Clock()
    sessions = BrowserSessions(
        MemoryValues(),
        secure_cookie=False,
        clock=clock,
        idle_seconds=600,
        absolute_seconds=3600,
    )
    request = as_request({COOKIE_NAME: logged_in(sessions).session_id})
    for _ in range(6):
        clock.now += 550
        assert sessions.person(request) == PERSON
    clock.now += 550
    assert sessions.person(request) is None


def test_stored_record_is_sealed() -> None:
    values = RecordingValues()
    sessions = BrowserSessions(values, secure_cookie=False, clock=Clock())
    session = logged_in(sessions)
    [(key, raw)] = values.stored.items()
    assert key.startswith(KEY_PREFIX)
    assert session.session_id not in key
    assert PERSON.worker_id is not None
    assert PERSON.worker_id.encode() not in raw
    assert PERSON.login_subject.encode() not in raw
    assert "試験".encode() not in raw


def test_other_session_id_opens_nothing() -> None:
    values = RecordingValues()
    sessions = BrowserSessions(values, secure_cookie=False, clock=Clock())
    session = logged_in(sessions)
    [(key, raw)] = values.stored.items()
    forged = "B" * len(session.session_id)
    values.put(KEY_PREFIX + OpenSession(forged, session.record).ref, raw, 60)
    assert sessions.person(as_request({COOKIE_NAME: forged})) is None


def test_log_in_drops_previous_session() -> None:
    sessions = BrowserSessions(MemoryValues(), secure_cookie=False, clock=Clock())
    anonymous = sessions.load_or_open(as_request({}))
    assert anonymous.new
    assert sessions.person(as_request({COOKIE_NAME: anonymous.session_id})) is None
    assert (
        sessions.csrf_token(as_request({COOKIE_NAME: anonymous.session_id})) is not None
    )
    replaced = sessions.log_in(anonymous, PERSON, None)
    assert replaced.session_id != anonymous.session_id
    assert sessions.csrf_token(as_request({COOKIE_NAME: anonymous.session_id})) is None


def test_cookie_is_secure_for_https() -> None:
    secure = BrowserSessions(MemoryValues(), secure_cookie=True, clock=Clock())
    plain = BrowserSessions(MemoryValues(), secure_cookie=False, clock=Clock())
    session = logged_in(secure)
    assert secure.cookie(session).secure is True
    assert plain.cookie(session).secure is False
    assert secure.cookie(session).httponly is True
    assert secure.cookie(session).samesite == "lax"
    assert secure.expired_cookie().max_age == 0
