"""The relying party: start a login at the provider and finish it at the callback.

``begin`` stores a pending login under a fresh ``state``, bound to the
browser session, with a ``nonce`` and a PKCE S256 code verifier, and returns
the provider's authorization URL. ``complete`` takes that pending login
(once: a second callback with the same state finds nothing), checks the
callback's ``iss`` (RFC 9207), exchanges the code at the token endpoint with
``private_key_jwt`` (RFC 7523) and verifies the ID token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx
from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.common.urls import url_decode  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.parameters import (  # type: ignore[import-untyped]
    prepare_grant_uri,
    prepare_token_request,
)
from authlib.oauth2.rfc7523.assertion import (  # type: ignore[import-untyped]
    private_key_jwt_sign,
)
from authlib.oauth2.rfc7523.client import (  # type: ignore[import-untyped]
    ASSERTION_TYPE,
)
from authlib.oauth2.rfc7636 import (  # type: ignore[import-untyped]
    create_s256_code_challenge,
)

from ccus.login.id_token import (
    ID_TOKEN_ALGORITHMS,
    MAX_ID_TOKEN_AGE_SECONDS,
    Expectations,
    IdTokenRejected,
    VerifiedIdentity,
    verify_id_token,
)
from ccus.login.keys import SIGNING_ALGORITHM, SigningKeyFile
from ccus.login.provider import (
    HTTP_TIMEOUT_SECONDS,
    ProviderDirectory,
    ProviderMetadata,
    ProviderUnavailable,
)
from ccus.login.store import ValueStore

logger = logging.getLogger(__name__)

CALLBACK_PATH = "/login/callback"
# A person has this long to authenticate at the provider.
STATE_TTL_SECONDS = 600
# A used nonce is remembered as long as an ID token carrying it could pass.
USED_NONCE_TTL_SECONDS = MAX_ID_TOKEN_AGE_SECONDS + 120
CLIENT_ASSERTION_LIFETIME_SECONDS = 60
# OpenID Connect Core 1.0 section 5.4: profile releases name, birthdate and
# gender, and address releases the address.
SCOPE = "openid profile address"
# Error codes of RFC 6749 section 4.1.2.1 and OpenID Connect Core 1.0
# section 3.1.2.6 that a refusal may name; others are not echoed.
AUTHORIZATION_ERRORS = frozenset(
    {
        "invalid_request",
        "unauthorized_client",
        "access_denied",
        "unsupported_response_type",
        "invalid_scope",
        "server_error",
        "temporarily_unavailable",
        "interaction_required",
        "login_required",
        "account_selection_required",
        "consent_required",
        "invalid_request_uri",
        "invalid_request_object",
        "request_not_supported",
        "request_uri_not_supported",
        "registration_not_supported",
    }
)
MAX_PARAMETER_LENGTH = 2048


class LoginRefused(Exception):
    """The callback failed a check; ``reason`` is the audit code.

    The message names what failed and what the person can do, and never
    repeats input.
    """

    def __init__(self, reason: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


@dataclass(frozen=True, slots=True)
class VerifiedLogin:
    """A finished login: the person the provider verified, and the page to return to."""

    login_subject: str
    identity: VerifiedIdentity
    authenticated_at: int
    return_to: str


def login_subject(issuer: str, subject: str) -> str:
    """Return the pseudonym of a provider's subject: hex SHA-256 of iss, NUL, sub."""
    return hashlib.sha256(f"{issuer}\x00{subject}".encode()).hexdigest()


class RelyingParty:
    """The service as a client of the login provider."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        service_issuer: str,
        values: ValueStore,
        client_key: SigningKeyFile,
        clock: Callable[[], float],
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.redirect_uri = service_issuer.rstrip("/") + CALLBACK_PATH
        self.provider = ProviderDirectory(issuer)
        self.client_key = client_key
        self._values = values
        self._clock = clock

    def begin(self, session_ref: str, return_to: str) -> str:
        """Store a pending login for the browser session and return the provider URL.

        Raises:
            ProviderUnavailable: discovery failed or the provider lacks what
                the login needs.
            OAuthStoreError: the value store failed.
        """
        metadata = self._metadata()
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        verifier = generate_token(64)
        pending = {
            "session": session_ref,
            "nonce": nonce,
            "code_verifier": verifier,
            "return_to": return_to,
        }
        self._values.put(
            _state_key(state), json.dumps(pending).encode(), STATE_TTL_SECONDS
        )
        url: str = prepare_grant_uri(
            metadata.authorization_endpoint,
            client_id=self.client_id,
            response_type="code",
            redirect_uri=self.redirect_uri,
            scope=SCOPE,
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
        )
        return url

    def complete(
        self, session_ref: str | None, query: Mapping[str, str]
    ) -> VerifiedLogin:
        """Check a callback, redeem its code and verify the ID token.

        Raises:
            LoginRefused: a check failed; ``reason`` names it.
            OAuthStoreError: the value store failed.
        """
        pending = self._take_pending(session_ref, query)
        error = query.get("error")
        if error is not None:
            named = error if error in AUTHORIZATION_ERRORS else "unknown"
            raise LoginRefused(
                "provider_error",
                f"the login provider ended the login with the error {named}; "
                "start the login again",
            )
        metadata = self._metadata_or_refuse()
        self._check_issuer(metadata, query.get("iss"))
        authorization_code = query.get("code")
        if not authorization_code or len(authorization_code) > MAX_PARAMETER_LENGTH:
            raise LoginRefused(
                "code_missing", "the callback carries no authorization code"
            )
        id_token = self._redeem(metadata, authorization_code, pending["code_verifier"])
        now = int(self._clock())
        algorithms = [
            name
            for name in ID_TOKEN_ALGORITHMS
            if name in metadata.id_token_signing_alg_values_supported
        ]
        expected = Expectations(
            issuer=self.issuer,
            client_id=self.client_id,
            nonce=pending["nonce"],
            algorithms=algorithms,
            now=now,
        )
        try:
            verified = verify_id_token(
                id_token, self.provider.keys, expected, self._nonce_used
            )
        except IdTokenRejected as rejected:
            raise LoginRefused(rejected.reason, str(rejected)) from None
        except ProviderUnavailable as unavailable:
            raise _unavailable(unavailable) from None
        self._values.put(_nonce_key(pending["nonce"]), b"1", USED_NONCE_TTL_SECONDS)
        return VerifiedLogin(
            login_subject=login_subject(self.issuer, verified.subject),
            identity=verified.identity,
            authenticated_at=now,
            return_to=pending["return_to"],
        )

    def _take_pending(
        self, session_ref: str | None, query: Mapping[str, str]
    ) -> dict[str, str]:
        """Take the pending login named by ``state``, once, for this browser session."""
        state = query.get("state")
        if not state:
            raise LoginRefused(
                "state_missing",
                "the callback carries no state, so it cannot be matched to a login "
                "started in this browser; start the login again",
            )
        raw = None
        if len(state) <= MAX_PARAMETER_LENGTH:
            raw = self._values.take(_state_key(state))
        pending = json.loads(raw) if raw is not None else None
        if (
            pending is None
            or session_ref is None
            or not secrets.compare_digest(pending["session"], session_ref)
        ):
            raise LoginRefused(
                "state_mismatch",
                "the callback does not belong to a login started in this browser, "
                f"or that login is older than {STATE_TTL_SECONDS // 60} minutes or "
                "already finished; start the login again in this browser",
            )
        return dict(pending)

    def _check_issuer(self, metadata: ProviderMetadata, iss: str | None) -> None:
        """Apply RFC 9207: the callback's iss must be the provider's issuer.

        A provider that announces the parameter must send it, and a value that
        is present is compared whether announced or not.
        """
        if iss is None:
            if metadata.authorization_response_iss_parameter_supported:
                raise LoginRefused(
                    "issuer_missing",
                    "the callback carries no iss although the provider sends it; "
                    "start the login again",
                )
            return
        if iss != self.issuer:
            raise LoginRefused(
                "issuer_mismatch",
                "the callback comes from another provider than the login provider "
                "of this service; start the login again",
            )

    def _redeem(self, metadata: ProviderMetadata, code: str, verifier: str) -> str:
        """Exchange the code for tokens, authenticating with private_key_jwt.

        Returns the ID token of the token response.
        """
        body = prepare_token_request(
            "authorization_code",
            redirect_uri=self.redirect_uri,
            code=code,
            code_verifier=verifier,
            client_assertion_type=ASSERTION_TYPE,
            client_assertion=self._client_assertion(metadata.token_endpoint),
        )
        try:
            with httpx.Client(
                timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False
            ) as http:
                response = http.post(
                    metadata.token_endpoint,
                    data=dict(url_decode(body)),
                    headers={"Accept": "application/json"},
                )
            token = response.json()
        except (httpx.HTTPError, ValueError) as error:
            logger.warning(
                "login token request failed",
                extra={"error": type(error).__name__, "provider": self.issuer},
            )
            raise LoginRefused(
                "token_request_failed",
                "the login provider's token endpoint did not answer; retry later",
                502,
            ) from None
        if response.status_code != 200 or not isinstance(token, dict):
            error_code = token.get("error") if isinstance(token, dict) else None
            logger.warning(
                "login token request rejected",
                extra={
                    "status": response.status_code,
                    "error": str(error_code)[:40],
                    "provider": self.issuer,
                },
            )
            raise LoginRefused(
                "token_request_failed",
                "the login provider rejected the authorization code; start the "
                "login again",
                502,
            )
        id_token = token.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise LoginRefused(
                "id_token_missing", "the login provider returned no ID token", 502
            )
        return id_token

    def _client_assertion(self, token_endpoint: str) -> str:
        """Sign a private_key_jwt client assertion (RFC 7523) for the token endpoint.

        authlib's signer gets the service clock, because its default, the host
        clock, differs from the clock that tests fix.
        """
        now = int(self._clock())
        key = self.client_key.key()
        signed: str = private_key_jwt_sign(
            key,
            client_id=self.client_id,
            token_endpoint=token_endpoint,
            alg=SIGNING_ALGORITHM,
            header={"kid": key.kid},
            issued_at=now,
            expires_at=now + CLIENT_ASSERTION_LIFETIME_SECONDS,
        )
        return signed

    def _metadata(self) -> ProviderMetadata:
        """Return the provider's metadata, checking that it serves this login.

        Raises:
            ProviderUnavailable: discovery failed, or the provider does not
                offer PKCE S256 or private_key_jwt.
        """
        metadata = self.provider.metadata()
        if "S256" not in metadata.code_challenge_methods_supported:
            raise ProviderUnavailable("the login provider does not announce PKCE S256")
        if "private_key_jwt" not in metadata.token_endpoint_auth_methods_supported:
            raise ProviderUnavailable(
                "the login provider does not announce private_key_jwt client "
                "authentication"
            )
        return metadata

    def _metadata_or_refuse(self) -> ProviderMetadata:
        try:
            return self._metadata()
        except ProviderUnavailable as error:
            raise _unavailable(error) from None

    def _nonce_used(self, nonce: str) -> bool:
        return self._values.get(_nonce_key(nonce)) is not None


def _unavailable(error: ProviderUnavailable) -> LoginRefused:
    logger.warning("login provider unavailable", extra={"reason": str(error)})
    return LoginRefused(
        "provider_unavailable",
        "the login provider could not be reached or is misconfigured; retry "
        "later, and if it persists ask the operator to check CCUS_LOGIN_ISSUER",
        502,
    )


def _state_key(state: str) -> str:
    return (
        "ccus:login:state:"
        + hashlib.sha256(state.encode("utf-8", "surrogatepass")).hexdigest()
    )


def _nonce_key(nonce: str) -> str:
    return (
        "ccus:login:nonce:"
        + hashlib.sha256(nonce.encode("utf-8", "surrogatepass")).hexdigest()
    )
