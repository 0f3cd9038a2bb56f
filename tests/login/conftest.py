"""Served services for the login tests: one with the local provider, one with a stub.

``login_world`` serves a small demo registry with the local provider on, on
SQLite and PostgreSQL, with the demo card holders written. ``stub_world``
serves an empty registry whose login provider is ``StubProvider``, so that
tests can send forged ID tokens.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from ccus.app import create_asgi
from ccus.audit.models import AuditEvent
from ccus.config import load_settings
from ccus.crypto.keyring import create_local_keyring
from ccus.db.migrate import upgrade
from ccus.demo.dataset import Dataset, build_dataset
from ccus.demo.load import load_dataset, read_personas
from ccus.demo.login import load_card_holders
from ccus.idp.holders import CardHolder, holders_path
from ccus.login.keys import (
    LOCAL_IDP_KEY_FILE,
    LOGIN_CLIENT_KEY_FILE,
    create_signing_jwk,
)
from ccus.logs import silence_unsafe_loggers
from ccus.services import Services, build_services
from tests.conftest import (
    FIXED_NOW,
    _drop_postgres_database,
    _new_postgres_database,
    fixed_clock,
    postgres_admin_url,
)
from tests.login.stub_provider import StubProvider

LOGIN_ACTIONS = ("login", "logout", "register_worker")


class ServedApp:
    """The application served by uvicorn on a port chosen before it is built.

    The services must know their own URL, because the login's redirect URI
    and the local provider's issuer are built from it.
    """

    def __init__(self, services: Services, port: int) -> None:
        self.services = services
        self.base_url = f"http://127.0.0.1:{port}"
        app = create_asgi(services.settings, fixed_clock, prebuilt=services)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start within 15 s")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@dataclass
class World:
    """A served registry, its services and what the demo load wrote."""

    app: ServedApp
    services: Services
    personas: dict[str, str]
    holders: dict[str, CardHolder]

    @property
    def base_url(self) -> str:
        return self.app.base_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_keys(path: Path) -> Path:
    create_local_keyring(path)
    create_signing_jwk(path / LOGIN_CLIENT_KEY_FILE, "login-client")
    create_signing_jwk(path / LOCAL_IDP_KEY_FILE, "local-idp")
    return path


def build_world_services(
    url: str, keys_dir: Path, data_dir: Path, port: int, **extra: str
) -> Services:
    environ = {
        "CCUS_DATABASE_URL": url,
        "CCUS_KEYS_DIR": str(keys_dir),
        "CCUS_DATA_DIR": str(data_dir),
        "CCUS_ISSUER": f"http://127.0.0.1:{port}",
        **extra,
    }
    return build_services(load_settings(environ), fixed_clock)


@pytest.fixture(scope="session")
def login_dataset() -> Dataset:
    return build_dataset(workers=40, days=20)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def login_world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    login_dataset: Dataset,
) -> Iterator[World]:
    """A demo registry served with the local provider and its card holders."""
    root = tmp_path_factory.mktemp("login")
    dropped: tuple[str, str] | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{root / 'ccus.sqlite3'}"
    else:
        admin_url = postgres_admin_url()
        if not admin_url:
            pytest.skip("CCUS_TEST_POSTGRES_URL is not set")
        name, url = _new_postgres_database(admin_url)
        dropped = (admin_url, name)
    upgrade(url)

    port = free_port()
    services = build_world_services(url, make_keys(root / "keys"), root / "var", port)
    with services.session() as session:
        load_dataset(
            session, login_dataset, services.vault, FIXED_NOW, indexer=services.indexer
        )
        personas = read_personas(session)
        holders = load_card_holders(
            session,
            personas,
            services.vault,
            services.indexer,
            services.staff_login_index,
            holders_path(services.settings.data_dir),
            login_dataset.seed,
        )

    silence_unsafe_loggers()
    app = ServedApp(services, port)
    app.start()
    yield World(app, services, personas, {holder.label: holder for holder in holders})
    app.stop()
    services.sessions.kw["bind"].dispose()
    if dropped:
        _drop_postgres_database(*dropped)


@dataclass
class StubWorld:
    """An empty registry served with ``StubProvider`` as its login provider."""

    app: ServedApp
    services: Services
    stub: StubProvider

    @property
    def base_url(self) -> str:
        return self.app.base_url


@pytest.fixture(scope="session")
def stub_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StubWorld]:
    root = tmp_path_factory.mktemp("login-stub")
    url = f"sqlite:///{root / 'ccus.sqlite3'}"
    upgrade(url)
    stub = StubProvider()
    stub.start()
    port = free_port()
    services = build_world_services(
        url,
        make_keys(root / "keys"),
        root / "var",
        port,
        CCUS_LOGIN_ISSUER=stub.issuer,
        CCUS_LOCAL_IDP="false",
    )
    app = ServedApp(services, port)
    app.start()
    yield StubWorld(app, services, stub)
    app.stop()
    stub.stop()
    services.sessions.kw["bind"].dispose()


@pytest.fixture
def stub(stub_world: StubWorld) -> Iterator[StubProvider]:
    """The stub, reset to issue valid ID tokens again after each test."""
    yield stub_world.stub
    stub_world.stub.forge = None
    stub_world.stub.callback_iss = None


def login_events(services: Services) -> list[AuditEvent]:
    """Return the audit entries of logins, logouts and registrations, oldest first."""
    with services.session() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.in_(LOGIN_ACTIONS))
                .order_by(AuditEvent.seq)
            )
        )


def last_login_event(services: Services) -> AuditEvent:
    events = [event for event in login_events(services) if event.action == "login"]
    assert events, "no login audit entry was written"
    return events[-1]


class CookieRequest:
    """The cookies of a browser, in the shape ``BrowserSessions`` reads."""

    def __init__(self, cookies: dict[str, str]) -> None:
        self.cookies = cookies


def as_request(cookies: dict[str, str]) -> Any:
    return CookieRequest(cookies)
