"""The local OpenID Provider: authlib's authorization code grant, wired for the demo.

It has one client, the service itself, registered with the redirect URI
``{CCUS_ISSUER}/login/callback`` and the key set at
``{CCUS_ISSUER}/login/jwks.json``, which it fetches over HTTP like a real
provider. It requires:

- ``response_type=code``, the exact redirect URI, ``scope`` with ``openid``,
  a ``nonce``, and PKCE with ``code_challenge_method=S256``;
- ``private_key_jwt`` at the token endpoint, checked by the service's own
  assertion verifier (``ccus.oauth.assertions``) against the client's keys;
- each authorization code once: codes live in the value store for
  ``CODE_TTL_SECONDS`` and are taken, not read.

Authorization responses, errors included, carry ``iss`` (RFC 9207). ID tokens
are ES256 and carry ``name``, ``birthdate``, ``gender`` and ``address``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from authlib.oauth2.rfc6749 import (  # type: ignore[import-untyped]
    AuthorizationServer,
    ClientMixin,
    InvalidClientError,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import (  # type: ignore[import-untyped]
    AuthorizationCodeGrant,
)
from authlib.oauth2.rfc6749.requests import (  # type: ignore[import-untyped]
    BasicOAuth2Payload,
)
from authlib.oauth2.rfc7636 import CodeChallenge  # type: ignore[import-untyped]
from authlib.oauth2.rfc9207 import IssuerParameter  # type: ignore[import-untyped]
from authlib.oidc.core import AuthorizationCodeMixin  # type: ignore[import-untyped]
from authlib.oidc.core.grants import OpenIDCode  # type: ignore[import-untyped]
from joserfc import jws, jwt
from joserfc.errors import JoseError

from ccus.idp.holders import CardHolder, holders_path, read_holders
from ccus.login.keys import SIGNING_ALGORITHM, SigningKeyFile
from ccus.login.provider import ProviderUnavailable, RemoteKeySet
from ccus.login.store import ValueStore
from ccus.oauth.assertions import PrivateKeyJwtAuthentication
from ccus.oauth.stores import ReplayCache

BASE_PATH = "/idp"
AUTHORIZE_PATH = BASE_PATH + "/authorize"
TOKEN_PATH = BASE_PATH + "/token"  # noqa: S105 - a path, not a secret
JWKS_PATH = BASE_PATH + "/jwks.json"
DISCOVERY_PATH = BASE_PATH + "/.well-known/openid-configuration"
PRIVATE_KEY_JWT = "private_key_jwt"
# A code is redeemed seconds after the redirect; RFC 6749 section 4.1.2
# recommends at most ten minutes.
CODE_TTL_SECONDS = 60
# The person has this long to choose a card holder.
PENDING_TTL_SECONDS = 600
ID_TOKEN_LIFETIME_SECONDS = 300
ACCESS_TOKEN_LIFETIME_SECONDS = 300
KEY_PREFIX = "ccus:idp:"
# OpenID Connect Core 1.0 section 5.4: profile releases name, birthdate and
# gender, and address releases the address.
SCOPES = ("openid", "profile", "address")
MAX_PARAMETER_LENGTH = 2048


@dataclass(slots=True)
class ProviderResponse:
    """Status, body and headers of a provider response, as authlib builds them."""

    status: int
    body: Any
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def location(self) -> str | None:
        for name, value in self.headers:
            if name.lower() == "location":
                return value
        return None

    @location.setter
    def location(self, value: str) -> None:
        # authlib's IssuerParameter sets the location to add iss.
        kept = [(n, v) for n, v in self.headers if n.lower() != "location"]
        self.headers = [*kept, ("Location", value)]


class ProviderRequest(OAuth2Request):  # type: ignore[misc]
    """An authorization or token request, from query or form values."""

    def __init__(
        self, method: str, uri: str, values: dict[str, str], headers: dict[str, str]
    ) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        self.payload = BasicOAuth2Payload(values)
        self._values = values

    @property
    def args(self) -> dict[str, str]:
        return self._values if self.method == "GET" else {}

    @property
    def form(self) -> dict[str, str]:
        return self._values if self.method == "POST" else {}


class ServiceClient(ClientMixin):  # type: ignore[misc]
    """The service, registered at the local provider as its only client.

    ``token_endpoint_auth_method`` and ``jwks`` are what the service's
    assertion verifier reads.
    """

    token_endpoint_auth_method = PRIVATE_KEY_JWT

    def __init__(self, client_id: str, redirect_uri: str, keys: RemoteKeySet) -> None:
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.keys = keys

    @property
    def jwks(self) -> dict[str, Any]:
        return self.keys.document()

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """Return the supported scopes requested, or None without ``openid``.

        authlib turns None into an invalid_scope error, because the provider
        serves OpenID Connect logins only.
        """
        requested = (scope or "").split()
        if "openid" not in requested:
            return None
        return " ".join(name for name in SCOPES if name in requested)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == PRIVATE_KEY_JWT

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass(frozen=True, slots=True)
class CodeRecord(AuthorizationCodeMixin):  # type: ignore[misc]
    """The client, redirect URI, scope, nonce, challenge and holder of one code."""

    client_id: str
    redirect_uri: str
    scope: str
    nonce: str
    code_challenge: str
    code_challenge_method: str
    sub: str
    auth_time: int

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


class CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    """The authorization code grant with single-use codes in the value store."""

    TOKEN_ENDPOINT_AUTH_METHODS = [PRIVATE_KEY_JWT]

    def save_authorization_code(self, code: str, request: ProviderRequest) -> None:
        provider: LocalProvider = self.server
        holder: CardHolder = request.user
        data = request.payload.data
        record = CodeRecord(
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            nonce=data["nonce"],
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            sub=holder.sub,
            auth_time=int(provider.clock()),
        )
        provider.values.put(
            _code_key(code), json.dumps(asdict(record)).encode(), CODE_TTL_SECONDS
        )

    def query_authorization_code(
        self, code: str, client: ServiceClient
    ) -> CodeRecord | None:
        """Take the code from the store, so that it can be redeemed once only."""
        provider: LocalProvider = self.server
        if len(code) > MAX_PARAMETER_LENGTH:
            return None
        raw = provider.values.take(_code_key(code))
        if raw is None:
            return None
        record = CodeRecord(**json.loads(raw))
        return record if record.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code: CodeRecord) -> None:
        """Do nothing, because ``query_authorization_code`` took the code already."""

    def authenticate_user(self, authorization_code: CodeRecord) -> CardHolder | None:
        provider: LocalProvider = self.server
        return provider.holder(authorization_code.sub)


class S256Challenge(CodeChallenge):  # type: ignore[misc]
    """PKCE that requires a challenge with method S256 on every request."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: CodeGrant, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if (
            not data.get("code_challenge")
            or data.get("code_challenge_method") != "S256"
        ):
            raise InvalidRequestError(
                description="PKCE is required: send code_challenge with "
                "code_challenge_method=S256",
                redirect_uri=redirect_uri,
            )
        super().validate_code_challenge(grant, redirect_uri)


class IdTokenExtension(OpenIDCode):  # type: ignore[misc]
    """OpenID Connect on the code grant, with a required nonce and ES256 ID tokens."""

    def __init__(self, provider: LocalProvider) -> None:
        super().__init__(require_nonce=True)
        self._provider = provider

    def exists_nonce(self, nonce: str, request: ProviderRequest) -> bool:
        # The relying party rejects a replayed nonce; the provider issues a
        # code per request and does not track nonces.
        return False

    def encode_id_token(self, token: dict[str, Any], request: ProviderRequest) -> str:
        return self._provider.sign_id_token(request.user, request.authorization_code)


class Issuer(IssuerParameter):  # type: ignore[misc]
    """Add ``iss`` to every authorization response (RFC 9207)."""

    def __init__(self, issuer: str) -> None:
        self._issuer = issuer

    def get_issuer(self) -> str:
        return self._issuer


class LocalProvider(AuthorizationServer):  # type: ignore[misc]
    """The local demo provider, one instance per service process."""

    def __init__(
        self,
        service_issuer: str,
        client_id: str,
        values: ValueStore,
        replay_cache: ReplayCache,
        signing_key: SigningKeyFile,
        data_dir: Path,
        clock: Callable[[], float],
    ) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        service = service_issuer.rstrip("/")
        self.issuer = service + BASE_PATH
        self.values = values
        self.signing_key = signing_key
        self.clock = clock
        self.holders_file = holders_path(data_dir)
        self.client = ServiceClient(
            client_id,
            service + "/login/callback",
            RemoteKeySet(lambda: service + "/login/jwks.json", "service's login JWKS"),
        )
        self.register_client_auth_method(
            PRIVATE_KEY_JWT,
            PrivateKeyJwtAuthentication(
                [self.issuer, service + TOKEN_PATH], replay_cache, clock
            ),
        )
        self.register_grant(
            CodeGrant, [S256Challenge(required=True), IdTokenExtension(self)]
        )
        self.register_extension(Issuer(self.issuer))
        self.register_token_generator("default", self._bearer_token)

    def metadata(self) -> dict[str, Any]:
        """Return the discovery document (OpenID Connect Discovery 1.0)."""
        base = self.issuer.removesuffix(BASE_PATH)
        return {
            "issuer": self.issuer,
            "authorization_endpoint": base + AUTHORIZE_PATH,
            "token_endpoint": base + TOKEN_PATH,
            "jwks_uri": base + JWKS_PATH,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "scopes_supported": list(SCOPES),
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "name",
                "birthdate",
                "gender",
                "address",
            ],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [PRIVATE_KEY_JWT],
            "token_endpoint_auth_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "authorization_response_iss_parameter_supported": True,
        }

    def jwks(self) -> dict[str, Any]:
        return self.signing_key.public_jwks()

    def holders(self) -> list[CardHolder]:
        """Read the card holders file; it changes when the demo is loaded again."""
        return read_holders(self.holders_file)

    def holder(self, sub: str) -> CardHolder | None:
        return next((h for h in self.holders() if h.sub == sub), None)

    def sign_id_token(self, holder: CardHolder, code: CodeRecord) -> str:
        """Sign the ID token of ``holder`` for the code's client, nonce and scope."""
        now = int(self.clock())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": holder.sub,
            "aud": code.client_id,
            "iat": now,
            "exp": now + ID_TOKEN_LIFETIME_SECONDS,
            "auth_time": code.auth_time,
            "nonce": code.nonce,
        }
        scopes = code.scope.split()
        if "profile" in scopes:
            claims.update(
                name=holder.name, birthdate=holder.birthdate, gender=holder.gender
            )
        if "address" in scopes:
            claims["address"] = {
                "formatted": holder.address,
                "postal_code": holder.postal_code,
            }
        key = self.signing_key.key()
        header = {"alg": SIGNING_ALGORITHM, "kid": key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, key, algorithms=[SIGNING_ALGORITHM])

    # Requests

    def authorization_request(self, values: dict[str, str]) -> ProviderRequest:
        return ProviderRequest(
            "GET", self.issuer.removesuffix(BASE_PATH) + AUTHORIZE_PATH, values, {}
        )

    def check_authorization(self, values: dict[str, str]) -> Any:
        """Validate an authorization request and return its grant.

        Raises:
            OAuth2Error: the request is invalid. Its ``redirect_uri`` is set
                only when the client and redirect URI were verified, so that
                the error may be sent there.
        """
        return self.get_consent_grant(self.authorization_request(values))

    def error_redirect(self, error: OAuth2Error, state: str | None) -> str:
        """Return the redirect URI with the error, ``state`` and ``iss``."""
        error.state = state
        response = self.handle_error_response(None, error)
        self.execute_hook("after_create_authorization_response", response)
        location: str = response.location
        return location

    def authorize(
        self, values: dict[str, str], holder: CardHolder | None
    ) -> ProviderResponse:
        """Issue a code for ``holder``, or an access_denied error when None."""
        request = self.authorization_request(values)
        grant = self.get_consent_grant(request)
        response: ProviderResponse = self.create_authorization_response(
            request, grant_user=holder, grant=grant
        )
        return response

    def token(self, form: dict[str, str]) -> ProviderResponse:
        """Serve a token request; the client's keys are fetched again for a new kid."""
        try:
            assertion = form.get("client_assertion")
            kid = _unverified_kid(assertion) if assertion else None
            if kid is not None:
                self.client.keys.key(kid)
            request = ProviderRequest(
                "POST", self.issuer.removesuffix(BASE_PATH) + TOKEN_PATH, form, {}
            )
            response: ProviderResponse = self.create_token_response(request)
        except ProviderUnavailable:
            error = InvalidClientError(
                description="the client's key set could not be fetched, so the "
                "client assertion cannot be checked; retry later",
                status_code=401,
            )
            return self.handle_error_response(None, error)  # type: ignore[no-any-return]
        return response

    def pending_put(self, values: dict[str, str]) -> str:
        """Keep a validated authorization request until a holder is chosen."""
        request_id = secrets.token_urlsafe(24)
        self.values.put(
            KEY_PREFIX + "pending:" + request_id,
            json.dumps(values).encode(),
            PENDING_TTL_SECONDS,
        )
        return request_id

    def pending_take(self, request_id: str) -> dict[str, str] | None:
        if not request_id or len(request_id) > 64:
            return None
        raw = self.values.take(KEY_PREFIX + "pending:" + request_id)
        return None if raw is None else dict(json.loads(raw))

    # authlib integration

    def query_client(self, client_id: str) -> ServiceClient | None:
        return self.client if client_id == self.client.client_id else None

    def save_token(self, token: dict[str, Any], request: ProviderRequest) -> None:
        """Keep nothing: the provider serves no userinfo, so tokens are unused."""

    def create_oauth2_request(self, request: Any) -> ProviderRequest:
        if not isinstance(request, ProviderRequest):
            raise TypeError("the local provider builds its own requests")
        return request

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> ProviderResponse:
        return ProviderResponse(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Ignore authlib's signals."""

    def _bearer_token(
        self,
        grant_type: str,
        client: ServiceClient,
        user: CardHolder | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        # NOTE: the provider has no userinfo endpoint, so nothing accepts this
        # access token; OpenID Connect requires one in the token response.
        return {
            "token_type": "Bearer",
            "access_token": secrets.token_urlsafe(32),
            "expires_in": ACCESS_TOKEN_LIFETIME_SECONDS,
            "scope": scope or "openid",
        }


def _code_key(code: str) -> str:
    return (
        KEY_PREFIX
        + "code:"
        + hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()
    )


def _unverified_kid(assertion: str) -> str | None:
    try:
        kid = jws.extract_compact(assertion.encode("ascii")).headers().get("kid")
    except (JoseError, ValueError, UnicodeError):
        return None
    return kid if isinstance(kid, str) and len(kid) <= 200 else None
