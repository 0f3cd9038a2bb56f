"""Client authentication: private_key_jwt (RFC 7523) and client_secret_basic.

A private_key_jwt assertion passes only if all of these hold:

- its algorithm is on the allow-list and its header names no other key
  source (``jku``, ``jwk``, ``x5u``, ``x5c``);
- its ``kid`` names a key the client registered, and the signature verifies;
- ``iss`` and ``sub`` are the client id, and ``aud`` is the issuer or the
  token endpoint URL;
- ``exp`` has not passed and lies at most ``MAX_ASSERTION_LIFETIME_SECONDS``
  ahead;
- its ``jti`` was not used before.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from authlib.oauth2.rfc6749 import (  # type: ignore[import-untyped]
    InvalidClientError,
)
from authlib.oauth2.rfc6749.util import (  # type: ignore[import-untyped]
    extract_basic_authorization,
)
from authlib.oauth2.rfc7523 import (  # type: ignore[import-untyped]
    JWTBearerClientAssertion,
)
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, KeySetSerialization

from ccus.auth.tokens import FORBIDDEN_HEADERS, LEEWAY_SECONDS
from ccus.oauth.clients import (
    ASSERTION_ALGORITHMS,
    CLIENT_SECRET_BASIC,
    PRIVATE_KEY_JWT,
    RegisteredClient,
)
from ccus.oauth.stores import ReplayCache

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Clients build a fresh assertion for each request. RFC 7523 section 3 lets
# the server reject an exp unreasonably far ahead, and this bound also caps
# how long the replay cache keeps each jti.
MAX_ASSERTION_LIFETIME_SECONDS = 600
MAX_JTI_LENGTH = 256
ALLOWED_ALGORITHMS_TEXT = ", ".join(ASSERTION_ALGORITHMS)


class ClientAuthenticationFailed(InvalidClientError):  # type: ignore[misc]
    """An ``invalid_client`` error with a short reason code for the audit log.

    The status is 401, which RFC 6749 section 5.2 requires when the client
    used the Authorization header and allows otherwise.
    """

    def __init__(self, reason: str, description: str) -> None:
        super().__init__(description=description, status_code=401)
        self.reason = reason


def authenticate_client_secret_basic(
    query_client: Callable[[str], RegisteredClient | None], request: Any
) -> RegisteredClient:
    """Return the client named by valid HTTP Basic credentials.

    Raises:
        ClientAuthenticationFailed: the credentials are malformed or wrong.
    """
    try:
        client_id, secret = extract_basic_authorization(request.headers)
    except (UnicodeDecodeError, binascii.Error, ValueError):
        client_id, secret = None, None
    if not client_id or not secret:
        raise ClientAuthenticationFailed(
            "malformed_basic_credentials",
            "the Authorization header must carry Basic base64(client_id:secret)",
        )
    client = query_client(client_id)
    if client is not None and client.token_endpoint_auth_method != (
        CLIENT_SECRET_BASIC
    ):
        raise ClientAuthenticationFailed(
            "method_not_registered",
            f"the client is registered for {client.token_endpoint_auth_method}, "
            "not client_secret_basic",
        )
    if client is None or not client.check_client_secret(secret):
        # The response does not say which of the two failed. The audit
        # entry records it.
        raise ClientAuthenticationFailed(
            "unknown_client" if client is None else "wrong_secret",
            "client authentication failed: unknown client or wrong secret",
        )
    return client


class PrivateKeyJwtAuthentication(JWTBearerClientAssertion):  # type: ignore[misc]
    """Authenticate clients by a JWT signed with a key they registered.

    authlib reads the unverified ``sub`` to find the client, then calls
    ``resolve_client_public_key`` and ``process_assertion_claims``, which
    this class overrides to apply every check itself.
    """

    CLIENT_AUTH_METHOD = PRIVATE_KEY_JWT

    def __init__(
        self,
        audiences: Sequence[str],
        replay_cache: ReplayCache,
        clock: Callable[[], float],
    ) -> None:
        super().__init__(validate_jti=True, leeway=LEEWAY_SECONDS)
        self._audiences = list(audiences)
        self._replay_cache = replay_cache
        self._clock = clock

    def get_audiences(self) -> list[str]:
        return list(self._audiences)

    def resolve_client_public_key(self, client: RegisteredClient) -> KeySet:
        if client.token_endpoint_auth_method != PRIVATE_KEY_JWT or not client.jwks:
            raise ClientAuthenticationFailed(
                "method_not_registered",
                f"the client is registered for {client.token_endpoint_auth_method}, "
                "not private_key_jwt",
            )
        return KeySet.import_key_set(cast(KeySetSerialization, client.jwks))

    def process_assertion_claims(
        self, assertion: str, resolve_key: KeySet
    ) -> dict[str, Any]:
        try:
            header = jws.extract_compact(assertion.encode("ascii")).headers()
        except (JoseError, ValueError, UnicodeError):
            raise ClientAuthenticationFailed(
                "malformed_assertion", "client_assertion is not a compact JWS"
            ) from None
        algorithm = header.get("alg")
        if algorithm not in ASSERTION_ALGORITHMS:
            raise ClientAuthenticationFailed(
                "algorithm_not_allowed",
                "the client assertion algorithm is not allowed; sign with one "
                f"of {ALLOWED_ALGORITHMS_TEXT}",
            )
        if FORBIDDEN_HEADERS & header.keys():
            raise ClientAuthenticationFailed(
                "key_source_header",
                "the client assertion header must not carry jku, jwk, x5u, x5c "
                "or crit; the server uses the keys the client registered",
            )
        key = _select_key(resolve_key, header.get("kid"), str(algorithm))
        try:
            token = jwt.decode(assertion, key, algorithms=[str(algorithm)])
        except (JoseError, ValueError):
            raise ClientAuthenticationFailed(
                "bad_signature", "the client assertion signature is invalid"
            ) from None
        self.verify_claims(token.claims)
        return dict(token.claims)

    def verify_claims(self, claims: Mapping[str, Any]) -> None:
        now = self._clock()
        registry = jwt.JWTClaimsRegistry(
            now=int(now),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True},
            sub={"essential": True},
            aud={"essential": True, "values": self._audiences},
            exp={"essential": True},
            jti={"essential": True},
        )
        try:
            registry.validate(dict(claims))
        except JoseError as error:
            raise ClientAuthenticationFailed(
                "invalid_claims",
                f"the client assertion claims are invalid: {error.description}; "
                "aud must be the issuer or the token endpoint URL",
            ) from None
        if claims["iss"] != claims["sub"]:
            raise ClientAuthenticationFailed(
                "issuer_mismatch",
                "the client assertion iss and sub must both be the client id",
            )
        expires_at = claims["exp"]
        if expires_at > now + MAX_ASSERTION_LIFETIME_SECONDS + LEEWAY_SECONDS:
            raise ClientAuthenticationFailed(
                "assertion_lifetime",
                "the client assertion exp lies more than "
                f"{MAX_ASSERTION_LIFETIME_SECONDS} seconds ahead",
            )
        jti = claims["jti"]
        if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
            raise ClientAuthenticationFailed(
                "invalid_claims",
                f"the client assertion jti must be a string of 1 to {MAX_JTI_LENGTH} "
                "characters",
            )
        if not self._replay_cache.first_use(claims["sub"], jti, expires_at, now):
            raise ClientAuthenticationFailed(
                "replayed_jti",
                "the client assertion jti was used before; build a new assertion "
                "with a new jti for each request",
            )


def _select_key(key_set: KeySet, kid: Any, algorithm: str) -> Any:
    """Return the registered key named by ``kid``, or the only key if none is named.

    Raises:
        ClientAuthenticationFailed: no key fits, or it is of the wrong type.
    """
    if kid is None:
        if len(key_set.keys) != 1:
            raise ClientAuthenticationFailed(
                "missing_kid",
                "the client assertion header needs a kid, as the client "
                "registered several keys",
            )
        key = key_set.keys[0]
    else:
        matches = [k for k in key_set.keys if isinstance(kid, str) and k.kid == kid]
        if not matches:
            raise ClientAuthenticationFailed(
                "unknown_kid",
                "the client assertion kid names no key the client registered",
            )
        key = matches[0]
    if key.key_type != ASSERTION_ALGORITHMS[algorithm]:
        raise ClientAuthenticationFailed(
            "key_type_mismatch",
            f"the key named by kid is of type {key.key_type}, which cannot "
            f"verify {algorithm}",
        )
    declared = key.get("alg")
    if declared is not None and declared != algorithm:
        raise ClientAuthenticationFailed(
            "key_type_mismatch",
            f"the key named by kid is registered for {declared}, not {algorithm}",
        )
    return key
