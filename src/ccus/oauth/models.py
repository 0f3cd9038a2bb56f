"""The tables of the authorization server: clients, grants and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ccus.db.base import Base, Id14, UTCDateTime


class OAuthClient(Base):
    """A client registered by an administrator, with what it may request.

    Field names follow the client metadata of RFC 7591. ``acts_as`` is the
    actor that client credentials tokens represent: ``device`` (an entry/exit
    system bound to ``site_id``) or ``regulator``. It is NULL for clients that
    act only for users.
    """

    __tablename__ = "oauth_clients"
    __table_args__ = (
        CheckConstraint("kind IN ('confidential', 'public')", name="kind"),
        CheckConstraint(
            "token_endpoint_auth_method IN "
            "('private_key_jwt', 'client_secret_basic', 'none')",
            name="auth_method",
        ),
        CheckConstraint(
            "(kind = 'public') = (token_endpoint_auth_method = 'none')",
            name="public_uses_none",
        ),
        CheckConstraint(
            "token_endpoint_auth_method <> 'client_secret_basic' "
            "OR secret_hash IS NOT NULL",
            name="secret_present",
        ),
        CheckConstraint(
            "token_endpoint_auth_method <> 'private_key_jwt' OR jwks IS NOT NULL",
            name="jwks_present",
        ),
        CheckConstraint(
            "acts_as IS NULL OR acts_as IN ('device', 'regulator')", name="acts_as"
        ),
        CheckConstraint(
            "(COALESCE(acts_as, '') = 'device') = (site_id IS NOT NULL)",
            name="device_has_site",
        ),
    )

    client_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(40))
    secret_hash: Mapped[str | None] = mapped_column(
        String(200), comment="Salted HMAC-SHA256 of the client secret"
    )
    jwks: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, comment="Public keys that verify private_key_jwt assertions"
    )
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    grant_types: Mapped[list[str]] = mapped_column(JSON)
    scopes: Mapped[list[str]] = mapped_column(
        JSON, comment="The scopes the client may request"
    )
    acts_as: Mapped[str | None] = mapped_column(String(12))
    site_id: Mapped[str | None] = mapped_column(
        Id14(), ForeignKey("sites.site_id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OAuthGrant(Base):
    """A person's approval of a client, from the consent page.

    The person acted as a worker or as staff of a company, named by
    ``actor_kind`` and ``actor_id`` (a worker id or a staff id). Every refresh
    token and access token issued under the approval belongs to it, so
    revoking the grant, or reuse of a rotated refresh token, ends them all.
    """

    __tablename__ = "oauth_grants"
    __table_args__ = (
        CheckConstraint("actor_kind IN ('worker', 'staff')", name="actor_kind"),
        Index("ix_oauth_grants_actor", "actor_kind", "actor_id"),
    )

    grant_id: Mapped[str] = mapped_column(String(43), primary_key=True)
    client_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_clients.client_id"), index=True
    )
    actor_kind: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[str] = mapped_column(Id14())
    login_subject: Mapped[str] = mapped_column(
        String(64), comment="Pseudonymous id of the login that approved"
    )
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class OAuthRefreshToken(Base):
    """A refresh token, kept as its SHA-256 digest.

    Each use rotates it: the row is marked used and a new row is issued in
    the same grant. A second use of a used row revokes the whole grant.
    """

    __tablename__ = "oauth_refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_grants.grant_id"), index=True
    )
    scopes: Mapped[list[str]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OAuthAccessToken(Base):
    """The id and expiry of an access token issued under a grant.

    Revoking the grant puts each unexpired id on the revocation list.
    """

    __tablename__ = "oauth_access_tokens"

    jti: Mapped[str] = mapped_column(String(43), primary_key=True)
    grant_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_grants.grant_id"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
