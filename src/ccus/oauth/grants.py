"""Grants a person approved, with their refresh tokens and access token ids.

A grant is one approval on the consent page: a client, the actor the person
chose (a worker, or staff of a company) and the scopes. Refresh tokens are
random strings kept only as their SHA-256 digest, and each use rotates one.
Using a rotated token again means two parties hold the same grant, so the
whole grant is revoked: its refresh tokens stop working at once, and the ids
of its unexpired access tokens are returned for the revocation list.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ccus.auth.actors import Actor, StaffActor, WorkerActor
from ccus.oauth.models import (
    OAuthAccessToken,
    OAuthClient,
    OAuthGrant,
    OAuthRefreshToken,
)
from ccus.registry.models import Staff, Worker

WORKER = "worker"
STAFF = "staff"
# A refresh token lives 30 days, and none outlives its grant's 90th day, so
# that a person approves each client again at least once a quarter.
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
GRANT_LIFETIME = timedelta(days=90)
REFRESH_TOKEN_BYTES = 32
# Refresh tokens of this service are 43 characters; longer input is refused
# before it is hashed.
MAX_REFRESH_TOKEN_LENGTH = 128
REUSED = "refresh_token_reused"
CODE_REUSED = "code_reused"
PERSON_REVOKED = "revoked_by_person"


@dataclass(frozen=True, slots=True)
class GrantedActor:
    """The actor a grant lets the client act for: a worker id or a staff id."""

    kind: str
    actor_id: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.actor_id}"


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    """The result of presenting a refresh token.

    ``grant`` is set when the token was valid and is now rotated. ``reused``
    names the grant revoked because a rotated token came back; its
    ``revoked_jtis`` are the access tokens to put on the revocation list.
    ``wider_scope`` is set when the request asked for more than the token
    holds, and the token is then left unused.
    """

    grant: OAuthGrant | None = None
    scopes: tuple[str, ...] = ()
    reused_grant_id: str | None = None
    revoked_jtis: tuple[tuple[str, int], ...] = ()
    wider_scope: bool = False


@dataclass(frozen=True, slots=True)
class GrantView:
    """An active grant, as the person's list of applications shows it."""

    grant_id: str
    client_id: str
    client_name: str
    actor: GrantedActor
    scopes: tuple[str, ...]
    created_at: datetime


def digest(token: str) -> str:
    """Return the hex SHA-256 of a refresh token, the form it is stored in."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_grant(
    session: Session,
    client_id: str,
    actor: GrantedActor,
    login_subject: str,
    scopes: tuple[str, ...],
    now: datetime,
) -> OAuthGrant:
    """Record an approval and return it. The caller commits."""
    grant = OAuthGrant(
        grant_id=secrets.token_urlsafe(24),
        client_id=client_id,
        actor_kind=actor.kind,
        actor_id=actor.actor_id,
        login_subject=login_subject,
        scopes=sorted(scopes),
        created_at=now,
        revoked_at=None,
        revoked_reason=None,
    )
    session.add(grant)
    session.flush()
    return grant


def find_grant(session: Session, grant_id: str) -> OAuthGrant | None:
    return session.get(OAuthGrant, grant_id)


def issue_refresh_token(
    session: Session, grant: OAuthGrant, scopes: tuple[str, ...], now: datetime
) -> tuple[str, datetime]:
    """Issue a refresh token under ``grant`` and return it with its expiry.

    The caller commits.
    """
    token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    expires_at = min(now + REFRESH_TOKEN_LIFETIME, grant.created_at + GRANT_LIFETIME)
    session.add(
        OAuthRefreshToken(
            token_hash=digest(token),
            grant_id=grant.grant_id,
            scopes=sorted(scopes),
            issued_at=now,
            expires_at=expires_at,
            used_at=None,
        )
    )
    session.flush()
    return token, expires_at


def record_access_token(
    session: Session, grant_id: str, jti: str, expires_at: datetime, now: datetime
) -> None:
    """Remember an access token of ``grant_id`` and forget its expired ones.

    The caller commits.
    """
    session.execute(
        delete(OAuthAccessToken).where(
            OAuthAccessToken.grant_id == grant_id, OAuthAccessToken.expires_at < now
        )
    )
    session.add(OAuthAccessToken(jti=jti, grant_id=grant_id, expires_at=expires_at))
    session.flush()


def use_refresh_token(
    session: Session,
    token: str,
    client_id: str,
    now: datetime,
    requested: tuple[str, ...] | None = None,
) -> RefreshOutcome:
    """Rotate a refresh token of ``client_id``, or revoke its grant on reuse.

    Returns an empty outcome when the token is unknown, expired, another
    client's, or its grant was revoked. The caller commits, also on reuse,
    so that the revocation persists.
    """
    if len(token) > MAX_REFRESH_TOKEN_LENGTH:
        return RefreshOutcome()
    row = session.get(OAuthRefreshToken, digest(token))
    if row is None:
        return RefreshOutcome()
    grant = session.get(OAuthGrant, row.grant_id)
    if grant is None or grant.client_id != client_id or grant.revoked_at is not None:
        return RefreshOutcome()
    if row.used_at is not None:
        return _reused(session, grant, now)
    if row.expires_at <= now:
        return RefreshOutcome()
    if requested is not None and not set(requested) <= set(row.scopes):
        return RefreshOutcome(wider_scope=True)
    # Two requests with one token race here; only one row update succeeds.
    marked = session.execute(
        update(OAuthRefreshToken)
        .where(
            OAuthRefreshToken.token_hash == row.token_hash,
            OAuthRefreshToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(marked, "rowcount", 0) != 1:
        return _reused(session, grant, now)
    return RefreshOutcome(grant=grant, scopes=tuple(row.scopes))


def _reused(session: Session, grant: OAuthGrant, now: datetime) -> RefreshOutcome:
    jtis = revoke_grant(session, grant, REUSED, now)
    return RefreshOutcome(reused_grant_id=grant.grant_id, revoked_jtis=jtis)


def revoke_grant(
    session: Session, grant: OAuthGrant, reason: str, now: datetime
) -> tuple[tuple[str, int], ...]:
    """End ``grant`` and return its unexpired access token ids with expiry times.

    The caller commits, then puts the ids on the revocation list.
    """
    if grant.revoked_at is None:
        grant.revoked_at = now
        grant.revoked_reason = reason
    rows = session.scalars(
        select(OAuthAccessToken).where(
            OAuthAccessToken.grant_id == grant.grant_id,
            OAuthAccessToken.expires_at > now,
        )
    )
    jtis = tuple((row.jti, int(row.expires_at.timestamp())) for row in rows)
    session.flush()
    return jtis


def active_grants(
    session: Session, actors: tuple[GrantedActor, ...]
) -> list[GrantView]:
    """Return the unrevoked grants of ``actors``, newest first."""
    views: list[GrantView] = []
    for actor in actors:
        rows = session.execute(
            select(OAuthGrant, OAuthClient.name)
            .join(OAuthClient, OAuthClient.client_id == OAuthGrant.client_id)
            .where(
                OAuthGrant.actor_kind == actor.kind,
                OAuthGrant.actor_id == actor.actor_id,
                OAuthGrant.revoked_at.is_(None),
            )
        )
        views.extend(
            GrantView(
                grant_id=grant.grant_id,
                client_id=grant.client_id,
                client_name=name,
                actor=actor,
                scopes=tuple(grant.scopes),
                created_at=grant.created_at,
            )
            for grant, name in rows
        )
    return sorted(views, key=lambda view: view.created_at, reverse=True)


def actor_of_grant(
    session: Session, grant: OAuthGrant, scopes: tuple[str, ...]
) -> Actor | None:
    """Build the actor that a token of ``grant`` represents, as of now.

    Staff roles are read afresh, so a token issued after the company changed
    them carries the new roles. Returns None when the worker was erased or
    the staff member no longer exists.
    """
    scope_set = frozenset(scopes)
    if grant.actor_kind == WORKER:
        worker = session.get(Worker, grant.actor_id)
        if worker is None or worker.erased_at is not None:
            return None
        return WorkerActor(
            subject=grant.actor_id, client_id=grant.client_id, scopes=scope_set
        )
    staff = session.get(Staff, grant.actor_id)
    if staff is None:
        return None
    return StaffActor(
        subject=staff.staff_id,
        client_id=grant.client_id,
        scopes=scope_set,
        company_id=staff.company_id,
        roles=tuple(staff.roles),
    )
