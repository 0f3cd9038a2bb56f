"""A browser-like HTTP client: it keeps cookies and follows redirects by hand."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

MAX_REDIRECTS = 10
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Browser:
    """One browser profile: a cookie jar and the page it is on."""

    def __init__(self) -> None:
        self.http = httpx.Client(follow_redirects=False, timeout=30)
        self.url = ""

    def close(self) -> None:
        self.http.close()

    def get(self, url: str) -> httpx.Response:
        self.url = url
        return self.http.get(_loopback(url))

    def post(self, url: str, data: Mapping[str, str]) -> httpx.Response:
        self.url = url
        return self.http.post(_loopback(url), data=dict(data))

    def follow(
        self,
        response: httpx.Response,
        stop: Callable[[str], bool] = lambda url: False,
    ) -> httpx.Response:
        """Follow redirects from ``response`` until a page, or until ``stop(url)``.

        When ``stop`` accepts the next URL, the redirect response is returned
        unfollowed, so that a test can take its location elsewhere.
        """
        for _ in range(MAX_REDIRECTS):
            if not response.is_redirect:
                return response
            target = urljoin(str(response.request.url), response.headers["location"])
            if stop(target):
                return response
            response = self.get(target)
        raise AssertionError(f"more than {MAX_REDIRECTS} redirects")

    def cookie(self, name: str) -> str | None:
        return self.http.cookies.get(name)

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies, as a request would carry them to the service."""
        return dict(self.http.cookies.items())


def location(response: httpx.Response) -> str:
    return urljoin(str(response.request.url), response.headers["location"])


def query(url: str) -> dict[str, str]:
    """Return the single-valued query parameters of ``url``."""
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def _loopback(url: str) -> str:
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise AssertionError(f"the browser may only visit loopback servers, not {host}")
    return url
