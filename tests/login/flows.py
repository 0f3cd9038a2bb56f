"""Login steps a person takes in a browser, against the local provider."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx

from tests.login.browser import Browser
from tests.login.conftest import World

REQUEST_ID = re.compile(r"name='request_id' value='([^']+)'")


def open_provider_page(
    world: World, browser: Browser, return_to: str | None = None
) -> httpx.Response:
    """Start a login at the service and follow it to the provider's holder list."""
    url = world.base_url + "/login"
    if return_to is not None:
        url += "?return_to=" + quote(return_to, safe="")
    page = browser.follow(browser.get(url))
    assert page.status_code == 200, page.text
    assert "Local demo provider" in page.text
    return page


def choose_holder(
    world: World, browser: Browser, page: httpx.Response, label: str
) -> httpx.Response:
    """Choose a card holder on the provider's page and follow back to the service."""
    match = REQUEST_ID.search(page.text)
    assert match is not None, "the provider page has no request id"
    chosen = browser.post(
        world.base_url + "/idp/authorize",
        {"request_id": match.group(1), "sub": world.holders[label].sub},
    )
    return browser.follow(chosen)


def log_in(
    world: World, browser: Browser, label: str, return_to: str | None = None
) -> httpx.Response:
    """Log in as the card holder ``label`` and return the page the service ends on."""
    return choose_holder(
        world, browser, open_provider_page(world, browser, return_to), label
    )
