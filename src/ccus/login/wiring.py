"""Build the login's long-lived objects for one service process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ccus.config import Settings
from ccus.idp.provider import LocalProvider
from ccus.login.client import RelyingParty
from ccus.login.keys import LOCAL_IDP_KEY_FILE, LOGIN_CLIENT_KEY_FILE, SigningKeyFile
from ccus.login.linking import StaffLoginIndex
from ccus.login.sessions import BrowserSessions
from ccus.login.store import ValueStore, values_for
from ccus.oauth.stores import ExpiringKeys, ReplayCache


@dataclass(frozen=True, slots=True)
class LoginParts:
    """The value store, sessions, relying party, staff index and local provider."""

    values: ValueStore
    browser_sessions: BrowserSessions
    login: RelyingParty
    staff_login_index: StaffLoginIndex
    local_idp: LocalProvider | None


def build_login(
    settings: Settings,
    clock: Callable[[], float],
    blind_index_root: bytes,
    assertion_ids: ExpiringKeys,
) -> LoginParts:
    """Build the login objects; key files are read on first use, not here.

    ``assertion_ids`` is the set in which the local provider records the
    client assertions it accepted, so that none is accepted twice.
    """
    values = values_for(settings)
    login = RelyingParty(
        issuer=settings.login_issuer,
        client_id=settings.login_client_id,
        service_issuer=settings.issuer,
        values=values,
        client_key=SigningKeyFile(settings.keys_dir / LOGIN_CLIENT_KEY_FILE),
        clock=clock,
    )
    local_idp = None
    if settings.local_idp:
        local_idp = LocalProvider(
            service_issuer=settings.issuer,
            client_id=settings.login_client_id,
            values=values,
            replay_cache=ReplayCache(assertion_ids, prefix="ccus:idp"),
            signing_key=SigningKeyFile(settings.keys_dir / LOCAL_IDP_KEY_FILE),
            data_dir=settings.data_dir,
            clock=clock,
        )
    return LoginParts(
        values=values,
        browser_sessions=BrowserSessions(
            values,
            secure_cookie=settings.issuer.startswith("https://"),
            clock=clock,
        ),
        login=login,
        staff_login_index=StaffLoginIndex(blind_index_root),
        local_idp=local_idp,
    )
