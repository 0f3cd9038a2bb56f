"""Fixtures that run the Node.js peers and serve ccus under its own issuer URL.

The peers need ``node`` (Node.js 20.12 or newer) and the packages of
package-lock.json: run ``npm ci --prefix tests/interop`` once, as
``make test`` does. Without them every test here fails and names that fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from ccus.config import load_settings
from ccus.services import build_services
from tests.conftest import LiveServer, fixed_clock, free_port
from tests.interop.harness import (
    HarnessError,
    OpenIDClient,
    OpenIDProvider,
    node_executable,
)
from tests.keys.conftest import Registry, registry, small_dataset

__all__ = ["registry", "small_dataset"]

T = TypeVar("T")


def _start_or_fail(start: Callable[[], T]) -> T:
    """Call ``start``, turning a HarnessError into a test failure with its message.

    The failure is raised outside the ``except`` block, so that pytest shows
    the message once, without the chained HarnessError.
    """
    try:
        return start()
    except HarnessError as error:
        message = str(error)
    pytest.fail(message)


@pytest.fixture(scope="session")
def node() -> str:
    """Return the node executable, or fail the test with the command that fixes it."""
    return _start_or_fail(node_executable)


@pytest.fixture
def openid_client(node: str) -> Iterator[OpenIDClient]:
    """A fresh openid-client driver for one test."""
    driver = _start_or_fail(OpenIDClient)
    yield driver
    driver.stop()


@pytest.fixture
def start_provider(node: str) -> Iterator[Callable[[dict[str, Any]], OpenIDProvider]]:
    """Start providers from configs, and stop each one when the test ends."""
    started: list[OpenIDProvider] = []

    def start(config: dict[str, Any]) -> OpenIDProvider:
        provider = _start_or_fail(lambda: OpenIDProvider(config))
        started.append(provider)
        return provider

    yield start
    for provider in started:
        provider.stop()


@pytest.fixture
def ccus_server(registry: Registry) -> Iterator[LiveServer]:
    """ccus over HTTP on a loopback port, with that URL as its issuer.

    Discovery clients require the metadata's issuer to be the URL they
    fetched it from (RFC 8414 section 3.3), and they send token requests to
    the endpoints it lists. The registry's own services keep the default
    issuer, so these services share its database and keys under the served
    URL.
    """
    port = free_port()
    settings = load_settings(
        {
            "CCUS_DATABASE_URL": registry.backend.url,
            "CCUS_KEYS_DIR": str(registry.keys_dir),
            "CCUS_ISSUER": f"http://127.0.0.1:{port}",
        }
    )
    services = build_services(settings, fixed_clock)
    live = LiveServer(services, port=port)
    live.start()
    yield live
    live.stop()
    services.sessions.kw["bind"].dispose()
