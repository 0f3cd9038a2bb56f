"""Logging in through the local provider: workers, staff, newcomers, logout."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from ccus.login.registration import parse_form, register_self
from ccus.login.sessions import COOKIE_NAME
from ccus.registry.models import Employment, Staff
from ccus.registry.mynumber import MyNumberError
from ccus.registry.registration import DuplicateWorker
from tests.conftest import FIXED_NOW
from tests.login.browser import Browser, location
from tests.login.conftest import World, as_request, last_login_event, login_events
from tests.login.flows import REQUEST_ID, choose_holder, log_in, open_provider_page

STAFF_PERSONAS = (
    "employer",
    "prime",
    "upper",
    "past_prime",
    "outsider",
    "orderer",
    "consented",
)
REGISTRATION_FORM = {
    "name_kana": "シケン　タロウ",
    "nationality": "JP",
    "postal_code": "100-0013",
    "phone": "090-1234-5678",
    "email": "",
    "emergency_name": "試験　花子",
    "emergency_relationship": "spouse",
    "emergency_address": "東京都千代田区霞が関1丁目1番1号",
    "emergency_phone": "03-1234-5678",
    "health_insurance_kind": "kensetsu_kokuho",
    "health_insurance_status": "enrolled",
    "pension_kind": "kokumin_nenkin",
    "pension_status": "enrolled",
    "employment_insurance_status": "exempt",
    "kentaikyo_member": "on",
}


@pytest.fixture
def browser() -> Iterator[Browser]:
    profile = Browser()
    yield profile
    profile.close()


def test_worker_login_names_worker(login_world: World, browser: Browser) -> None:
    page = log_in(login_world, browser, "worker")
    assert page.status_code == 200
    assert login_world.personas["worker"] in page.text
    person = login_world.services.browser_sessions.person(as_request(browser.cookies))
    assert person is not None
    assert person.worker_id == login_world.personas["worker"]
    assert person.staff == ()
    assert len(person.login_subject) == 64
    event = last_login_event(login_world.services)
    assert event.decision == "allow"
    assert event.worker_id == login_world.personas["worker"]
    assert event.actor_id == person.login_subject
    assert login_world.holders["worker"].name not in str(event.basis)


def test_session_cookie_attributes(login_world: World, browser: Browser) -> None:
    page = open_provider_page(login_world, browser)
    started = browser.http.get(login_world.base_url + "/login")
    assert "set-cookie" not in started.headers
    found = REQUEST_ID.search(page.text)
    assert found is not None
    callback = browser.post(
        login_world.base_url + "/idp/authorize",
        {"request_id": found.group(1), "sub": login_world.holders["worker"].sub},
    )
    assert callback.status_code == 303
    response = browser.get(location(callback))
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_staff_login_acts_for_company(
    login_world: World, browser: Browser, persona: str
) -> None:
    log_in(login_world, browser, persona)
    person = login_world.services.browser_sessions.person(as_request(browser.cookies))
    assert person is not None
    with login_world.services.session() as session:
        row = session.get(Staff, login_world.personas[persona])
        assert row is not None
        company_id, roles = row.company_id, tuple(row.roles)
    assert [member.staff_id for member in person.staff] == [
        login_world.personas[persona]
    ]
    assert person.staff[0].company_id == company_id
    assert person.staff[0].roles == roles
    assert person.staff[0].company_name
    assert person.worker_id is None
    event = last_login_event(login_world.services)
    assert event.basis == [{"kind": "staff", "ref": login_world.personas[persona]}]


def test_login_replaces_session_id(login_world: World, browser: Browser) -> None:
    open_provider_page(login_world, browser)
    before = browser.cookie(COOKIE_NAME)
    assert before is not None
    page = open_provider_page(login_world, browser)
    assert browser.cookie(COOKIE_NAME) == before
    choose_holder(login_world, browser, page, "worker")
    after = browser.cookie(COOKIE_NAME)
    assert after is not None
    assert after != before
    planted = login_world.services.browser_sessions.person(
        as_request({COOKIE_NAME: before})
    )
    assert planted is None


@pytest.mark.parametrize(
    ("return_to", "expected"),
    [
        ("/workers/me", "/workers/me"),
        (
            "/oauth/authorize?client_id=a&state=b",
            "/oauth/authorize?client_id=a&state=b",
        ),
        ("//evil.example/path", "/login/session"),
        ("/\\evil.example", "/login/session"),
        ("https://evil.example/", "/login/session"),
        ("javascript:alert(1)", "/login/session"),
        ("relative/path", "/login/session"),
        ("/path\r\nSet-Cookie: x=1", "/login/session"),
        (
            "/account/clients?名前=山田",
            "/account/clients?%E5%90%8D%E5%89%8D=%E5%B1%B1%E7%94%B0",
        ),
        (
            "/oauth/authorize?state=" + "s" * 4000,
            "/oauth/authorize?state=" + "s" * 4000,
        ),
    ],
    ids=lambda value: value[:40],
)
def test_return_to_only_same_origin_paths(
    login_world: World, browser: Browser, return_to: str, expected: str
) -> None:
    page = open_provider_page(login_world, browser, return_to)
    found = REQUEST_ID.search(page.text)
    assert found is not None
    callback = browser.post(
        login_world.base_url + "/idp/authorize",
        {"request_id": found.group(1), "sub": login_world.holders["worker"].sub},
    )
    assert "/login/callback?" in location(callback)
    finished = browser.get(location(callback))
    assert finished.status_code == 303
    assert finished.headers["location"] == expected


def test_logout_needs_csrf_token(login_world: World, browser: Browser) -> None:
    log_in(login_world, browser, "worker")
    sessions = login_world.services.browser_sessions
    token = sessions.csrf_token(as_request(browser.cookies))
    assert token is not None
    refused = browser.post(login_world.base_url + "/logout", {"csrf_token": "forged"})
    assert refused.status_code == 403
    assert refused.headers["cache-control"] == "no-store"
    assert sessions.person(as_request(browser.cookies)) is not None
    assert login_events(login_world.services)[-1].action == "logout"
    assert login_events(login_world.services)[-1].decision == "deny"
    done = browser.post(login_world.base_url + "/logout", {"csrf_token": token})
    assert done.status_code == 303
    assert done.headers["location"] == "/login/session"
    assert browser.cookie(COOKIE_NAME) is None
    assert sessions.person(as_request({COOKIE_NAME: "x" * 43})) is None
    event = login_events(login_world.services)[-1]
    assert (event.action, event.decision) == ("logout", "allow")


def test_session_interface_without_session(login_world: World) -> None:
    sessions = login_world.services.browser_sessions
    assert sessions.person(as_request({})) is None
    assert sessions.csrf_token(as_request({})) is None
    assert sessions.check_csrf(as_request({}), "anything") is False
    assert sessions.check_csrf(as_request({COOKIE_NAME: "unknown"}), None) is False


def test_check_csrf_compares_token(login_world: World, browser: Browser) -> None:
    log_in(login_world, browser, "prime")
    sessions = login_world.services.browser_sessions
    request = as_request(browser.cookies)
    token = sessions.csrf_token(request)
    assert token is not None
    assert sessions.check_csrf(request, token) is True
    assert sessions.check_csrf(request, token[:-1]) is False
    assert sessions.check_csrf(request, None) is False


def test_newcomer_registers_and_links(login_world: World, browser: Browser) -> None:
    holder = login_world.holders["newcomer"]
    page = log_in(login_world, browser, "newcomer")
    assert str(page.request.url).endswith("/login/registration")
    assert holder.name in page.text
    assert holder.birthdate in page.text
    sessions = login_world.services.browser_sessions
    request = as_request(browser.cookies)
    person = sessions.person(request)
    assert person is not None
    assert person.worker_id is None
    token = sessions.csrf_token(request)
    assert token is not None

    forged = browser.post(
        login_world.base_url + "/login/registration", REGISTRATION_FORM
    )
    assert forged.status_code == 403
    event = login_events(login_world.services)[-1]
    assert (event.action, event.decision) == ("register_worker", "deny")
    assert event.basis == [{"kind": "failure", "ref": "csrf_mismatch"}]

    invalid = browser.post(
        login_world.base_url + "/login/registration",
        {**REGISTRATION_FORM, "postal_code": "1", "csrf_token": token},
    )
    assert invalid.status_code == 422
    assert "postal_code is invalid" in invalid.text

    done = browser.post(
        login_world.base_url + "/login/registration",
        {**REGISTRATION_FORM, "csrf_token": token},
    )
    assert done.status_code == 303
    person = sessions.person(as_request(browser.cookies))
    assert person is not None
    worker_id = person.worker_id
    assert worker_id is not None
    with login_world.services.session() as session:
        identity = dict(login_world.services.indexer.identities(session, [worker_id]))[
            worker_id
        ]
        employments = session.scalars(
            select(Employment).where(Employment.worker_id == worker_id)
        ).all()
    assert identity.name == holder.name
    assert identity.birth_date.isoformat() == holder.birthdate
    assert identity.name_kana == REGISTRATION_FORM["name_kana"]
    assert employments == []
    registered = [
        e for e in login_events(login_world.services) if e.action == "register_worker"
    ]
    assert registered[-1].decision == "allow"
    assert registered[-1].worker_id == worker_id

    again = Browser()
    try:
        log_in(login_world, again, "newcomer")
        relinked = sessions.person(as_request(again.cookies))
    finally:
        again.close()
    assert relinked is not None
    assert relinked.worker_id == worker_id
    assert relinked.login_subject == person.login_subject


def test_register_self_rejects_duplicates(login_world: World) -> None:
    services = login_world.services
    worker_id = login_world.personas["worker"]
    with services.session() as session:
        registered = dict(services.indexer.identities(session, [worker_id]))[worker_id]
        form = parse_form({**REGISTRATION_FORM, "name_kana": registered.name_kana})
        variant = {
            "name": registered.name + "子",
            "birth_date": registered.birth_date.isoformat(),
            "gender": "male",
            "address": "東京都千代田区霞が関1丁目1番1号",
        }
        with pytest.raises(DuplicateWorker):
            register_self(
                session, services.vault, services.indexer, variant, form, FIXED_NOW
            )
        session.rollback()


def test_register_self_rejects_individual_number(login_world: World) -> None:
    services = login_world.services
    form = parse_form({**REGISTRATION_FORM, "phone": "123456789018"})
    identity = {
        "name": "番号　入力",
        "birth_date": "1988-08-08",
        "gender": "female",
        "address": "東京都千代田区霞が関1丁目1番1号",
    }
    with services.session() as session:
        with pytest.raises(MyNumberError) as raised:
            register_self(
                session, services.vault, services.indexer, identity, form, FIXED_NOW
            )
        session.rollback()
    assert raised.value.path == "$.contact.phone"
    assert "123456789018" not in str(raised.value)
