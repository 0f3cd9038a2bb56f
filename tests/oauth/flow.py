"""A browser and a client for people, driving the authorization code flow."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from ccus.auth.actors import StaffActor, WorkerActor
from ccus.login.sessions import COOKIE_NAME, Person, StaffMembership
from ccus.oauth.clients import ClientSpec, RegisteredClient, register_client
from ccus.registry.models import Company
from ccus.services import Services
from tests.conftest import FIXED_NOW, LiveServer
from tests.e2e.helpers import actor_of
from tests.oauth.helpers import basic_auth

REDIRECT_URI = "https://app.example.jp/callback"


@dataclass(frozen=True, slots=True)
class PeopleClient:
    client: RegisteredClient
    secret: str | None

    @property
    def client_id(self) -> str:
        return self.client.client_id

    def auth(self) -> dict[str, str]:
        if self.secret is None:
            return {}
        return basic_auth(self.client_id, self.secret)


def register_people_client(
    services: Services,
    auth_method: str = "client_secret_basic",
    scopes: tuple[str, ...] | None = None,
    redirect_uris: tuple[str, ...] = (REDIRECT_URI,),
    refresh_tokens: bool = True,
) -> PeopleClient:
    spec = ClientSpec(
        name="Genba Daicho Cloud",
        acts_as=None,
        site_id=None,
        auth_method=auth_method,
        scopes=scopes,
        redirect_uris=redirect_uris,
        refresh_tokens=refresh_tokens,
    )
    with services.session() as session:
        client, secret = register_client(session, spec, FIXED_NOW)
        session.commit()
    return PeopleClient(client, secret)


def person_of(services: Services, persona: str) -> Person:
    """The logged-in person a demo persona stands for."""
    actor = actor_of(services, persona)
    if isinstance(actor, WorkerActor):
        return Person(
            login_subject="a" * 64,
            worker_id=actor.worker_id,
            staff=(),
            authenticated_at=int(FIXED_NOW.timestamp()),
        )
    assert isinstance(actor, StaffActor)
    assert actor.company_id is not None
    with services.session() as session:
        company = session.get(Company, actor.company_id)
        assert company is not None
        name = company.name
    return Person(
        login_subject="b" * 64,
        worker_id=None,
        staff=(StaffMembership(actor.subject, actor.company_id, name, actor.roles),),
        authenticated_at=int(FIXED_NOW.timestamp()),
    )


def browser(server: LiveServer, person: Person | None) -> httpx.Client:
    """An HTTP client carrying the session cookie of ``person``'s login."""
    http = httpx.Client(base_url=server.base_url, timeout=30, follow_redirects=False)
    if person is not None:
        session = server.services.browser_sessions.log_in(None, person, None)
        http.cookies.set(COOKIE_NAME, session.session_id)
    return http


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(
    client: PeopleClient, challenge: str, **overrides: str | None
) -> dict[str, str]:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": REDIRECT_URI,
        "state": "st-" + secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {name: value for name, value in params.items() if value is not None}


def consent_form(page: httpx.Response) -> dict[str, str]:
    """Read the hidden fields and the first actor choice of a consent page."""
    assert page.status_code == 200, page.headers.get("location", page.text)
    fields = {
        unescape(name): unescape(value)
        for name, value in re.findall(
            r"<input type='hidden' name='([^']*)' value='([^']*)'>", page.text
        )
    }
    actors = re.findall(r"name='actor' value='([^']*)'", page.text)
    assert actors, "the consent page offers no actor"
    fields["actor"] = unescape(actors[0])
    return fields


def query_of(response: httpx.Response) -> dict[str, str]:
    """The query parameters of a redirect's Location."""
    location = response.headers["location"]
    return {
        name: values[0] for name, values in parse_qs(urlsplit(location).query).items()
    }


def approve(
    http: httpx.Client, client: PeopleClient, challenge: str, **overrides: str | None
) -> dict[str, str]:
    """Open the consent page, allow, and return the redirect's query."""
    page = http.get(
        "/oauth/authorize", params=authorize_params(client, challenge, **overrides)
    )
    form = consent_form(page)
    form["decision"] = "allow"
    answer = http.post("/oauth/authorize", data=form)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].startswith(REDIRECT_URI + "?")
    return query_of(answer)


def exchange(
    server: LiveServer,
    client: PeopleClient,
    code: str,
    verifier: str,
    **overrides: str,
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    if client.secret is None:
        form["client_id"] = client.client_id
    form.update(overrides)
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        return http.post("/oauth/token", data=form, headers=client.auth())


def refresh(
    server: LiveServer, client: PeopleClient, token: str, **extra: str
) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": token, **extra}
    if client.secret is None:
        form["client_id"] = client.client_id
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        return http.post("/oauth/token", data=form, headers=client.auth())


def tokens_for(
    server: LiveServer, client: PeopleClient, persona: str, **overrides: str | None
) -> dict[str, Any]:
    """Run the whole flow for ``persona`` and return the token response."""
    verifier, challenge = pkce()
    with browser(server, person_of(server.services, persona)) as http:
        query = approve(http, client, challenge, **overrides)
    response = exchange(server, client, query["code"], verifier)
    assert response.status_code == 200, response.text
    return dict(response.json())


def bearer(server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url,
        timeout=30,
        headers={"Authorization": f"Bearer {token}"},
    )
