"""Shared fixtures: databases on SQLite and PostgreSQL, keys, a served app.

PostgreSQL tests run when CCUS_TEST_POSTGRES_URL names a server. Under CI
(CI=true) a missing server fails the run instead of skipping, so a broken
set-up cannot pass unnoticed.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ccus.app import create_asgi
from ccus.auth.actors import Actor
from ccus.auth.scopes import SCOPES
from ccus.config import Settings, load_settings
from ccus.crypto.keyring import create_local_keyring
from ccus.db.engine import normalise_url
from ccus.db.migrate import upgrade
from ccus.demo.dataset import Dataset, build_dataset
from ccus.demo.load import load_dataset
from ccus.login.keys import LOGIN_CLIENT_KEY_FILE, create_signing_jwk
from ccus.logs import JsonFormatter, silence_unsafe_loggers
from ccus.services import Services, build_services

# Noon JST on the day after the demo window ends: the live site is live.
FIXED_NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
POSTGRES_ENV = "CCUS_TEST_POSTGRES_URL"
# Test tokens carry every scope unless a test names fewer; see LiveServer.client.
EVERY_SCOPE = frozenset(SCOPES)


def fixed_clock() -> datetime:
    return FIXED_NOW


def postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url and os.environ.get("CI") == "true":
        pytest.fail(f"{POSTGRES_ENV} is not set; CI must run against PostgreSQL")
    return url


@dataclass
class Backend:
    """A freshly migrated database of one kind, with its URL."""

    kind: str
    url: str


def _new_postgres_database(admin_url: str) -> tuple[str, str]:
    name = f"ccus_test_{secrets.token_hex(4)}"
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - reported as a failure below
        pytest.fail(
            f"PostgreSQL at {POSTGRES_ENV} is unreachable: {type(error).__name__}"
        )
    finally:
        admin.dispose()
    url = make_url(normalise_url(admin_url)).set(database=name)
    return name, url.render_as_string(hide_password=False)


def _drop_postgres_database(admin_url: str, name: str) -> None:
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys")
    create_local_keyring(path)
    # As `ccus keys init` does: the login client's key beside the keyring.
    create_signing_jwk(path / LOGIN_CLIENT_KEY_FILE, "login-client")
    return path


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return build_dataset()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """A migrated, empty database; one per kind for the whole session."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "ccus.sqlite3"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield Backend("sqlite", url)
        return
    admin_url = postgres_admin_url()
    if not admin_url:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    name, url = _new_postgres_database(admin_url)
    upgrade(url)
    yield Backend("postgres", url)
    _drop_postgres_database(admin_url, name)


def settings_for(url: str, keys_dir: Path) -> Settings:
    return load_settings({"CCUS_DATABASE_URL": url, "CCUS_KEYS_DIR": str(keys_dir)})


@pytest.fixture(scope="session")
def loaded(backend: Backend, keys_dir: Path, dataset: Dataset) -> Services:
    """Services over a database holding the default demo data set."""
    state = build_services(settings_for(backend.url, keys_dir), fixed_clock)
    with state.session() as session:
        load_dataset(session, dataset, state.vault, FIXED_NOW, indexer=state.indexer)
    return state


class LiveServer:
    """The application served by uvicorn on a loopback port, in a thread."""

    def __init__(self, services: Services, port: int | None = None) -> None:
        """Serve ``services`` on ``port`` (one its issuer names), or a free port."""
        self.services = services
        self.port = port if port is not None else free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        app = create_asgi(services.settings, fixed_clock, prebuilt=services)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_config=None, access_log=False
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

    def client(
        self, actor: Actor | None = None, scopes: frozenset[str] = EVERY_SCOPE
    ) -> httpx.Client:
        """Return an HTTP client that sends a bearer token for ``actor``, if given.

        The token carries ``scopes`` in place of the actor's own. The default
        is every scope of the catalogue, whatever the actor's kind, so that
        the policies alone decide what the actor gets. Tests of scopes pass
        narrower ones.
        """
        headers = {}
        if actor is not None:
            token = self.services.tokens.issue(replace(actor, scopes=scopes))
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LogCapture:
    """Every log line the process writes, formatted as the service writes it."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonFormatter())

    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture(scope="session")
def log_capture() -> Iterator[LogCapture]:
    capture = LogCapture()
    root = logging.getLogger()
    root.addHandler(capture.handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    yield capture
    root.removeHandler(capture.handler)
    root.setLevel(previous)


@pytest.fixture(scope="session")
def server(loaded: Services, log_capture: LogCapture) -> Iterator[LiveServer]:
    silence_unsafe_loggers()
    live = LiveServer(loaded)
    live.start()
    yield live
    live.stop()
