"""HTTP contract: the status and field groups of every persona at every endpoint.

Each case sends one request as one persona over HTTP. It checks the status
and, where personal data comes back, exactly which field groups the body
contains. The expected values are the hand-written table in
``tests.e2e.contract_table``. The table's ``setting`` field chooses where a
case runs: on the shared demo server, on a scratch data set of this module,
or on a database of its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import select

from ccus.app import ROUTES
from ccus.auth.actors import Actor, StaffActor
from ccus.consent.models import Consent
from ccus.crypto.keyring import create_local_keyring
from ccus.db.migrate import upgrade
from ccus.demo.dataset import Dataset
from ccus.demo.load import load_dataset
from ccus.demo.personas import DEMO_CLIENT
from ccus.demo.personas import PERSONAS as DEMO_PERSONAS
from ccus.registry.models import Staff
from ccus.registry.registration import WorkerRegistration, register_worker
from ccus.services import Services, build_services
from tests.conftest import (
    EVERY_SCOPE,
    FIXED_NOW,
    LiveServer,
    _drop_postgres_database,
    _new_postgres_database,
    fixed_clock,
    postgres_admin_url,
    settings_for,
)
from tests.e2e.contract_table import (
    BROWSER_PATHS,
    CONTRACT,
    FRESH,
    GET_ACCESS_LOG,
    GET_AUDIT_ALERTS,
    GET_AUDIT_CSV,
    GET_AUDIT_EVENTS,
    GET_CONSENT,
    GET_CONSENTED_WORKERS,
    GET_CONSENTS,
    GET_HEALTH,
    GET_JWKS,
    GET_LOGIN_JWKS,
    GET_OAUTH_METADATA,
    GET_OWN_RECORD,
    GET_RECEIPT,
    GET_ROSTER,
    GET_SUMMARY,
    GET_WORKER,
    GET_WORKER_ACCESS,
    GET_WORKERS,
    OAUTH_POSTS,
    PERSONAS,
    POST_CLIENTS,
    POST_CONSENTS,
    POST_DECISION,
    POST_ERASURE,
    POST_OAUTH_TOKEN,
    POST_REVOCATION,
    POST_ROSTER,
    POST_TOUCHES,
    POST_WORKERS,
    SCRATCH,
    SHARED,
    WRITING_ENDPOINTS,
    Endpoint,
    Expect,
)
from tests.e2e.helpers import actor_of, assert_problem, personas
from tests.keys.conftest import Registry, registry, small_dataset

# The fixtures of the fresh and scratch cases, exported for pytest to find.
__all__ = ["registry", "small_dataset"]

TODAY = date(2026, 11, 30)  # FIXED_NOW in JST
# Each registered worker gets its own birth date, so that no registration
# is a duplicate (same katakana name and birth date) of an earlier one.
BIRTH_DAYS = itertools.count()
TOUCH_NUMBERS = itertools.count(1)

# Small pages keep the audit rows that each listing writes few.
QUERIES: dict[Endpoint, dict[str, str | int]] = {
    GET_WORKERS: {"limit": 2},
    GET_ROSTER: {"limit": 2},
    GET_SUMMARY: {"from": "2026-11-23", "to": "2026-11-29"},
    GET_AUDIT_EVENTS: {"limit": 1},
    GET_AUDIT_CSV: {"limit": 1},
    GET_AUDIT_ALERTS: {"limit": 1},
    GET_ACCESS_LOG: {"limit": 1},
    GET_CONSENTS: {"limit": 200},
}
ROSTER_ITEM_KEYS = {
    "entry_id",
    "worker_id",
    "company_id",
    "trade",
    "position",
    "entry_date",
    "induction_date",
    "name",
    "name_kana",
    "birth_date",
    "age",
    "hire_date",
    "years_of_experience",
    "address",
    "phone",
    "emergency_contact",
    "health",
    "insurance",
    "qualifications",
}
# The endpoints whose body can hold the target worker's field groups.
DISCLOSING_ENDPOINTS = frozenset(
    {
        GET_OWN_RECORD,
        GET_WORKER,
        GET_WORKER_ACCESS,
        GET_WORKERS,
        GET_ROSTER,
        GET_CONSENTED_WORKERS,
    }
)


@dataclass(frozen=True)
class Targets:
    """The ids that fill a case's path and body."""

    worker_id: str  # the target worker
    site_id: str  # the live site
    past_site_id: str  # the ended site, where the target worked before
    company_id: str  # the target worker's employer
    consent_id: int  # the demo consent
    outsider_company_id: str  # recipient of a worker's offer and of new consents
    roster_worker_id: str  # the worker a roster registration names


@dataclass(frozen=True)
class World:
    """A served data set with the actor of each persona and the case's ids."""

    server: LiveServer
    http: httpx.Client
    targets: Targets
    actors: dict[str, Actor | None]

    @property
    def services(self) -> Services:
        return self.server.services


@dataclass(frozen=True)
class Context:
    """The persona and ids of the case whose response is checked."""

    persona: str
    targets: Targets


@dataclass(frozen=True)
class Call:
    """One HTTP request of a case."""

    method: str
    path: str
    params: dict[str, str | int]
    json: Any = None
    form: dict[str, str] | None = None


def employer_staff(services: Services, company_id: str, role: str) -> StaffActor:
    """Build a staff member of ``company_id`` with ``role`` and no other role.

    The member is the company's first staff row with that role, else its
    first row, because the demo gives second-tier companies no site manager.
    """
    with services.session() as session:
        rows = session.scalars(
            select(Staff).where(Staff.company_id == company_id).order_by(Staff.staff_id)
        ).all()
    assert rows, f"company {company_id} has no staff"
    member = next((row for row in rows if role in row.roles), rows[0])
    return StaffActor(
        subject=member.staff_id,
        client_id=DEMO_CLIENT,
        company_id=company_id,
        roles=(role,),
    )


def demo_consent_id(services: Services, worker_id: str, company_id: str) -> int:
    with services.session() as session:
        consent_id = session.scalar(
            select(Consent.id)
            .where(
                Consent.worker_id == worker_id,
                Consent.recipient_company_id == company_id,
            )
            .order_by(Consent.id)
            .limit(1)
        )
    assert consent_id is not None, "the demo consent is missing"
    return int(consent_id)


def build_world(server: LiveServer, http: httpx.Client) -> World:
    services = server.services
    names = personas(services)
    actors: dict[str, Actor | None] = {
        name: actor_of(services, name) for name in DEMO_PERSONAS
    }
    employer = actors["employer"]
    consented = actors["consented"]
    outsider = actors["outsider"]
    assert employer is not None and employer.company_id is not None
    assert consented is not None and consented.company_id is not None
    assert outsider is not None and outsider.company_id is not None
    actors["employer_clerk"] = employer_staff(services, employer.company_id, "clerk")
    actors["employer_site_manager"] = employer_staff(
        services, employer.company_id, "site_manager"
    )
    actors["anonymous"] = None
    targets = Targets(
        worker_id=names["worker"],
        site_id=names["site_id"],
        past_site_id=names["past_site_id"],
        company_id=employer.company_id,
        consent_id=demo_consent_id(services, names["worker"], consented.company_id),
        outsider_company_id=outsider.company_id,
        roster_worker_id=names["worker"],
    )
    return World(server, http, targets, actors)


def registration_body() -> dict[str, Any]:
    """Return a new worker's registration with a birth date not used before."""
    birth_date = date(1980, 1, 1) + timedelta(days=next(BIRTH_DAYS))
    return {
        "identity": {
            "name": "契約　試験",
            "name_kana": "ケイヤク　シケン",
            "birth_date": birth_date.isoformat(),
            "gender": "female",
            "nationality": "JP",
            "photo": None,
        },
        "contact": {
            "postal_code": "135-0061",
            "address": "東京都江東区豊洲3丁目2番20号",
            "phone": "090-1234-0000",
            "email": None,
        },
        "emergency_contact": {
            "name": "契約　花子",
            "relationship": "母",
            "address": "東京都江東区豊洲3丁目2番20号",
            "phone": "080-1234-0000",
        },
        "insurance": {
            "health_insurance_kind": "kyokai_kenpo",
            "health_insurance_status": "enrolled",
            "pension_kind": "kosei_nenkin",
            "pension_status": "enrolled",
            "employment_insurance_status": "enrolled",
            "employment_insurance_number_last4": "4321",
            "kentaikyo_member": False,
            "kentaikyo_member_number": None,
            "chutaikyo_member": False,
        },
        "health": {
            "last_checkup_date": "2026-04-01",
            "blood_pressure_systolic": 118,
            "blood_pressure_diastolic": 76,
            "blood_type": "O",
            "special_checkup_date": None,
            "special_checkup_kind": None,
        },
        "qualifications": [],
        "career": {"trades": [], "awards": []},
        "hire_date": "2026-10-01",
    }


def request_body(
    endpoint: Endpoint, persona: str, targets: Targets
) -> dict[str, Any] | None:
    """Return the JSON body a case sends, valid so that only the caller decides."""
    if endpoint == POST_WORKERS:
        return registration_body()
    if endpoint == POST_ROSTER:
        return {
            "worker_id": targets.roster_worker_id,
            "company_id": targets.company_id,
            "trade": "rebar",
            "position": None,
            "entry_date": TODAY.isoformat(),
            "induction_date": TODAY.isoformat(),
        }
    if endpoint == POST_TOUCHES:
        touch = {
            "touch_id": f"contract-{next(TOUCH_NUMBERS):06d}",
            "worker_id": targets.worker_id,
            "touched_at": "2026-11-30T07:55:00+09:00",
            "direction": "in",
        }
        return {"touches": [touch]}
    if endpoint == POST_CONSENTS:
        consent = {
            "groups": ["career"],
            "purpose": "skills_check",
            "expires_at": (FIXED_NOW + timedelta(days=30)).isoformat(),
        }
        if persona == "worker":
            return {**consent, "recipient_company_id": targets.outsider_company_id}
        return {**consent, "worker_id": targets.worker_id}
    if endpoint == POST_DECISION:
        return {"decision": "approve"}
    if endpoint == POST_CLIENTS:
        return {"client_name": "contract case", "acts_as": "regulator"}
    return None


def request_form(endpoint: Endpoint, token: str | None) -> dict[str, str] | None:
    """Return the OAuth form a case sends.

    Revocation and introspection name the persona's own access token.
    """
    if endpoint == POST_OAUTH_TOKEN:
        return {"grant_type": "client_credentials"}
    if endpoint in OAUTH_POSTS:
        return {"token": token or "not-a-token"}
    return None


def build_call(
    endpoint: Endpoint, persona: str, targets: Targets, token: str | None
) -> Call:
    path = endpoint.path.format(
        worker_id=targets.worker_id,
        site_id=targets.site_id,
        company_id=targets.company_id,
        consent_id=targets.consent_id,
        client_id="unregistered-client",
    )
    return Call(
        method=endpoint.method,
        path=path,
        params=QUERIES.get(endpoint, {}),
        json=request_body(endpoint, persona, targets),
        form=request_form(endpoint, token),
    )


def send(
    world: World,
    persona: str,
    endpoint: Endpoint,
    scopes: frozenset[str] = EVERY_SCOPE,
) -> httpx.Response:
    """Send a case's request as ``persona`` with a token holding ``scopes``.

    The table records what the policies decide, so its tokens carry every
    scope by default. A demo token has only its kind's scopes, and
    tests/scopes checks where that turns the table's status into 403.
    """
    actor = world.actors[persona]
    headers: dict[str, str] = {}
    token = None
    if actor is not None:
        token = world.services.tokens.issue(replace(actor, scopes=scopes))
        headers["Authorization"] = f"Bearer {token}"
    call = build_call(endpoint, persona, world.targets, token)
    return world.http.request(
        call.method,
        call.path,
        params=call.params,
        json=call.json,
        data=call.form,
        headers=headers,
    )


def new_employee(services: Services, company_id: str) -> str:
    """Register a worker employed by ``company_id`` and on no roster."""
    registration = msgspec.convert(registration_body(), WorkerRegistration)
    with services.session() as session:
        worker_id = register_worker(
            session,
            services.vault,
            services.indexer,
            company_id,
            registration,
            FIXED_NOW,
        )
        session.commit()
    return worker_id


def new_pending_consent(world: World) -> int:
    """Store the outsider's request for the target's career, undecided by both."""
    targets = world.targets
    outsider = world.actors["outsider"]
    assert outsider is not None
    consent = Consent(
        worker_id=targets.worker_id,
        employer_company_id=targets.company_id,
        recipient_company_id=targets.outsider_company_id,
        groups=["career"],
        purpose="skills_check",
        expires_at=FIXED_NOW + timedelta(days=30),
        requested_at=FIXED_NOW,
        requested_by_kind="staff",
        requested_by=outsider.subject,
    )
    with world.services.session() as session:
        session.add(consent)
        session.commit()
        return int(consent.id)


def prepare(world: World, endpoint: Endpoint) -> World:
    """Create what a case changes, and return the world that names it.

    A roster registration gets a new worker of the target's employer, and
    a decision or revocation a new pending consent, so that cases on one
    data set do not depend on each other's order.
    """
    targets = world.targets
    if endpoint == POST_ROSTER:
        worker_id = new_employee(world.services, targets.company_id)
        targets = replace(targets, roster_worker_id=worker_id)
    elif endpoint in (POST_DECISION, POST_REVOCATION):
        targets = replace(targets, consent_id=new_pending_consent(world))
    return replace(world, targets=targets)


# Checks of a successful body, one per endpoint that has one.


def check_record(response: httpx.Response, expect: Expect, context: Context) -> None:
    body = response.json()
    names = [group.partition(":")[0] for group in expect.groups]
    assert body["worker_id"] == context.targets.worker_id
    assert body["field_groups"] == names
    assert set(body) == {"worker_id", "field_groups", *names}
    if "history" in names:
        scope = expect.groups[names.index("history")].partition(":")[2]
        check_history(body["history"], scope, context.targets)


def check_history(history: list[dict[str, Any]], scope: str, targets: Targets) -> None:
    """Check the work history rows against the scope of the caller's access.

    The target worker worked on the ended site too, where the live site's
    prime contractor and upper tier were above none of its employers, so
    only the whole history contains days there.
    """
    assert history, "the target worker has work history"
    sites = {record["site_id"] for record in history}
    employers = {record["employer_id"] for record in history}
    if scope == "":
        assert targets.past_site_id in sites
    elif scope == "own_employment":
        assert employers == {targets.company_id}
    elif scope == "own_sites":
        assert targets.past_site_id not in sites
    else:
        raise AssertionError(f"unknown history scope {scope!r}")


def check_access(response: httpx.Response, expect: Expect, context: Context) -> None:
    body = response.json()
    assert body["worker_id"] == context.targets.worker_id
    listed = [
        item["group"] if item["scope"] is None else f"{item['group']}:{item['scope']}"
        for item in body["groups"]
    ]
    assert listed == list(expect.groups)


def check_directory(response: httpx.Response, expect: Expect, context: Context) -> None:
    for item in response.json()["items"]:
        assert set(item) == {"worker_id", *expect.groups}


def check_roster(response: httpx.Response, expect: Expect, context: Context) -> None:
    assert expect.groups == ("roster",)
    items = response.json()["items"]
    assert items, "the caller's subtree has workers on the live roster"
    for item in items:
        assert set(item) == ROSTER_ITEM_KEYS


def check_consented(response: httpx.Response, expect: Expect, context: Context) -> None:
    items = {item["worker_id"]: item for item in response.json()["items"]}
    for item in items.values():
        assert set(item) == {"worker_id", "field_groups", *item["field_groups"]}
    target = items.get(context.targets.worker_id)
    if expect.groups:
        assert target is not None, "the target worker is not listed"
        assert target["field_groups"] == list(expect.groups)
    else:
        assert target is None, "the target worker is listed"


def check_consent_list(
    response: httpx.Response, expect: Expect, context: Context
) -> None:
    listed = [item["consent_id"] for item in response.json()["items"]]
    found = context.targets.consent_id in listed
    assert found == expect.listed, f"demo consent listed: {found}"


def check_consent(response: httpx.Response, expect: Expect, context: Context) -> None:
    assert response.json()["consent_id"] == context.targets.consent_id


def check_receipt(response: httpx.Response, expect: Expect, context: Context) -> None:
    body = response.json()
    assert body["consent_id"] == context.targets.consent_id
    assert body["receipt"].count(".") == 2, "the receipt is a compact JWS"


def check_summary(response: httpx.Response, expect: Expect, context: Context) -> None:
    assert context.targets.worker_id not in response.text


def check_csv(response: httpx.Response, expect: Expect, context: Context) -> None:
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.startswith("id,")


def check_page(response: httpx.Response, expect: Expect, context: Context) -> None:
    assert set(response.json()) == {"items", "next_cursor"}


def check_health(response: httpx.Response, expect: Expect, context: Context) -> None:
    assert response.json() == {"status": "ok"}


def check_jwks(response: httpx.Response, expect: Expect, context: Context) -> None:
    assert response.json()["keys"]


def check_metadata(response: httpx.Response, expect: Expect, context: Context) -> None:
    assert response.json()["token_endpoint"].endswith("/oauth/token")


def check_erasure(response: httpx.Response, expect: Expect, context: Context) -> None:
    assert response.json()["worker_id"] == context.targets.worker_id


def check_registered(
    response: httpx.Response, expect: Expect, context: Context
) -> None:
    assert set(response.json()) == {"worker_id"}


def check_roster_entry(
    response: httpx.Response, expect: Expect, context: Context
) -> None:
    assert set(response.json()) == {"entry_id"}


def check_touches(response: httpx.Response, expect: Expect, context: Context) -> None:
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}


def check_new_consent(
    response: httpx.Response, expect: Expect, context: Context
) -> None:
    body = response.json()
    assert body["worker_id"] == context.targets.worker_id
    assert body["status"] == "pending"


def check_decision(response: httpx.Response, expect: Expect, context: Context) -> None:
    body = response.json()
    side = "worker" if context.persona == "worker" else "employer"
    assert body["consent_id"] == context.targets.consent_id
    assert body[f"{side}_decision"] == "approved"
    assert body["status"] == "pending", "the other side has not approved yet"


def check_revocation(
    response: httpx.Response, expect: Expect, context: Context
) -> None:
    body = response.json()
    side = "worker" if context.persona == "worker" else "employer"
    assert body["consent_id"] == context.targets.consent_id
    assert body["status"] == "revoked"
    assert body["revoked_by"] == side


BodyCheck = Callable[[httpx.Response, Expect, Context], None]
BODY_CHECKS: dict[Endpoint, BodyCheck] = {
    GET_HEALTH: check_health,
    GET_JWKS: check_jwks,
    GET_LOGIN_JWKS: check_jwks,
    GET_OAUTH_METADATA: check_metadata,
    GET_OWN_RECORD: check_record,
    GET_WORKER: check_record,
    GET_WORKER_ACCESS: check_access,
    POST_ERASURE: check_erasure,
    POST_WORKERS: check_registered,
    GET_WORKERS: check_directory,
    GET_ROSTER: check_roster,
    POST_ROSTER: check_roster_entry,
    GET_SUMMARY: check_summary,
    POST_TOUCHES: check_touches,
    GET_AUDIT_EVENTS: check_page,
    GET_AUDIT_CSV: check_csv,
    GET_AUDIT_ALERTS: check_page,
    GET_ACCESS_LOG: check_page,
    GET_CONSENTED_WORKERS: check_consented,
    POST_CONSENTS: check_new_consent,
    GET_CONSENTS: check_consent_list,
    GET_CONSENT: check_consent,
    POST_DECISION: check_decision,
    POST_REVOCATION: check_revocation,
    GET_RECEIPT: check_receipt,
}


def check_response(
    response: httpx.Response, endpoint: Endpoint, expect: Expect, context: Context
) -> None:
    assert response.status_code == expect.status, response.text
    if endpoint in OAUTH_POSTS:
        assert response.json()["error"] == "invalid_client"
        return
    if expect.status >= 400:
        assert_problem(response, expect.status)
        return
    body_check = BODY_CHECKS.get(endpoint)
    if body_check is not None:
        body_check(response, expect, context)


def run_case(world: World, persona: str, endpoint: Endpoint, expect: Expect) -> None:
    response = send(world, persona, endpoint)
    check_response(response, endpoint, expect, Context(persona, world.targets))


def cases(setting: str) -> list[Any]:
    """Return the table's cases that run in ``setting``, named persona-endpoint."""
    params = []
    for endpoint, row in CONTRACT.items():
        for persona, expect in row.items():
            if expect.setting != setting:
                continue
            marks = []
            if expect.known_issue is not None:
                marks.append(pytest.mark.xfail(strict=True, reason=expect.known_issue))
            params.append(
                pytest.param(
                    persona, endpoint, expect, id=f"{persona}-{endpoint}", marks=marks
                )
            )
    return params


@contextmanager
def served_registry(kind: str, folder: Path, dataset: Dataset) -> Iterator[LiveServer]:
    """Serve ``dataset`` from a new database of ``kind`` with its own keys."""
    keys_dir = folder / "keys"
    create_local_keyring(keys_dir)
    dropped: tuple[str, str] | None = None
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'ccus.sqlite3'}"
    else:
        admin_url = postgres_admin_url()
        if not admin_url:
            pytest.skip("CCUS_TEST_POSTGRES_URL is not set")
        name, url = _new_postgres_database(admin_url)
        dropped = (admin_url, name)
    upgrade(url)
    services = build_services(settings_for(url, keys_dir), fixed_clock)
    with services.session() as session:
        load_dataset(
            session, dataset, services.vault, FIXED_NOW, indexer=services.indexer
        )
    live = LiveServer(services)
    live.start()
    try:
        yield live
    finally:
        live.stop()
        services.sessions.kw["bind"].dispose()
        if dropped:
            _drop_postgres_database(*dropped)


@pytest.fixture(scope="module")
def shared_world(server: LiveServer) -> Iterator[World]:
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        yield build_world(server, http)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def scratch_world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    small_dataset: Dataset,
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("contract")
    with (
        served_registry(request.param, folder, small_dataset) as live,
        httpx.Client(base_url=live.base_url, timeout=30) as http,
    ):
        yield build_world(live, http)


@pytest.fixture
def fresh_world(registry: Registry) -> Iterator[World]:
    live = LiveServer(registry.services)
    live.start()
    with httpx.Client(base_url=live.base_url, timeout=30) as http:
        yield build_world(live, http)
    live.stop()


def test_table_lists_every_route() -> None:
    routes = {
        Endpoint(str(method), path.replace(":str}", "}").replace(":int}", "}"))
        for handler in ROUTES
        for path in handler.paths
        for method in handler.http_methods
        if path not in BROWSER_PATHS
    }
    assert routes - set(CONTRACT) == set(), "routes without a contract row"
    assert set(CONTRACT) - routes == set(), "contract rows without a route"


@pytest.mark.parametrize("endpoint", list(CONTRACT), ids=str)
def test_table_row_names_every_persona(endpoint: Endpoint) -> None:
    assert set(DEMO_PERSONAS) <= set(PERSONAS)
    assert list(CONTRACT[endpoint]) == list(PERSONAS)


def test_table_groups_only_where_disclosed() -> None:
    for endpoint, row in CONTRACT.items():
        for persona, expect in row.items():
            if endpoint not in DISCLOSING_ENDPOINTS:
                assert expect.groups == (), f"{persona}-{endpoint}"
            if endpoint != GET_CONSENTS:
                assert not expect.listed, f"{persona}-{endpoint}"


def test_table_keeps_shared_data() -> None:
    for endpoint in WRITING_ENDPOINTS:
        for persona, expect in CONTRACT[endpoint].items():
            if expect.status < 300:
                assert expect.setting != SHARED, f"{persona}-{endpoint}"


@pytest.mark.parametrize(("persona", "endpoint", "expect"), cases(SHARED))
def test_contract_on_demo_data(
    shared_world: World, persona: str, endpoint: Endpoint, expect: Expect
) -> None:
    run_case(shared_world, persona, endpoint, expect)


@pytest.mark.parametrize(("persona", "endpoint", "expect"), cases(SCRATCH))
def test_contract_on_scratch_data(
    scratch_world: World, persona: str, endpoint: Endpoint, expect: Expect
) -> None:
    run_case(prepare(scratch_world, endpoint), persona, endpoint, expect)


@pytest.mark.parametrize(("persona", "endpoint", "expect"), cases(FRESH))
def test_contract_on_fresh_data(
    fresh_world: World, persona: str, endpoint: Endpoint, expect: Expect
) -> None:
    run_case(prepare(fresh_world, endpoint), persona, endpoint, expect)
