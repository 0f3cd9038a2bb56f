"""Validation of authorization requests, and the redirects that respond to them.

The order of checks follows RFC 6749 section 4.1.2.1: until the client and
its redirect URI are known good, an error is shown to the person and never
sent anywhere. After that, errors go back to the client at the registered
redirect URI, with ``state`` and the issuer (RFC 9207).

Redirect URIs match the registered ones as exact strings (RFC 9700 section
2.1): a different case of scheme or host, an added query, userinfo or a
different percent-encoding all fail. PKCE is required, with S256 only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ccus.oauth.clients import AUTHORIZATION_CODE, RegisteredClient

# RFC 7636 section 4.2: the S256 challenge is 43 base64url characters.
CODE_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
SCOPE_TOKEN = re.compile(r"[!#-\[\]-~]+")
MAX_STATE_LENGTH = 512
MAX_QUERY_LENGTH = 4096
# Parameters this endpoint reads. Others are ignored, as RFC 6749 section
# 3.1 requires, but none may repeat.
KNOWN = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


class AuthorizationPageError(Exception):
    """An error shown to the person, because the redirect URI is not trusted.

    ``detail`` names the problem and the fix; it never repeats input.
    """

    def __init__(self, title: str, detail: str, reason: str) -> None:
        super().__init__(detail)
        self.title = title
        self.detail = detail
        self.reason = reason


class AuthorizationRedirectError(Exception):
    """An RFC 6749 error to send to the client's validated redirect URI."""

    def __init__(
        self,
        error: str,
        description: str,
        request: ValidatedTarget,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.target = request


@dataclass(frozen=True, slots=True)
class ValidatedTarget:
    """A client and a redirect URI registered for it, with the request's state."""

    client: RegisteredClient
    redirect_uri: str
    state: str | None


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """A fully validated request, which the consent page shows the person."""

    target: ValidatedTarget
    scopes: tuple[str, ...]
    code_challenge: str

    @property
    def client(self) -> RegisteredClient:
        return self.target.client

    def form_fields(self) -> dict[str, str]:
        """Return the parameters that the consent page keeps for the decision."""
        fields = {
            "response_type": "code",
            "client_id": self.client.client_id,
            "redirect_uri": self.target.redirect_uri,
            "scope": " ".join(self.scopes),
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        if self.target.state is not None:
            fields["state"] = self.target.state
        return fields


def parse_parameters(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Return the request's parameters as single values.

    Raises:
        AuthorizationPageError: a parameter repeats. The redirect URI is not
            validated yet, so the error cannot go to the client.
    """
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            named = name if name in KNOWN else "a parameter"
            raise AuthorizationPageError(
                "Invalid authorization request",
                f"The request repeats {named}. Ask the application's provider to "
                "send each parameter once.",
                "repeated_parameter",
            )
        params[name] = value
    return params


def parse_query(query: str) -> dict[str, str]:
    """Parse a raw query string as ``parse_parameters`` does.

    Raises:
        AuthorizationPageError: the query is too long, not UTF-8, or repeats
            a parameter.
    """
    if len(query) > MAX_QUERY_LENGTH:
        raise AuthorizationPageError(
            "Invalid authorization request",
            f"The request is longer than {MAX_QUERY_LENGTH} characters.",
            "request_too_long",
        )
    try:
        pairs = parse_qsl(query, keep_blank_values=False, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise AuthorizationPageError(
            "Invalid authorization request",
            "The request's parameters are not valid UTF-8 form encoding.",
            "malformed_query",
        ) from None
    return parse_parameters(pairs)


def validate_target(
    params: dict[str, str],
    find_client: Callable[[str], RegisteredClient | None],
) -> ValidatedTarget:
    """Check the client and redirect URI, the two things errors depend on.

    Raises:
        AuthorizationPageError: the client is unknown, disabled or not allowed
            the authorization code grant, or the redirect URI is missing or
            not registered for it.
    """
    client_id = params.get("client_id")
    client = find_client(client_id) if client_id else None
    if client is None or not client.enabled:
        raise AuthorizationPageError(
            "Unknown application",
            "The application that sent you here is not registered, or was "
            "disabled. Ask its provider to register it with the registry.",
            "unknown_client",
        )
    if not client.check_grant_type(AUTHORIZATION_CODE) or not client.redirect_uris:
        raise AuthorizationPageError(
            "Application cannot ask for access",
            "The application is registered for machine access only. Ask its "
            "provider to register redirect URIs and the authorization_code grant.",
            "grant_not_allowed",
        )
    redirect_uri = params.get("redirect_uri") or client.get_default_redirect_uri()
    if redirect_uri is None:
        raise AuthorizationPageError(
            "Invalid authorization request",
            "The application registered several redirect URIs and named none. "
            "Ask its provider to send redirect_uri.",
            "redirect_uri_missing",
        )
    if not client.check_redirect_uri(redirect_uri):
        raise AuthorizationPageError(
            "Invalid redirect URI",
            "The redirect URI differs from every URI registered for this "
            "application, so you were not sent back to it. Ask its provider to "
            "use a registered URI exactly as registered.",
            "redirect_uri_mismatch",
        )
    state = params.get("state")
    if state is not None and len(state) > MAX_STATE_LENGTH:
        raise AuthorizationPageError(
            "Invalid authorization request",
            f"The state parameter is longer than {MAX_STATE_LENGTH} characters.",
            "state_too_long",
        )
    return ValidatedTarget(client=client, redirect_uri=redirect_uri, state=state)


def validate_request(
    params: dict[str, str], target: ValidatedTarget
) -> AuthorizationRequest:
    """Check the rest of the request against the validated client.

    Raises:
        AuthorizationRedirectError: the error to send back to the client.
    """
    response_type = params.get("response_type")
    if response_type != "code":
        raise AuthorizationRedirectError(
            "unsupported_response_type" if response_type else "invalid_request",
            "response_type must be code; no other response type is served",
            target,
        )
    for name in ("request", "request_uri"):
        if name in params:
            raise AuthorizationRedirectError(
                f"{name}_not_supported",
                f"the {name} parameter is not supported; send plain parameters",
                target,
            )
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method")
    if challenge is None:
        raise AuthorizationRedirectError(
            "invalid_request",
            "PKCE is required: send code_challenge with code_challenge_method=S256",
            target,
        )
    if method != "S256":
        raise AuthorizationRedirectError(
            "invalid_request",
            "code_challenge_method must be S256; plain is not accepted",
            target,
        )
    if not CODE_CHALLENGE.fullmatch(challenge):
        raise AuthorizationRedirectError(
            "invalid_request",
            "code_challenge must be the 43-character base64url SHA-256 of the "
            "code verifier",
            target,
        )
    scopes = _requested_scopes(params.get("scope"), target)
    return AuthorizationRequest(target=target, scopes=scopes, code_challenge=challenge)


def _requested_scopes(scope: str | None, target: ValidatedTarget) -> tuple[str, ...]:
    client = target.client
    if scope is None:
        return tuple(sorted(client.scopes))
    names = scope.split(" ")
    if not all(SCOPE_TOKEN.fullmatch(name) for name in names):
        raise AuthorizationRedirectError(
            "invalid_scope",
            "scope must be scope names separated by single spaces",
            target,
        )
    if not set(names) <= set(client.scopes):
        raise AuthorizationRedirectError(
            "invalid_scope",
            "the requested scope exceeds the scope registered for the client: "
            + " ".join(sorted(client.scopes)),
            target,
        )
    return tuple(sorted(set(names)))


def redirect_with(redirect_uri: str, params: dict[str, str]) -> str:
    """Add ``params`` to the query of ``redirect_uri``, keeping what it has."""
    parts = urlsplit(redirect_uri)
    query = parts.query + ("&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def success_location(target: ValidatedTarget, code: str, issuer: str) -> str:
    """Build the redirect that hands the code back, with state and issuer."""
    params = {"code": code}
    if target.state is not None:
        params["state"] = target.state
    params["iss"] = issuer
    return redirect_with(target.redirect_uri, params)


def error_location(error: AuthorizationRedirectError, issuer: str) -> str:
    """Build the redirect that reports ``error``, with state and issuer."""
    params = {"error": error.error, "error_description": error.description}
    if error.target.state is not None:
        params["state"] = error.target.state
    params["iss"] = issuer
    return redirect_with(error.target.redirect_uri, params)
