"""Verification of the provider's ID token (OpenID Connect Core 1.0, 3.1.3.7).

An ID token passes only if all of these hold:

- its ``alg`` is on ``ID_TOKEN_ALGORITHMS`` and on the provider's own list,
  so ``none`` and HMAC algorithms never pass, and its header names no other
  key source (``jku``, ``jwk``, ``x5u``, ``x5c``, ``crit``);
- its ``kid`` names a key of the provider's JWKS of the type the algorithm
  needs, and the signature verifies with that key;
- ``iss`` is the provider's issuer, ``aud`` contains this client's id (and
  ``azp`` is it when there are several audiences), ``exp`` has not passed and
  ``iat`` lies within ``MAX_ID_TOKEN_AGE_SECONDS`` before now;
- ``nonce`` is present, was not used by an earlier login, and is the nonce
  this login sent.

Each failure raises ``IdTokenRejected`` with a reason code for the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import Key, RSAKey

from ccus.auth.tokens import FORBIDDEN_HEADERS, LEEWAY_SECONDS
from ccus.login.provider import RemoteKeySet

# ES256 is what the local provider signs with. RS256 is accepted because
# OpenID Connect Core 1.0 section 15.1 makes it the one algorithm every
# provider must support, and OpenID Connect Registration 1.0 section 2 makes
# it the default for a client that registered no id_token_signed_response_alg.
# PS256 is left out, because nothing the service talks to needs it.
ID_TOKEN_ALGORITHMS = {"ES256": "EC", "RS256": "RSA"}
MIN_RSA_BITS = 2048
# An ID token is fetched right after the person authenticated, so an older
# one is a replay of an earlier login.
MAX_ID_TOKEN_AGE_SECONDS = 600
MAX_SUBJECT_LENGTH = 255
BIRTHDATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_CLAIM_TEXT = 400


class IdTokenRejected(Exception):
    """The ID token failed a check; ``reason`` is the audit code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    """The personal claims of a verified ID token (基本4情報)."""

    name: str
    birth_date: date
    gender: str | None
    address: str | None
    postal_code: str | None


@dataclass(frozen=True, slots=True)
class VerifiedIdToken:
    """An ID token that passed every check: its subject and personal claims."""

    subject: str
    identity: VerifiedIdentity
    issued_at: int


@dataclass(frozen=True, slots=True)
class Expectations:
    """The issuer, client, nonce, algorithms and time an ID token must match."""

    issuer: str
    client_id: str
    nonce: str
    algorithms: Collection[str]
    now: int


def verify_id_token(
    token: str,
    keys: RemoteKeySet,
    expected: Expectations,
    nonce_used: Callable[[str], bool],
) -> VerifiedIdToken:
    """Verify ``token`` and return its subject and claims.

    ``nonce_used`` returns whether a nonce belongs to an earlier, finished login.

    Raises:
        IdTokenRejected: a check failed.
        ProviderUnavailable: the provider's JWKS could not be fetched.
    """
    header = _header(token)
    key = _key(header, keys, expected.algorithms)
    try:
        claims = dict(jwt.decode(token, key, algorithms=[header["alg"]]).claims)
    except (JoseError, ValueError):
        raise IdTokenRejected(
            "id_token_invalid", "the ID token signature is invalid"
        ) from None
    _check_claims(claims, expected)
    _check_nonce(claims, expected.nonce, nonce_used)
    return VerifiedIdToken(
        subject=claims["sub"], identity=_identity(claims), issued_at=int(claims["iat"])
    )


def _header(token: str) -> dict[str, Any]:
    try:
        return dict(jws.extract_compact(token.encode("ascii")).headers())
    except (JoseError, ValueError, UnicodeError):
        raise IdTokenRejected(
            "id_token_invalid", "the ID token is not a compact JWS"
        ) from None


def _key(
    header: dict[str, Any], keys: RemoteKeySet, algorithms: Collection[str]
) -> Key:
    """Return the provider's key that must have signed a token with ``header``."""
    algorithm = header.get("alg")
    if algorithm not in ID_TOKEN_ALGORITHMS or algorithm not in algorithms:
        raise IdTokenRejected(
            "algorithm_not_allowed",
            "the ID token algorithm is not allowed; the provider must sign with "
            f"one of {', '.join(a for a in ID_TOKEN_ALGORITHMS if a in algorithms)}",
        )
    if FORBIDDEN_HEADERS & header.keys():
        raise IdTokenRejected(
            "key_source_header",
            "the ID token header names a key source (jku, jwk, x5u, x5c or crit); "
            "only keys of the provider's JWKS are used",
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise IdTokenRejected("unknown_kid", "the ID token header has no kid")
    key = keys.key(kid)
    if key is None:
        raise IdTokenRejected(
            "unknown_kid", "the ID token kid names no key of the provider's JWKS"
        )
    if key.key_type != ID_TOKEN_ALGORITHMS[algorithm] or (
        algorithm == "ES256" and key.get("crv") != "P-256"
    ):
        raise IdTokenRejected(
            "key_type_mismatch",
            f"the provider's key named by kid cannot verify {algorithm}",
        )
    if isinstance(key, RSAKey) and key.raw_value.key_size < MIN_RSA_BITS:
        raise IdTokenRejected(
            "key_type_mismatch",
            f"the provider's RSA key is shorter than {MIN_RSA_BITS} bits",
        )
    return key


def _check_claims(claims: dict[str, Any], expected: Expectations) -> None:
    if claims.get("iss") != expected.issuer:
        raise IdTokenRejected(
            "issuer_mismatch", "the ID token iss is not the provider's issuer"
        )
    audiences = _audiences(claims.get("aud"))
    if expected.client_id not in audiences or (
        len(audiences) > 1 and claims.get("azp") != expected.client_id
    ):
        raise IdTokenRejected(
            "audience_mismatch", "the ID token aud does not name this service's client"
        )
    expires_at = _time(claims, "exp", "id_token_invalid")
    if expected.now > expires_at + LEEWAY_SECONDS:
        raise IdTokenRejected("id_token_expired", "the ID token has expired")
    issued_at = _time(claims, "iat", "iat_invalid")
    if not (
        expected.now - MAX_ID_TOKEN_AGE_SECONDS - LEEWAY_SECONDS
        <= issued_at
        <= expected.now + LEEWAY_SECONDS
    ):
        raise IdTokenRejected(
            "iat_invalid",
            "the ID token iat lies in the future or more than "
            f"{MAX_ID_TOKEN_AGE_SECONDS} seconds in the past",
        )
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT_LENGTH:
        raise IdTokenRejected(
            "id_token_invalid",
            "the ID token sub must be a string of 1 to "
            f"{MAX_SUBJECT_LENGTH} characters",
        )


def _check_nonce(
    claims: dict[str, Any], expected: str, nonce_used: Callable[[str], bool]
) -> None:
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise IdTokenRejected("nonce_missing", "the ID token has no nonce")
    if nonce_used(nonce):
        raise IdTokenRejected(
            "nonce_replayed", "the ID token nonce belongs to an earlier login"
        )
    if nonce != expected:
        raise IdTokenRejected(
            "nonce_mismatch", "the ID token nonce is not the one this login sent"
        )


def _identity(claims: dict[str, Any]) -> VerifiedIdentity:
    """Read the name, birth date, gender and address claims.

    Raises:
        IdTokenRejected: the name or birth date is missing or malformed, since
            a login is linked by them.
    """
    name = claims.get("name")
    birthdate = claims.get("birthdate")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_CLAIM_TEXT:
        raise IdTokenRejected("claims_missing", "the ID token has no name claim")
    try:
        if not isinstance(birthdate, str) or not BIRTHDATE.fullmatch(birthdate):
            raise ValueError
        birth = date.fromisoformat(birthdate)
    except ValueError:
        raise IdTokenRejected(
            "claims_missing", "the ID token has no birthdate claim as YYYY-MM-DD"
        ) from None
    gender = claims.get("gender")
    address, postal_code = _address(claims.get("address"))
    return VerifiedIdentity(
        name=name.strip(),
        birth_date=birth,
        gender=gender if isinstance(gender, str) and len(gender) <= 40 else None,
        address=address,
        postal_code=postal_code,
    )


def _address(value: Any) -> tuple[str | None, str | None]:
    """Return the formatted address and postal code of an address claim.

    OpenID Connect Core 1.0 section 5.1.1 makes the claim a JSON object; a
    plain string is accepted as the formatted address.
    """
    if isinstance(value, str):
        return _text(value), None
    if not isinstance(value, dict):
        return None, None
    return _text(value.get("formatted")), _text(value.get("postal_code"))


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip() and len(value) <= MAX_CLAIM_TEXT:
        return value.strip()
    return None


def _audiences(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    return []


def _time(claims: dict[str, Any], name: str, reason: str) -> float:
    """Return claim ``name`` as a NumericDate, a JSON number of seconds.

    Raises:
        IdTokenRejected: with ``reason``, when the claim is missing or no number.
    """
    value = claims.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise IdTokenRejected(reason, f"the ID token {name} is missing or no number")
    return float(value)
