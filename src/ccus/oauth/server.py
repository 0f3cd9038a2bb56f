"""The authorization server: authlib's grant and endpoint classes wired to ccus.

``OAuthServer`` serves the token endpoint with three grants: the
authorization code grant with PKCE (S256 only) for software acting for a
logged-in person, refresh tokens that rotate on every use, and client
credentials for devices and regulator tools. It also serves revocation
(RFC 7009) and introspection (RFC 7662). Access tokens are the RFC 9068 JWTs
of ``TokenService``. Each request records its audit events on its
``OAuthRequest``, and the HTTP route writes them before it responds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import parse_qsl

from authlib.common.security import (  # type: ignore[import-untyped]
    is_secure_transport,
)
from authlib.oauth2.rfc6749 import (  # type: ignore[import-untyped]
    AuthorizationCodeGrant,
    AuthorizationServer,
    ClientCredentialsGrant,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Request,
    UnauthorizedClientError,
)
from authlib.oauth2.rfc6749.grants import (  # type: ignore[import-untyped]
    RefreshTokenGrant,
)
from authlib.oauth2.rfc6749.requests import (  # type: ignore[import-untyped]
    BasicOAuth2Payload,
)
from authlib.oauth2.rfc6749.util import (  # type: ignore[import-untyped]
    extract_basic_authorization,
)
from authlib.oauth2.rfc7009 import (  # type: ignore[import-untyped]
    RevocationEndpoint,
)
from authlib.oauth2.rfc7636 import CodeChallenge  # type: ignore[import-untyped]
from authlib.oauth2.rfc7662 import (  # type: ignore[import-untyped]
    IntrospectionEndpoint,
)
from joserfc import jws
from joserfc.errors import JoseError
from sqlalchemy.orm import Session

from ccus.auth.actors import Actor, DeviceActor, RegulatorActor
from ccus.auth.tokens import InvalidToken, IssuedToken, TokenService, VerifiedToken
from ccus.oauth.assertions import (
    ASSERTION_TYPE,
    PrivateKeyJwtAuthentication,
    authenticate_client_secret_basic,
)
from ccus.oauth.audit import (
    CLIENT_AUTHENTICATION,
    ISSUE_TOKEN,
    REVOKE_GRANT,
    REVOKE_TOKEN,
    OAuthEvent,
)
from ccus.oauth.clients import (
    ASSERTION_ALGORITHMS,
    AUTHORIZATION_CODE,
    CLIENT_CREDENTIALS,
    CLIENT_SECRET_BASIC,
    CONFIDENTIAL,
    CONFIDENTIAL_AUTH_METHODS,
    DEVICE,
    GRANT_TYPES,
    NO_AUTHENTICATION,
    PRIVATE_KEY_JWT,
    REFRESH_TOKEN,
    REGULATOR,
    RegisteredClient,
    find_client,
    scopes_open_to,
)
from ccus.oauth.codes import AuthorizationCode, AuthorizationCodes
from ccus.oauth.grants import (
    CODE_REUSED,
    REUSED,
    actor_of_grant,
    digest,
    find_grant,
    issue_refresh_token,
    record_access_token,
    revoke_grant,
    use_refresh_token,
)
from ccus.oauth.models import OAuthGrant, OAuthRefreshToken
from ccus.oauth.stores import (
    OAuthStoreError,
    RateLimiter,
    ReplayCache,
    RevokedTokens,
)

# Tokens from the token endpoint live 10 minutes, so that a leaked token is
# of little use and a disabled client loses access soon after.
ACCESS_TOKEN_LIFETIME_SECONDS = 600
TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a secret
AUTHORIZATION_PATH = "/oauth/authorize"
REVOCATION_PATH = "/oauth/revoke"
INTROSPECTION_PATH = "/oauth/introspect"
JWKS_PATH = "/.well-known/jwks.json"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 20
# Access tokens of this service are a few hundred bytes long.
MAX_TOKEN_LENGTH = 8192
# Parameters that error messages may name when they repeat; others are not
# echoed, since they are arbitrary input.
KNOWN_PARAMETERS = frozenset(
    {
        "grant_type",
        "scope",
        "client_id",
        "client_secret",
        "client_assertion",
        "client_assertion_type",
        "token",
        "token_type_hint",
        "response_type",
        "redirect_uri",
        "code",
        "refresh_token",
        "code_verifier",
        "username",
        "password",
    }
)
# Every method the token endpoint accepts from a client for people; public
# clients send none, and PKCE binds their codes.
PERSON_CLIENT_AUTH_METHODS = [*CONFIDENTIAL_AUTH_METHODS, NO_AUTHENTICATION]
# A client id worth looking up: printable ASCII of at most 80 characters.
CLIENT_ID_PATTERN = re.compile(r"[!-~]{1,80}")
# RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
SCOPE_TOKEN = re.compile(r"[!#-\[\]-~]+")
TOKEN_TYPE_HINTS = ("access_token", "refresh_token")
# The claims an introspection response repeats from an active token.
INTROSPECTED_CLAIMS = (
    "scope",
    "client_id",
    "sub",
    "aud",
    "iss",
    "exp",
    "iat",
    "jti",
    "ccus_actor",
)


@dataclass(frozen=True, slots=True)
class HttpInput:
    """The parts of an HTTP request that an OAuth endpoint reads."""

    endpoint: str
    content_type: str | None
    authorization: str | None
    body: bytes
    remote: str = ""


@dataclass(frozen=True, slots=True)
class OAuthResponse:
    """Status, JSON body and headers of an OAuth endpoint's response."""

    status: int
    body: dict[str, Any]
    headers: list[tuple[str, str]] = field(default_factory=list)


class OAuthRequest(OAuth2Request):  # type: ignore[misc]
    """A form-encoded OAuth request, with the audit events it produced."""

    def __init__(
        self, endpoint: str, uri: str, form: dict[str, str], headers: dict[str, str]
    ) -> None:
        super().__init__(method="POST", uri=uri, headers=headers)
        self.endpoint = endpoint
        self.payload = BasicOAuth2Payload(form)
        self.events: list[OAuthEvent] = []
        self.authenticated: RegisteredClient | None = None
        self.presented: list[tuple[str, str | None]] | None = None
        self._form = form

    @property
    def form(self) -> dict[str, str]:
        return self._form

    @property
    def args(self) -> dict[str, str]:
        return {}


def read_form(content_type: str | None, body: bytes) -> dict[str, str]:
    """Parse an application/x-www-form-urlencoded body into single values.

    Parameters without a value count as absent (RFC 6749 section 3.2).

    Raises:
        InvalidRequestError: the body is not such a form, or repeats a parameter.
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != FORM_MEDIA_TYPE:
        raise InvalidRequestError(
            description=f"send the parameters as {FORM_MEDIA_TYPE} in the body"
        )
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=False,
            max_num_fields=MAX_FORM_FIELDS,
            errors="strict",
        )
    except ValueError:
        raise InvalidRequestError(
            description="the body is not a UTF-8 form of at most "
            f"{MAX_FORM_FIELDS} parameters"
        ) from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            named = name if name in KNOWN_PARAMETERS else "a parameter"
            raise InvalidRequestError(
                description=f"{named} is repeated; send each parameter once"
            )
        form[name] = value
    return form


class ClientCredentials(ClientCredentialsGrant):  # type: ignore[misc]
    """The client credentials grant: a token for the actor the client acts as."""

    TOKEN_ENDPOINT_AUTH_METHODS = list(CONFIDENTIAL_AUTH_METHODS)

    def validate_token_request(self) -> None:
        super().validate_token_request()
        client: RegisteredClient = self.request.client
        if client.acts_as not in (DEVICE, REGULATOR):
            raise UnauthorizedClientError(
                description="the client acts as no device or regulator, so it "
                "cannot use the client_credentials grant"
            )

    def validate_requested_scope(self) -> None:
        """Grant the requested scope, or every scope of the client if none.

        Raises:
            InvalidScopeError: a requested scope is malformed or not the client's.
        """
        client: RegisteredClient = self.request.client
        requested = self.request.payload.scope
        if requested is None:
            self.request.scope = " ".join(sorted(client.scopes))
            return
        names = requested.split(" ")
        if not all(SCOPE_TOKEN.fullmatch(name) for name in names):
            raise InvalidScopeError(
                description="scope must be scope names separated by single spaces"
            )
        if not set(names) <= set(client.scopes):
            allowed = " ".join(sorted(client.scopes)) or "(none)"
            raise InvalidScopeError(
                description="the requested scope exceeds the scope registered "
                f"for the client: {allowed}"
            )
        self.request.scope = " ".join(sorted(set(names)))

    def create_token_response(self) -> tuple[int, dict[str, Any], list[Any]]:
        server: OAuthServer = self.server
        request: OAuthRequest = self.request
        body = server.issue_client_token(request, request.client, request.scope)
        return 200, body, list(self.TOKEN_RESPONSE_HEADER)


class AuthorizationCodeExchange(AuthorizationCodeGrant):  # type: ignore[misc]
    """The authorization code grant's token request, with PKCE required.

    The code was issued by the authorization endpoint after the person
    approved; taking it here deletes it. A second use of a code revokes the
    grant it was issued under, with every token issued from it.
    """

    TOKEN_ENDPOINT_AUTH_METHODS = PERSON_CLIENT_AUTH_METHODS

    def query_authorization_code(
        self, code: str, client: RegisteredClient
    ) -> AuthorizationCode | None:
        server: OAuthServer = self.server
        return server.take_code(self.request, client, code)

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Do nothing: the code was deleted when it was taken."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> str:
        return authorization_code.grant_id

    def create_token_response(self) -> tuple[int, dict[str, Any], list[Any]]:
        server: OAuthServer = self.server
        request: OAuthRequest = self.request
        code: AuthorizationCode = request.authorization_code
        body = server.issue_person_tokens(
            request,
            request.client,
            code.grant_id,
            access_scopes=tuple(code.scope.split()),
            grant_type=AUTHORIZATION_CODE,
        )
        return 200, body, list(self.TOKEN_RESPONSE_HEADER)


class RefreshTokenRotation(RefreshTokenGrant):  # type: ignore[misc]
    """The refresh token grant: each use returns a new refresh token.

    The new refresh token keeps the grant's scope. A request may narrow the
    access token's scope, never widen it (RFC 6749 section 6).
    """

    TOKEN_ENDPOINT_AUTH_METHODS = PERSON_CLIENT_AUTH_METHODS

    def validate_token_request(self) -> None:
        client = self._validate_request_client()
        self.request.client = client
        if not self.request.form.get("refresh_token"):
            raise InvalidRequestError(
                description="the refresh_token parameter is missing"
            )
        requested = self.request.payload.scope
        if requested is not None and not all(
            SCOPE_TOKEN.fullmatch(name) for name in requested.split(" ")
        ):
            raise InvalidScopeError(
                description="scope must be scope names separated by single spaces"
            )

    def create_token_response(self) -> tuple[int, dict[str, Any], list[Any]]:
        server: OAuthServer = self.server
        request: OAuthRequest = self.request
        requested = request.payload.scope
        body = server.rotate_refresh_token(
            request,
            request.client,
            request.form["refresh_token"],
            tuple(sorted(set(requested.split()))) if requested else None,
        )
        return 200, body, list(self.TOKEN_RESPONSE_HEADER)


@dataclass(frozen=True, slots=True)
class RefreshHandle:
    """A refresh token presented for revocation: the grant it belongs to."""

    grant_id: str
    client_id: str


class Revocation(RevocationEndpoint):  # type: ignore[misc]
    """RFC 7009 revocation of tokens issued to the calling client.

    Revoking a refresh token revokes its whole grant, access tokens included
    (RFC 7009 section 2.1).
    """

    CLIENT_AUTH_METHODS = PERSON_CLIENT_AUTH_METHODS
    SUPPORTED_TOKEN_TYPES = TOKEN_TYPE_HINTS

    def check_params(self, request: OAuthRequest, client: RegisteredClient) -> None:
        _check_token_params(request)

    def query_token(
        self, token_string: str, token_type_hint: str | None
    ) -> VerifiedToken | RefreshHandle | None:
        server: OAuthServer = self.server
        if "." not in token_string:
            return server.find_refresh_token(token_string)
        return server.read_token(token_string)

    def authenticate_token(
        self, request: OAuthRequest, client: RegisteredClient
    ) -> VerifiedToken | RefreshHandle | None:
        """Return the token to revoke, or None if it is invalid or expired.

        An invalid token gets a success response (RFC 7009 section 2.2).

        Raises:
            InvalidGrantError: the token was issued to another client.
        """
        self.check_params(request, client)
        token = self.query_token(request.form["token"], None)
        if token is None:
            return None
        if isinstance(token, RefreshHandle):
            if token.client_id != client.client_id:
                raise InvalidGrantError(
                    description="the token was issued to another client; a "
                    "client may revoke only its own tokens"
                )
            return token
        if token.claims.get("client_id") != client.client_id:
            request.events.append(
                _token_event(REVOKE_TOKEN, "deny", client, token, "another_client")
            )
            raise InvalidGrantError(
                description="the token was issued to another client; a client "
                "may revoke only its own tokens"
            )
        return token

    def revoke_token(
        self, token: VerifiedToken | RefreshHandle, request: OAuthRequest
    ) -> None:
        server: OAuthServer = self.server
        client: RegisteredClient = request.client
        if isinstance(token, RefreshHandle):
            server.end_grant(request, client, token.grant_id, "revoked_by_client")
            return
        server.revoke(token)
        request.events.append(_token_event(REVOKE_TOKEN, "allow", client, token))


class Introspection(IntrospectionEndpoint):  # type: ignore[misc]
    """RFC 7662 introspection, for authenticated confidential clients."""

    CLIENT_AUTH_METHODS = list(CONFIDENTIAL_AUTH_METHODS)
    SUPPORTED_TOKEN_TYPES = TOKEN_TYPE_HINTS

    def check_params(self, request: OAuthRequest, client: RegisteredClient) -> None:
        _check_token_params(request)

    def query_token(
        self, token_string: str, token_type_hint: str | None
    ) -> VerifiedToken | None:
        server: OAuthServer = self.server
        return server.read_token(token_string)

    def check_permission(
        self, token: VerifiedToken, client: RegisteredClient, request: OAuthRequest
    ) -> bool:
        # A token's claims are readable by whoever holds it, so any
        # confidential client may learn whether a token it holds is active.
        return client.kind == CONFIDENTIAL

    def create_introspection_payload(
        self, token: VerifiedToken | None
    ) -> dict[str, Any]:
        # verify_token already rejects expired and revoked tokens.
        if token is None:
            return {"active": False}
        return self.introspect_token(token)

    def introspect_token(self, token: VerifiedToken) -> dict[str, Any]:
        payload: dict[str, Any] = {"active": True, "token_type": "Bearer"}
        for name in INTROSPECTED_CLAIMS:
            if name in token.claims:
                payload[name] = token.claims[name]
        return payload


class OAuthServer(AuthorizationServer):  # type: ignore[misc]
    """authlib's authorization server bound to the client table and token keys.

    One instance serves every request. Each request carries its own state on
    its ``OAuthRequest``, and clients are read in a session of their own.
    """

    def __init__(
        self,
        sessions: Callable[[], AbstractContextManager[Session]],
        tokens: TokenService,
        replay_cache: ReplayCache,
        revoked: RevokedTokens,
        clock: Callable[[], float],
        codes: AuthorizationCodes,
        rate_limiter: RateLimiter | None = None,
        page_limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(scopes_supported=list(_all_scopes()))
        self._sessions = sessions
        self._tokens = tokens
        self._revoked = revoked
        self._clock = clock
        self.codes = codes
        self.rate_limiter = rate_limiter
        self.page_limiter = page_limiter
        self.issuer = tokens.issuer.rstrip("/")
        self.token_endpoint = self.issuer + TOKEN_PATH
        self.register_client_auth_method(
            PRIVATE_KEY_JWT,
            PrivateKeyJwtAuthentication(
                [self.issuer, self.token_endpoint], replay_cache, clock
            ),
        )
        self.register_client_auth_method(
            CLIENT_SECRET_BASIC, authenticate_client_secret_basic
        )
        self.register_grant(ClientCredentials)
        self.register_grant(AuthorizationCodeExchange, [CodeChallenge(required=True)])
        self.register_grant(RefreshTokenRotation)
        self.register_endpoint(Revocation(self))
        self.register_endpoint(Introspection(self))

    def metadata(self) -> dict[str, Any]:
        """Return the RFC 8414 metadata, listing only what is implemented."""
        methods = list(PERSON_CLIENT_AUTH_METHODS)
        algorithms = list(ASSERTION_ALGORITHMS)
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + AUTHORIZATION_PATH,
            "token_endpoint": self.token_endpoint,
            "jwks_uri": self.issuer + JWKS_PATH,
            "scopes_supported": list(_all_scopes()),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": list(GRANT_TYPES),
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
            "token_endpoint_auth_methods_supported": methods,
            "token_endpoint_auth_signing_alg_values_supported": algorithms,
            "revocation_endpoint": self.issuer + REVOCATION_PATH,
            "revocation_endpoint_auth_methods_supported": methods,
            "revocation_endpoint_auth_signing_alg_values_supported": algorithms,
            "introspection_endpoint": self.issuer + INTROSPECTION_PATH,
            "introspection_endpoint_auth_methods_supported": list(
                CONFIDENTIAL_AUTH_METHODS
            ),
            "introspection_endpoint_auth_signing_alg_values_supported": algorithms,
        }

    def respond(self, http: HttpInput) -> tuple[OAuthResponse, list[OAuthEvent]]:
        """Handle one request to the token, revocation or introspection endpoint.

        Returns the response and the audit events to write before sending it.
        """
        try:
            request = self.create_oauth2_request(http)
        except OAuth2Error as error:
            response: OAuthResponse = self.handle_error_response(None, error)
            return response, []
        limited = self._rate_limited(request, http.remote)
        if limited is not None:
            return limited, []
        if http.endpoint == "token":
            response = self.create_token_response(request)
        else:
            response = self.create_endpoint_response(http.endpoint, request)
        return response, request.events

    def _rate_limited(self, request: OAuthRequest, remote: str) -> OAuthResponse | None:
        """Count the request against its client id, or its address if it names none.

        Returns the 429 response when the count is over the limit.
        """
        if self.rate_limiter is None:
            return None
        presented = _presented_methods(request)
        claimed = presented[0][1] if presented else None
        subject = f"client:{claimed}" if claimed else f"address:{remote}"
        try:
            wait = self.rate_limiter.allow(subject, self._clock())
        except OAuthStoreError:
            # The limit guards against overload, not against access: with the
            # store down, requests go on to the checks that do fail closed.
            return None
        if wait is None:
            return None
        return OAuthResponse(
            429,
            {
                "error": "temporarily_unavailable",
                "error_description": "too many requests for this client; retry "
                f"after {wait} seconds",
            },
            [("Retry-After", str(wait))],
        )

    def create_oauth2_request(self, request: HttpInput | OAuthRequest) -> OAuthRequest:
        if isinstance(request, OAuthRequest):
            return request
        path = {
            "token": TOKEN_PATH,
            "revocation": REVOCATION_PATH,
            "introspection": INTROSPECTION_PATH,
        }[request.endpoint]
        # authlib's transport check gets the configured issuer, because a
        # TLS-terminating proxy hides the client's scheme from the service.
        if not is_secure_transport(self.issuer):
            raise InvalidRequestError(
                description="the server issuer is not https; set CCUS_ISSUER to "
                "its https URL"
            )
        form = read_form(request.content_type, request.body)
        headers: dict[str, str] = {}
        if request.authorization is not None:
            headers["Authorization"] = request.authorization
        return OAuthRequest(request.endpoint, self.issuer + path, form, headers)

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> OAuthResponse:
        return OAuthResponse(status, dict(body or {}), list(headers))

    def handle_error_response(
        self, request: OAuthRequest | None, error: OAuth2Error
    ) -> OAuthResponse:
        if (
            request is not None
            and request.endpoint == "token"
            and request.authenticated is not None
        ):
            client = request.authenticated
            request.events.append(
                OAuthEvent(
                    ISSUE_TOKEN,
                    "deny",
                    client.client_id,
                    [
                        {"kind": "grant_type", "ref": _grant_type(request)},
                        {"kind": "failure", "ref": str(error.error)},
                    ],
                    site_id=client.site_id,
                )
            )
        response: OAuthResponse = super().handle_error_response(request, error)
        return response

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Ignore authlib's signals, because each event is recorded where it happens."""

    def get_token_grant(self, request: OAuthRequest) -> Any:
        """Return the grant of the request.

        Raises:
            OAuth2Error: unsupported_grant_type, without echoing the value sent.
        """
        grant_type = request.payload.grant_type
        served = ", ".join(GRANT_TYPES)
        if grant_type is None and "response_type" not in request.form:
            raise InvalidRequestError(
                description=f"grant_type is missing; send one of: {served}"
            )
        if grant_type not in GRANT_TYPES:
            raise OAuth2Error(
                error="unsupported_grant_type",
                description=f"the grant types served are: {served}",
            )
        return super().get_token_grant(request)

    def create_token_response(self, request: OAuthRequest) -> OAuthResponse:
        """Run the token request's grant and turn any OAuth error into the response.

        authlib's own version lets errors other than an unsupported grant
        type escape from ``get_token_grant``.
        """
        try:
            grant = self.get_token_grant(request)
            grant.validate_token_request()
            status, body, headers = grant.create_token_response()
        except OAuth2Error as error:
            return self.handle_error_response(request, error)
        return self.handle_response(status, body, headers)

    def query_client(self, client_id: str) -> RegisteredClient | None:
        """Return the enabled client ``client_id``, or None."""
        if not isinstance(client_id, str) or not CLIENT_ID_PATTERN.fullmatch(client_id):
            return None
        with self._sessions() as session:
            client = find_client(session, client_id)
        return client if client is not None and client.enabled else None

    def authenticate_client(
        self, request: OAuthRequest, methods: list[str], endpoint: str = "token"
    ) -> RegisteredClient:
        """Authenticate the client by the one method it used, recording the outcome.

        Raises:
            InvalidClientError: no method, a method not accepted, or a failure.
            InvalidRequestError: more than one method in the request.
        """
        presented = _presented_methods(request)
        if not presented:
            self._deny(
                request,
                None,
                None,
                "no_credentials",
                InvalidClientError(
                    status_code=401,
                    description="client authentication is required; use "
                    f"{' or '.join(methods)}",
                ),
            )
        method, claimed = presented[0]
        if len(presented) > 1:
            self._deny(
                request,
                method,
                claimed,
                "several_methods",
                InvalidRequestError(
                    description="use exactly one client authentication method"
                ),
            )
        if method not in methods:
            self._deny(
                request,
                method,
                claimed,
                "method_not_accepted",
                InvalidClientError(
                    status_code=401,
                    description=f"client authentication by {method} is not "
                    f"accepted; use {' or '.join(methods)}",
                ),
            )
        if method == PRIVATE_KEY_JWT and (
            request.form.get("client_assertion_type") != ASSERTION_TYPE
            or not request.form.get("client_assertion")
        ):
            self._deny(
                request,
                method,
                claimed,
                "malformed_assertion",
                InvalidClientError(
                    status_code=401,
                    description="private_key_jwt needs client_assertion and "
                    f"client_assertion_type={ASSERTION_TYPE}",
                ),
            )
        try:
            client: RegisteredClient = super().authenticate_client(
                request, [method], endpoint
            )
        except InvalidClientError as error:
            error.status_code = 401
            reason = getattr(error, "reason", None) or "invalid_client"
            self._deny(request, method, claimed, reason, error)
        if request.form.get("client_id", client.client_id) != client.client_id:
            self._deny(
                request,
                method,
                client.client_id,
                "client_id_mismatch",
                InvalidClientError(
                    status_code=401,
                    description="client_id differs from the authenticated client",
                ),
            )
        request.events.append(
            OAuthEvent(
                CLIENT_AUTHENTICATION,
                "allow",
                client.client_id,
                [
                    {"kind": "method", "ref": method},
                    {"kind": "endpoint", "ref": endpoint},
                ],
                site_id=client.site_id,
            )
        )
        request.authenticated = client
        return client

    def issue_client_token(
        self, request: OAuthRequest, client: RegisteredClient, scope: str
    ) -> dict[str, Any]:
        """Sign a token for the actor the client acts as and record the event."""
        actor = _client_actor(client, frozenset(scope.split()))
        issued: IssuedToken = self._tokens.issue_access_token(
            actor, ACCESS_TOKEN_LIFETIME_SECONDS
        )
        request.events.append(
            OAuthEvent(
                ISSUE_TOKEN,
                "allow",
                client.client_id,
                [
                    {"kind": "grant_type", "ref": CLIENT_CREDENTIALS},
                    {"kind": "acts_as", "ref": str(client.acts_as)},
                    {"kind": "scope", "ref": scope},
                    {"kind": "token", "ref": issued.jti},
                ],
                site_id=client.site_id,
            )
        )
        return {
            "access_token": issued.token,
            "token_type": "Bearer",
            "expires_in": issued.expires_at - issued.issued_at,
            "scope": scope,
        }

    def take_code(
        self, request: OAuthRequest, client: RegisteredClient, value: str
    ) -> AuthorizationCode | None:
        """Take an authorization code of ``client``, or None if it is not valid.

        A code used before revokes the grant it was issued under, so that a
        stolen code gains nothing even after the rightful client used it.
        """
        taken = self.codes.take(value, self._clock())
        if taken.reused_grant_id is not None:
            self.end_grant(request, client, taken.reused_grant_id, CODE_REUSED)
            return None
        code = taken.code
        if code is None or code.client_id != client.client_id:
            return None
        return code

    def issue_person_tokens(
        self,
        request: OAuthRequest,
        client: RegisteredClient,
        grant_id: str,
        access_scopes: tuple[str, ...],
        grant_type: str,
    ) -> dict[str, Any]:
        """Issue an access token, and a refresh token if the client may refresh.

        Raises:
            InvalidGrantError: the grant was revoked, or its person's record
                no longer exists.
        """
        now = _utc(self._clock())
        with self._sessions() as session:
            grant = find_grant(session, grant_id)
            if grant is None or grant.revoked_at is not None:
                raise InvalidGrantError(
                    description="the grant was revoked; ask the person to "
                    "approve the application again"
                )
            body = self._person_tokens(
                session, request, client, grant, access_scopes, now, grant_type
            )
            if client.check_grant_type(REFRESH_TOKEN):
                refresh, _ = issue_refresh_token(
                    session, grant, tuple(grant.scopes), now
                )
                body["refresh_token"] = refresh
            session.commit()
        return body

    def rotate_refresh_token(
        self,
        request: OAuthRequest,
        client: RegisteredClient,
        token: str,
        requested: tuple[str, ...] | None,
    ) -> dict[str, Any]:
        """Use a refresh token once and issue the next pair.

        Raises:
            InvalidGrantError: the token is unknown, expired, revoked, another
                client's, or was used before (which revokes its grant).
            InvalidScopeError: the request wants more than the grant holds.
        """
        now = _utc(self._clock())
        with self._sessions() as session:
            outcome = use_refresh_token(
                session, token, client.client_id, now, requested
            )
            if outcome.wider_scope:
                raise InvalidScopeError(
                    description="the requested scope exceeds the scope the "
                    "person granted; ask for the same scope or less"
                )
            if outcome.reused_grant_id is not None:
                session.commit()
                self._revoke_ids(outcome.revoked_jtis)
                request.events.append(
                    _grant_event(client, outcome.reused_grant_id, REUSED)
                )
                raise InvalidGrantError(
                    description="the refresh token was used before, so every "
                    "token of its grant is revoked; ask the person to approve "
                    "the application again"
                )
            grant = outcome.grant
            if grant is None:
                raise InvalidGrantError(
                    description="the refresh token is unknown, expired or revoked"
                )
            access = requested if requested is not None else outcome.scopes
            body = self._person_tokens(
                session, request, client, grant, access, now, REFRESH_TOKEN
            )
            refresh, _ = issue_refresh_token(session, grant, outcome.scopes, now)
            body["refresh_token"] = refresh
            session.commit()
        return body

    def _person_tokens(
        self,
        session: Session,
        request: OAuthRequest,
        client: RegisteredClient,
        grant: OAuthGrant,
        scopes: tuple[str, ...],
        now: datetime,
        grant_type: str,
    ) -> dict[str, Any]:
        actor = actor_of_grant(session, grant, scopes)
        if actor is None:
            raise InvalidGrantError(
                description="the person's record no longer exists, so the "
                "grant gives no access"
            )
        issued = self._tokens.issue_access_token(actor, ACCESS_TOKEN_LIFETIME_SECONDS)
        record_access_token(
            session, grant.grant_id, issued.jti, _utc(issued.expires_at), now
        )
        scope = " ".join(sorted(scopes))
        request.events.append(
            OAuthEvent(
                ISSUE_TOKEN,
                "allow",
                client.client_id,
                [
                    {"kind": "grant_type", "ref": grant_type},
                    {"kind": "grant", "ref": grant.grant_id},
                    {"kind": "acts_for", "ref": actor.kind},
                    {"kind": "scope", "ref": scope},
                    {"kind": "token", "ref": issued.jti},
                ],
            )
        )
        return {
            "access_token": issued.token,
            "token_type": "Bearer",
            "expires_in": issued.expires_at - issued.issued_at,
            "scope": scope,
        }

    def find_refresh_token(self, token: str) -> RefreshHandle | None:
        """Return the grant of an unrevoked refresh token, or None."""
        with self._sessions() as session:
            row = session.get(OAuthRefreshToken, digest(token))
            if row is None:
                return None
            grant = find_grant(session, row.grant_id)
            if grant is None or grant.revoked_at is not None:
                return None
            return RefreshHandle(grant_id=grant.grant_id, client_id=grant.client_id)

    def end_grant(
        self,
        request: OAuthRequest,
        client: RegisteredClient,
        grant_id: str,
        reason: str,
    ) -> None:
        """Revoke a grant of ``client`` with all its tokens, and record why."""
        now = _utc(self._clock())
        with self._sessions() as session:
            grant = find_grant(session, grant_id)
            if grant is None or grant.client_id != client.client_id:
                return
            jtis = revoke_grant(session, grant, reason, now)
            session.commit()
        self._revoke_ids(jtis)
        request.events.append(_grant_event(client, grant_id, reason))

    def revoke_ids(self, jtis: tuple[tuple[str, int], ...]) -> None:
        """Put access token ids on the revocation list until each expires."""
        self._revoke_ids(jtis)

    def _revoke_ids(self, jtis: tuple[tuple[str, int], ...]) -> None:
        now = self._clock()
        for jti, expires_at in jtis:
            self._revoked.revoke(jti, expires_at, now)

    def read_token(self, token: str) -> VerifiedToken | None:
        """Return the verified, unrevoked token, or None if it fails any check."""
        if len(token) > MAX_TOKEN_LENGTH:
            return None
        try:
            return self._tokens.verify_token(token)
        except InvalidToken:
            return None

    def revoke(self, token: VerifiedToken) -> None:
        """Put the token's id on the revocation list until the token expires."""
        self._revoked.revoke(token.jti, token.expires_at, self._clock())

    def _deny(
        self,
        request: OAuthRequest,
        method: str | None,
        claimed: str | None,
        reason: str,
        error: OAuth2Error,
    ) -> NoReturn:
        """Record a failed client authentication and raise ``error``."""
        client = self._registered(claimed)
        basis = [{"kind": "method", "ref": method or "none_presented"}]
        basis.append({"kind": "endpoint", "ref": request.endpoint})
        basis.append({"kind": "failure", "ref": reason})
        request.events.append(
            OAuthEvent(
                CLIENT_AUTHENTICATION,
                "deny",
                client.client_id if client else None,
                basis,
                site_id=client.site_id if client else None,
            )
        )
        raise error

    def find_registered(self, client_id: str) -> RegisteredClient | None:
        """Return the client ``client_id`` names, enabled or not, or None."""
        return self._registered(client_id)

    def _registered(self, client_id: str | None) -> RegisteredClient | None:
        """Return the client ``client_id`` names, enabled or not."""
        if client_id is None or not CLIENT_ID_PATTERN.fullmatch(client_id):
            return None
        with self._sessions() as session:
            return find_client(session, client_id)


def _check_token_params(request: OAuthRequest) -> None:
    if "token" not in request.form:
        raise InvalidRequestError(description="the token parameter is missing")
    hint = request.form.get("token_type_hint")
    if hint is not None and hint not in TOKEN_TYPE_HINTS:
        raise OAuth2Error(
            error="unsupported_token_type",
            description="token_type_hint must be access_token or refresh_token",
            status_code=400,
        )


def _presented_methods(request: OAuthRequest) -> list[tuple[str, str | None]]:
    """List each client authentication method in the request with its client id.

    The client id is as sent, unverified: the Basic user name, the
    assertion's ``sub``, or the ``client_id`` parameter. The list is kept on
    the request, since the rate limit and client authentication both read it.
    """
    if request.presented is not None:
        return request.presented
    presented: list[tuple[str, str | None]] = []
    form = request.form
    authorization = request.headers.get("Authorization")
    if authorization and authorization.split(None, 1)[0].lower() == "basic":
        presented.append((CLIENT_SECRET_BASIC, _basic_user(authorization)))
    if "client_assertion" in form or "client_assertion_type" in form:
        presented.append((PRIVATE_KEY_JWT, _assertion_subject(form)))
    if "client_secret" in form:
        presented.append(("client_secret_post", form.get("client_id")))
    if not presented and "client_id" in form:
        presented.append(("none", form["client_id"]))
    request.presented = presented
    return presented


def _basic_user(authorization: str) -> str | None:
    try:
        user, _ = extract_basic_authorization({"Authorization": authorization})
    except (UnicodeDecodeError, ValueError):
        return None
    return user if isinstance(user, str) else None


def _assertion_subject(form: dict[str, str]) -> str | None:
    assertion = form.get("client_assertion")
    if not assertion:
        return None
    try:
        payload = jws.extract_compact(assertion.encode("ascii")).payload
        claims = json.loads(payload)
    except (JoseError, ValueError, UnicodeError):
        return None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return subject if isinstance(subject, str) else None


def _client_actor(client: RegisteredClient, scopes: frozenset[str]) -> Actor:
    if client.acts_as == DEVICE and client.site_id is not None:
        return DeviceActor(
            subject=client.client_id,
            client_id=client.client_id,
            scopes=scopes,
            site_id=client.site_id,
        )
    if client.acts_as == REGULATOR:
        return RegulatorActor(
            subject=client.client_id, client_id=client.client_id, scopes=scopes
        )
    raise UnauthorizedClientError(
        description="the client acts as no device or regulator"
    )


def _token_event(
    action: str,
    decision: str,
    client: RegisteredClient,
    token: VerifiedToken,
    failure: str | None = None,
) -> OAuthEvent:
    basis = [{"kind": "token", "ref": token.jti}]
    if failure is not None:
        basis.append({"kind": "failure", "ref": failure})
    return OAuthEvent(action, decision, client.client_id, basis, site_id=client.site_id)


def _grant_event(client: RegisteredClient, grant_id: str, reason: str) -> OAuthEvent:
    return OAuthEvent(
        REVOKE_GRANT,
        "allow",
        client.client_id,
        [{"kind": "grant", "ref": grant_id}, {"kind": "reason", "ref": reason}],
    )


def _all_scopes() -> tuple[str, ...]:
    """Return every scope some client may be granted, sorted."""
    names: set[str] = set(scopes_open_to(None))
    for kind in (DEVICE, REGULATOR):
        names.update(scopes_open_to(kind))
    return tuple(sorted(names))


def _grant_type(request: OAuthRequest) -> str:
    grant_type = request.form.get("grant_type")
    return grant_type if grant_type in GRANT_TYPES else "unsupported"


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
