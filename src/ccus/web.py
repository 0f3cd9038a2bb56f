"""Request plumbing shared by the route modules: services, actor, context."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from litestar import Request
from litestar.datastructures import State

from ccus.audit.log import AccessContext, AuditDraft
from ccus.auth.actors import Actor
from ccus.auth.route_scopes import require_scope, route_scope
from ccus.auth.tokens import InvalidToken
from ccus.errors import ProblemError
from ccus.ids import is_id14
from ccus.oauth.audit import UNKNOWN_CLIENT, ClientActor
from ccus.oauth.stores import OAuthStoreError
from ccus.registry.mynumber import contains_individual_number
from ccus.services import Services

logger = logging.getLogger(__name__)

PURPOSE_HEADER = "x-ccus-purpose"
# Row ids are 32-bit integers on PostgreSQL; larger cursors are invalid.
MAX_ROW_ID = 2**31 - 1
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# A stated purpose, in the X-CCUS-Purpose header or a consent.
PURPOSE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")


def services(state: State) -> Services:
    value: Services = state.services
    return value


def authenticate(request: Request[Any, Any, Any]) -> Actor:
    """Return the actor of the request's bearer token if it has the route's scope.

    Verification checks the revocation list too, so a revoked token fails
    here on every route. The scope check runs before the route reads
    anything, and it only narrows: the policies still decide what an actor
    whose token has the scope may do.

    Raises:
        ProblemError: 401 when the token is missing, fails verification or
            was revoked; 503 when the revocation list cannot be read.
        InsufficientScope: 403 when the token lacks the route's scope.
        UndeclaredScope: the route declares no scope of the catalogue.
    """
    scope = route_scope(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError(
            401,
            "missing-token",
            "Authentication required",
            "Send an access token in the Authorization header as 'Bearer <token>'.",
        )
    try:
        actor = services(request.app.state).tokens.verify(token.strip())
    except InvalidToken as error:
        _audit_rejected_token(request, error.reason)
        raise ProblemError(
            401,
            "invalid-token",
            "Invalid access token",
            f"{error}. Obtain a new access token and send the request again.",
        ) from None
    except OAuthStoreError:
        raise ProblemError(
            503,
            "revocation-list-unavailable",
            "Revocation list unavailable",
            "The list of revoked tokens could not be read, so the token was not "
            "accepted; retry later.",
        ) from None
    require_scope(actor, scope)
    return actor


def _audit_rejected_token(request: Request[Any, Any, Any], reason: str) -> None:
    """Record a bearer token that failed verification, by the check it failed.

    Nothing in the token is trusted, so the entry names no actor. A failed
    write is logged and the request still gets its 401, since a refused
    token disclosed nothing.
    """
    state = services(request.app.state)
    unknown = ClientActor(subject=UNKNOWN_CLIENT, client_id=UNKNOWN_CLIENT)
    context = AccessContext(
        actor=unknown,
        request_id=str(request.scope.get("state", {}).get("request_id", "")),
        now=state.clock(),
        chain=state.audit_chain,
        detectors=state.detectors,
    )
    draft = AuditDraft(
        "authenticate",
        "access_token",
        "deny",
        basis=[{"kind": "failure", "ref": reason}],
    )
    try:
        state.audit_writer.write(context, [draft])
    except Exception:
        logger.exception(
            "audit entry of a rejected token failed",
            extra={"reason": reason, "request_id": context.request_id},
        )


def access_context(request: Request[Any, Any, Any], actor: Actor) -> AccessContext:
    """Build the audit context: actor, request id, time and stated purpose."""
    purpose = request.headers.get(PURPOSE_HEADER)
    if purpose is not None and contains_individual_number(purpose):
        raise ProblemError(
            400,
            "individual-number",
            "Individual number rejected",
            "The X-CCUS-Purpose header contains an individual number (My "
            "Number), which must never be stored; send a purpose without it.",
        )
    if purpose is not None and not PURPOSE_PATTERN.fullmatch(purpose):
        raise ProblemError(
            400,
            "invalid-purpose",
            "Invalid purpose",
            "The X-CCUS-Purpose header must be 1 to 40 lower-case letters, "
            "digits or underscores, starting with a letter, e.g. site_safety.",
        )
    state = services(request.app.state)
    return AccessContext(
        actor=actor,
        request_id=str(request.scope.get("state", {}).get("request_id", "")),
        now=state.clock(),
        chain=state.audit_chain,
        purpose=purpose,
        detectors=state.detectors,
        writer=state.audit_writer,
    )


def require_id14(value: str, name: str) -> str:
    """Return ``value`` if it is a 14-digit id.

    Raises:
        ProblemError: 400 naming the parameter and the expected form.
    """
    if not is_id14(value):
        raise ProblemError(
            400,
            "invalid-id",
            "Invalid identifier",
            f"{name} must be exactly 14 digits (leading zeros included).",
            {"parameter": name},
        )
    return value


def require_aware(moment: datetime, name: str) -> datetime:
    """Return ``moment`` in UTC if it has an offset and lies in 2000-2099.

    Raises:
        ProblemError: 400 naming the parameter and the expected form.
    """
    if moment.tzinfo is None:
        raise ProblemError(
            400,
            "invalid-time",
            "Invalid time",
            f"{name} needs a UTC offset, for example 2026-09-01T00:00:00+09:00.",
            {"parameter": name},
        )
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        utc = LATEST if moment.year > 2000 else EARLIEST - (LATEST - EARLIEST)
    if not EARLIEST <= utc < LATEST:
        raise ProblemError(
            400,
            "invalid-time",
            "Invalid time",
            f"{name} must lie between 2000-01-01 and 2099-12-31 (UTC).",
            {"parameter": name},
        )
    return utc
