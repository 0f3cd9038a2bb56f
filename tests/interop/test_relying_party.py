"""The ccus login as a relying party of oidc-provider, set up like the national one.

ccus fetches the provider's discovery and keys, redeems the code with
private_key_jwt and verifies the ES256 ID token. Both sides use real time,
because oidc-provider stamps its tokens with its own clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from ccus.clock import system_clock
from ccus.config import load_settings
from ccus.demo.load import read_personas
from ccus.login.keys import LOGIN_CLIENT_KEY_FILE, SigningKeyFile, create_signing_jwk
from ccus.login.sessions import COOKIE_NAME
from ccus.services import Services, build_services
from tests.conftest import LiveServer, free_port
from tests.interop.harness import OpenIDProvider
from tests.keys.conftest import Registry

ACCOUNT = "worker-account"
NEWCOMER = "newcomer-account"


class Cookies:
    def __init__(self, cookies: dict[str, str]) -> None:
        self.cookies = cookies


def worker_account(registry: Registry) -> tuple[str, dict[str, Any]]:
    """Return the demo worker's id and an account with their identity."""
    with registry.services.session() as session:
        worker_id = read_personas(session)["worker"]
    worker = next(w for w in registry.dataset.workers if w.worker_id == worker_id)
    identity, contact = worker.groups["identity"], worker.groups["contact"]
    return worker_id, {
        "name": identity["name"],
        "birthdate": identity["birth_date"].isoformat(),
        "gender": identity["gender"],
        "address": {
            "formatted": contact["address"],
            "postal_code": contact["postal_code"],
        },
    }


@pytest.fixture
def relying_party(
    registry: Registry,
    start_provider: Callable[[dict[str, Any]], OpenIDProvider],
) -> Iterator[tuple[LiveServer, OpenIDProvider, str]]:
    """ccus served with oidc-provider as its login provider, and the worker id."""
    key_file = registry.keys_dir / LOGIN_CLIENT_KEY_FILE
    create_signing_jwk(key_file, "login-client")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    worker_id, account = worker_account(registry)
    newcomer = {
        "name": "相互　運用",
        "birthdate": "1991-03-04",
        "gender": "male",
        "address": {
            "formatted": "東京都港区芝公園4丁目2番8号",
            "postal_code": "105-0011",
        },
    }

    provider = start_provider(
        {
            "clients": [
                {
                    "client_id": "ccus",
                    "redirect_uris": [base_url + "/login/callback"],
                    "jwks": SigningKeyFile(key_file).public_jwks(),
                }
            ],
            "accounts": {ACCOUNT: account, NEWCOMER: newcomer},
        }
    )

    settings = load_settings(
        {
            "CCUS_DATABASE_URL": registry.backend.url,
            "CCUS_KEYS_DIR": str(registry.keys_dir),
            "CCUS_ISSUER": base_url,
            "CCUS_LOGIN_ISSUER": provider.issuer,
            "CCUS_LOCAL_IDP": "false",
        }
    )
    services: Services = build_services(settings, system_clock)
    live = LiveServer(services, port=port)
    live.start()
    yield live, provider, worker_id
    live.stop()
    services.sessions.kw["bind"].dispose()


def browse(http: httpx.Client, url: str, limit: int = 12) -> httpx.Response:
    """Follow redirects by hand across ccus and the provider, keeping cookies."""
    response = http.get(url)
    for _ in range(limit):
        if not response.is_redirect:
            return response
        response = http.get(urljoin(str(response.url), response.headers["location"]))
    raise AssertionError(f"more than {limit} redirects from {url}")


def test_worker_logs_in_through_oidc_provider(
    relying_party: tuple[LiveServer, OpenIDProvider, str],
) -> None:
    live, provider, worker_id = relying_party
    provider.set_next_login(ACCOUNT)
    with httpx.Client(follow_redirects=False, timeout=30) as http:
        page = browse(http, live.base_url + "/login?return_to=/login/session")
        cookie = http.cookies.get(COOKIE_NAME)
    assert page.status_code == 200, page.text
    assert str(page.url) == live.base_url + "/login/session"
    assert cookie is not None
    person = live.services.browser_sessions.person(Cookies({COOKIE_NAME: cookie}))
    assert person is not None
    assert person.worker_id == worker_id
    assert person.staff == ()


def test_newcomer_goes_to_registration(
    relying_party: tuple[LiveServer, OpenIDProvider, str],
) -> None:
    live, provider, _ = relying_party
    provider.set_next_login(NEWCOMER)
    with httpx.Client(follow_redirects=False, timeout=30) as http:
        page = browse(http, live.base_url + "/login")
    assert page.status_code == 200, page.text
    assert str(page.url) == live.base_url + "/login/registration"
    assert "相互　運用" in page.text


def test_provider_error_refused(
    relying_party: tuple[LiveServer, OpenIDProvider, str],
) -> None:
    live, provider, _ = relying_party
    provider.set_next_login_error("access_denied")
    with httpx.Client(follow_redirects=False, timeout=30) as http:
        page = browse(http, live.base_url + "/login")
        cookie = http.cookies.get(COOKIE_NAME)
    assert page.status_code == 400
    assert "access_denied" in page.text
    assert (
        live.services.browser_sessions.person(Cookies({COOKIE_NAME: cookie or ""}))
        is None
    )
