"""The long-lived objects one service process shares between requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from ccus.audit.chain import AuditChain
from ccus.audit.detectors import (
    DetectorStore,
    MemoryStore,
    PoachingDetectors,
    RedisStore,
)
from ccus.audit.log import append_rows
from ccus.audit.writer import AuditWriter
from ccus.auth.tokens import TokenService
from ccus.authz.engine import PolicyEngine
from ccus.authz.read_path import ReadPath
from ccus.clock import Clock, system_clock
from ccus.config import Settings
from ccus.crypto.keyring import BLIND_INDEX, KEK, PURPOSES, Keyring, KeyringFile
from ccus.crypto.select import kek_provider
from ccus.db.engine import make_engine, make_session_factory
from ccus.idp.provider import LocalProvider
from ccus.login.client import RelyingParty
from ccus.login.linking import StaffLoginIndex
from ccus.login.sessions import BrowserSessions
from ccus.login.store import ValueStore as LoginValues
from ccus.login.wiring import build_login
from ccus.oauth.codes import AuthorizationCodes
from ccus.oauth.server import OAuthServer
from ccus.oauth.stores import (
    ExpiringKeys,
    MemoryKeys,
    RateLimiter,
    RedisKeys,
    ReplayCache,
    RevokedTokens,
)
from ccus.registry.indexes import WorkerIndexer
from ccus.registry.vault import WorkerVault

# Requests per minute to the authorization endpoint from one address. A
# person submits a consent page in seconds, and offices behind one address
# share the limit.
AUTHORIZATION_REQUESTS_PER_MINUTE = 300
FILE_PURPOSES_WITH_HSM = tuple(purpose for purpose in PURPOSES if purpose != KEK)


@dataclass(slots=True)
class Services:
    settings: Settings
    keyring: Keyring
    sessions: sessionmaker[Session]
    tokens: TokenService
    policies: PolicyEngine
    vault: WorkerVault
    indexer: WorkerIndexer
    audit_chain: AuditChain
    read_path: ReadPath
    clock: Clock
    detectors: PoachingDetectors
    audit_writer: AuditWriter
    oauth: OAuthServer
    values: LoginValues
    browser_sessions: BrowserSessions
    login: RelyingParty
    staff_login_index: StaffLoginIndex
    local_idp: LocalProvider | None = None

    def session(self) -> AbstractContextManager[Session]:
        """Open a session that rolls back whatever it did not commit."""
        return _session_scope(self.sessions)()


def _session_scope(
    sessions: sessionmaker[Session],
) -> Callable[[], AbstractContextManager[Session]]:
    @contextmanager
    def scope() -> Iterator[Session]:
        session = sessions()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    return scope


def build_services(settings: Settings, clock: Clock = system_clock) -> Services:
    """Load keys and policies and connect to the database.

    Raises:
        KeyringError: a key is missing; the message names it.
    """
    # With KEKs on a PKCS#11 token, the file contains the other purposes only.
    purposes = PURPOSES if settings.kek_provider == "local" else FILE_PURPOSES_WITH_HSM
    keyring_file = KeyringFile(settings.keys_dir, purposes)
    keyring = keyring_file.current()
    provider = kek_provider(settings, keyring_file)
    engine = make_engine(settings.database_url)
    policies = PolicyEngine()
    vault = WorkerVault(provider)
    # Redis shares used assertion ids and revoked token ids between processes.
    oauth_keys: ExpiringKeys = (
        RedisKeys.from_url(settings.redis_url) if settings.redis_url else MemoryKeys()
    )
    revoked_tokens = RevokedTokens(oauth_keys)
    tokens = TokenService(
        keyring,
        issuer=settings.issuer,
        audience=settings.audience,
        lifetime_seconds=settings.token_lifetime_seconds,
        clock=lambda: clock().timestamp(),
        revocations=revoked_tokens,
    )
    # Redis shares the detectors' windows between API processes.
    store: DetectorStore = (
        RedisStore.from_url(settings.redis_url) if settings.redis_url else MemoryStore()
    )
    sessions = make_session_factory(engine)
    chain = AuditChain(*keyring.audit_key())
    login = build_login(
        settings,
        lambda: clock().timestamp(),
        keyring.active_entry(BLIND_INDEX).material,
        oauth_keys,
    )
    detectors = PoachingDetectors(store)
    services = Services(
        settings=settings,
        keyring=keyring,
        sessions=sessions,
        tokens=tokens,
        policies=policies,
        vault=vault,
        indexer=WorkerIndexer(keyring.active_entry(BLIND_INDEX).material, vault),
        values=login.values,
        browser_sessions=login.browser_sessions,
        login=login.login,
        staff_login_index=login.staff_login_index,
        local_idp=login.local_idp,
        audit_chain=chain,
        read_path=ReadPath(policies, vault),
        clock=clock,
        detectors=detectors,
        audit_writer=AuditWriter(
            _session_scope(sessions),
            lambda session, rows, now: append_rows(
                session, chain, detectors, rows, now
            ),
            group_commit=settings.audit_group_commit,
        ),
        oauth=OAuthServer(
            _session_scope(sessions),
            tokens,
            ReplayCache(oauth_keys),
            revoked_tokens,
            clock=lambda: clock().timestamp(),
            codes=AuthorizationCodes(login.values),
            rate_limiter=RateLimiter(
                oauth_keys,
                "token",
                settings.token_requests_per_minute,
                window_seconds=60,
            ),
            page_limiter=RateLimiter(
                oauth_keys,
                "authorize",
                AUTHORIZATION_REQUESTS_PER_MINUTE,
                window_seconds=60,
            ),
        ),
    )
    return services
