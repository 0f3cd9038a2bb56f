"""The table of registered OAuth clients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
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
