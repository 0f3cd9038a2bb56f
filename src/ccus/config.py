"""Settings read from the environment once, at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///var/ccus.sqlite3"
KEK_PROVIDERS = ("local", "pkcs11")


@dataclass(frozen=True, slots=True)
class Settings:
    """Runtime settings of one service process.

    ``mode`` is ``development`` for the embedded default or ``production``;
    production never creates keys and requires every key to exist.
    ``kek_provider`` names where key-encryption keys live: ``local`` for the
    keyring file, ``pkcs11`` for a PKCS#11 token, configured by the
    ``pkcs11_*`` fields.

    ``login_issuer`` is the OpenID Provider people log in with, and
    ``login_client_id`` is this service's client id there. ``local_idp``
    serves the local demo provider under ``/idp``, whose card holders live
    in ``data_dir``.
    """

    mode: str
    database_url: str
    keys_dir: Path
    redis_url: str | None
    issuer: str
    audience: str
    token_lifetime_seconds: int
    max_body_bytes: int
    kek_provider: str = "local"
    # Concurrent reads share one audit commit; off, each read commits alone.
    audit_group_commit: bool = True
    pkcs11_module: str | None = None
    pkcs11_token_label: str | None = None
    # Left out of repr() so that printing or logging the settings never shows it.
    pkcs11_pin: str | None = field(default=None, repr=False)
    pkcs11_active_kek: str | None = None
    login_issuer: str = "http://127.0.0.1:8000/idp"
    login_client_id: str = "ccus"
    local_idp: bool = False
    data_dir: Path = Path("var")
    # Requests a minute that one client (or one address naming no client)
    # may send to the token, revocation and introspection endpoints.
    token_requests_per_minute: int = 600

    @property
    def production(self) -> bool:
        return self.mode == "production"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from ``CCUS_*`` variables, with embedded defaults.

    Raises:
        ValueError: a variable contains a value the service cannot use.
    """
    env = os.environ if environ is None else environ
    mode = env.get("CCUS_MODE", "development")
    if mode not in ("development", "production"):
        raise ValueError(
            f"CCUS_MODE is {mode!r}; set it to 'development' or 'production'"
        )
    kek_provider = env.get("CCUS_KEK_PROVIDER") or "local"
    if kek_provider not in KEK_PROVIDERS:
        raise ValueError(
            f"CCUS_KEK_PROVIDER is {kek_provider!r}; set it to 'local' or 'pkcs11'"
        )
    issuer = env.get("CCUS_ISSUER", "http://127.0.0.1:8000")
    local_idp = _flag(env, "CCUS_LOCAL_IDP", default=mode == "development")
    if local_idp and mode == "production":
        raise ValueError(
            "CCUS_LOCAL_IDP is on in production mode, but the local provider is a "
            "demo whose card holders anyone may choose; unset CCUS_LOCAL_IDP and "
            "set CCUS_LOGIN_ISSUER to the national ID provider's issuer"
        )
    return Settings(
        mode=mode,
        database_url=env.get("CCUS_DATABASE_URL", DEFAULT_DATABASE_URL),
        keys_dir=Path(env.get("CCUS_KEYS_DIR", "keys")),
        redis_url=env.get("CCUS_REDIS_URL") or None,
        issuer=issuer,
        audience=env.get("CCUS_AUDIENCE", "ccus-api"),
        token_lifetime_seconds=int(env.get("CCUS_TOKEN_LIFETIME_SECONDS", "3600")),
        max_body_bytes=int(env.get("CCUS_MAX_BODY_BYTES", str(1024 * 1024))),
        kek_provider=kek_provider,
        audit_group_commit=_flag(env, "CCUS_AUDIT_GROUP_COMMIT", default=True),
        pkcs11_module=env.get("CCUS_PKCS11_MODULE") or None,
        pkcs11_token_label=env.get("CCUS_PKCS11_TOKEN") or None,
        pkcs11_pin=env.get("CCUS_PKCS11_PIN") or None,
        pkcs11_active_kek=env.get("CCUS_PKCS11_ACTIVE_KEK") or None,
        login_issuer=env.get("CCUS_LOGIN_ISSUER") or f"{issuer.rstrip('/')}/idp",
        login_client_id=env.get("CCUS_LOGIN_CLIENT_ID") or "ccus",
        local_idp=local_idp,
        data_dir=Path(env.get("CCUS_DATA_DIR") or "var"),
        token_requests_per_minute=_positive(
            env, "CCUS_TOKEN_REQUESTS_PER_MINUTE", default=600
        ),
    )


def _positive(env: Mapping[str, str], name: str, *, default: int) -> int:
    """Read a whole number of at least 1."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ValueError(f"{name} is {raw!r}; set it to a whole number of at least 1")
    return int(raw)


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """Read a boolean variable written as 1/0, true/false, on/off or yes/no."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "on", "yes"):
        return True
    if value in ("0", "false", "off", "no"):
        return False
    raise ValueError(f"{name} is {raw!r}; set it to 'true' or 'false'")
