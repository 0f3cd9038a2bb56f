"""Bearer JWT access tokens (RFC 9068 shape) signed with ES256.

Verification takes an explicit algorithm allow-list, rejects headers that
point at other keys (``jku``, ``jwk``, ``x5u``, ``x5c``), requires a known
``kid``, and checks issuer, audience and expiry. Given a revocation list, it
also rejects revoked tokens, so that every caller honours revocation.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from joserfc import jws, jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import ECKey

from ccus.auth.actors import (
    Actor,
    DeviceActor,
    OperatorActor,
    RegulatorActor,
    StaffActor,
    WorkerActor,
)
from ccus.crypto.keyring import Keyring
from ccus.ids import is_id14

ALGORITHMS = ("ES256",)
TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type, not a secret
FORBIDDEN_HEADERS = frozenset({"jku", "jwk", "x5u", "x5c", "crit"})
LEEWAY_SECONDS = 30
# The audit reason of a failed registered claim.
CLAIM_REASONS = {"iss": "issuer", "aud": "audience", "exp": "expired"}
# The audit log stores subjects and client ids in 80-character columns.
MAX_CLAIM_LENGTH = 80


class InvalidToken(Exception):
    """The bearer token failed verification.

    The message names the failed check; it never contains the token.
    ``reason`` is a short code of the check for audit entries.
    """

    def __init__(self, message: str, reason: str = "malformed") -> None:
        super().__init__(message)
        self.reason = reason


class RevocationList(Protocol):
    """The ids of revoked tokens that have not expired yet."""

    def is_revoked(self, jti: str) -> bool:
        """Return whether token ``jti`` was revoked.

        Raises an exception of its own when the list cannot be read, and
        ``TokenService.verify`` lets it propagate, so callers fail closed.
        """
        ...


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A signed access token with the claims its issuer records."""

    token: str
    jti: str
    issued_at: int
    expires_at: int


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A token that passed every check: its actor and its claims."""

    actor: Actor
    claims: dict[str, Any]

    @property
    def jti(self) -> str:
        return str(self.claims["jti"])

    @property
    def expires_at(self) -> int:
        return int(self.claims["exp"])


class TokenService:
    """Issue and verify the service's access tokens."""

    def __init__(
        self,
        keyring: Keyring,
        issuer: str,
        audience: str,
        lifetime_seconds: int,
        clock: Callable[[], float] = time.time,
        revocations: RevocationList | None = None,
    ) -> None:
        kid, private_key = keyring.signing_key()
        self._kid = kid
        self._key = ECKey.import_key(private_key)
        self._public = ECKey.import_key(private_key.public_key())
        self._issuer = issuer
        self._audience = audience
        self._lifetime = lifetime_seconds
        self._clock = clock
        self._revocations = revocations

    @property
    def issuer(self) -> str:
        return self._issuer

    @property
    def audience(self) -> str:
        return self._audience

    def jwks(self) -> dict[str, Any]:
        """Return the public signing keys as a JWK Set."""
        public = self._public.as_dict(private=False)
        public.update(kid=self._kid, use="sig", alg=ALGORITHMS[0])
        return {"keys": [public]}

    def issue(self, actor: Actor, lifetime_seconds: int | None = None) -> str:
        """Sign an access token for ``actor``."""
        return self.issue_access_token(actor, lifetime_seconds).token

    def issue_access_token(
        self, actor: Actor, lifetime_seconds: int | None = None
    ) -> IssuedToken:
        """Sign an access token for ``actor`` and return it with its id and times."""
        now = int(self._clock())
        expires_at = now + (
            self._lifetime if lifetime_seconds is None else lifetime_seconds
        )
        jti = secrets.token_urlsafe(16)
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": actor.subject,
            "client_id": actor.client_id,
            "scope": " ".join(sorted(actor.scopes)),
            "iat": now,
            "exp": expires_at,
            "jti": jti,
            "ccus_actor": _actor_claim(actor),
        }
        header = {"alg": ALGORITHMS[0], "kid": self._kid, "typ": TOKEN_TYPE}
        token = jwt.encode(header, claims, self._key, algorithms=list(ALGORITHMS))
        return IssuedToken(token=token, jti=jti, issued_at=now, expires_at=expires_at)

    def sign_document(self, claims: dict[str, Any], media_type: str) -> str:
        """Sign ``claims`` as a JWT of type ``media_type`` with the token key.

        For documents the service vouches for, such as consent receipts; the
        type keeps them from passing as access tokens.
        """
        claims = {"iss": self._issuer, **claims}
        header = {"alg": ALGORITHMS[0], "kid": self._kid, "typ": media_type}
        return jwt.encode(header, claims, self._key, algorithms=list(ALGORITHMS))

    def verify(self, token: str) -> Actor:
        """Verify ``token`` and return the actor it stands for.

        Raises:
            InvalidToken: naming the check that failed.
        """
        return self.verify_token(token).actor

    def verify_token(self, token: str) -> VerifiedToken:
        """Verify ``token`` as ``verify`` does and return its claims too.

        Raises:
            InvalidToken: naming the check that failed.
        """
        try:
            header = jws.extract_compact(token.encode("ascii")).headers()
        except (JoseError, ValueError, UnicodeError):
            raise InvalidToken("token is not a compact JWS", "not_jws") from None
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken("token algorithm is not allowed", "algorithm")
        if FORBIDDEN_HEADERS & header.keys():
            raise InvalidToken(
                "token header names a key source; none is allowed", "key_source"
            )
        if header.get("kid") != self._kid:
            raise InvalidToken("token key id is unknown", "unknown_kid")
        if header.get("typ") != TOKEN_TYPE:
            raise InvalidToken("token type is not at+jwt", "token_type")
        try:
            decoded = jwt.decode(token, self._public, algorithms=list(ALGORITHMS))
        except (JoseError, ValueError):
            raise InvalidToken("token signature is invalid", "signature") from None
        registry = jwt.JWTClaimsRegistry(
            now=int(self._clock()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self._issuer},
            aud={"essential": True, "value": self._audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
        except ExpiredTokenError as error:
            raise InvalidToken(
                f"token claims are invalid: {error.description}", "expired"
            ) from None
        except JoseError as error:
            claim = getattr(error, "claim", None)
            reason = CLAIM_REASONS.get(claim, "claims") if claim else "claims"
            raise InvalidToken(
                f"token claims are invalid: {error.description}", reason
            ) from None
        actor = _actor_from_claims(decoded.claims)
        jti = decoded.claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise InvalidToken("token lacks the jti claim", "claims")
        if self._revocations is not None and self._revocations.is_revoked(jti):
            raise InvalidToken("token was revoked", "revoked")
        return VerifiedToken(actor=actor, claims=dict(decoded.claims))


def _actor_claim(actor: Actor) -> dict[str, Any]:
    claim: dict[str, Any] = {"kind": actor.kind}
    if isinstance(actor, StaffActor):
        claim.update(company_id=actor.company_id, roles=list(actor.roles))
    if isinstance(actor, DeviceActor):
        claim.update(site_id=actor.site_id)
    return claim


def _actor_from_claims(claims: dict[str, Any]) -> Actor:
    claim = claims.get("ccus_actor")
    subject, client_id = claims.get("sub"), claims.get("client_id")
    if not isinstance(claim, dict) or not isinstance(client_id, str):
        raise InvalidToken("token lacks the actor or client_id claim")
    if not isinstance(subject, str) or not 0 < len(subject) <= MAX_CLAIM_LENGTH:
        raise InvalidToken("token subject is not a string of 1 to 80 characters")
    if not 0 < len(client_id) <= MAX_CLAIM_LENGTH:
        raise InvalidToken("token client_id is not 1 to 80 characters")
    scope = claims.get("scope", "")
    scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
    kind = claim.get("kind")
    if kind == "worker" and is_id14(subject):
        return WorkerActor(subject=subject, client_id=client_id, scopes=scopes)
    if kind == "staff" and is_id14(claim.get("company_id")):
        roles = claim.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken("token roles claim is not a list of strings")
        return StaffActor(
            subject=subject,
            client_id=client_id,
            scopes=scopes,
            company_id=claim["company_id"],
            roles=tuple(roles),
        )
    if kind == "regulator":
        return RegulatorActor(subject=subject, client_id=client_id, scopes=scopes)
    if kind == "operator":
        return OperatorActor(subject=subject, client_id=client_id, scopes=scopes)
    if kind == "device" and is_id14(claim.get("site_id")):
        return DeviceActor(
            subject=subject,
            client_id=client_id,
            scopes=scopes,
            site_id=claim["site_id"],
        )
    raise InvalidToken("token actor claim is malformed")
