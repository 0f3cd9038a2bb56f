"""The long-lived objects one service process shares between requests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from ccus.auth.tokens import TokenService
from ccus.authz.engine import PolicyEngine
from ccus.authz.read_path import ReadPath
from ccus.clock import Clock, system_clock
from ccus.config import Settings
from ccus.crypto.keyring import Keyring, KeyringFile
from ccus.crypto.providers import LocalKekProvider
from ccus.db.engine import make_engine, make_session_factory
from ccus.registry.vault import WorkerVault


@dataclass(slots=True)
class Services:
    settings: Settings
    keyring: Keyring
    sessions: sessionmaker[Session]
    tokens: TokenService
    policies: PolicyEngine
    vault: WorkerVault
    read_path: ReadPath
    clock: Clock

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session that rolls back whatever it did not commit."""
        session = self.sessions()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def build_services(settings: Settings, clock: Clock = system_clock) -> Services:
    """Load keys and policies and connect to the database.

    Raises:
        KeyringError: a key is missing; the message names it.
    """
    keyring_file = KeyringFile(settings.keys_dir)
    keyring = keyring_file.current()
    engine = make_engine(settings.database_url)
    policies = PolicyEngine()
    vault = WorkerVault(LocalKekProvider(keyring_file))
    tokens = TokenService(
        keyring,
        issuer=settings.issuer,
        audience=settings.audience,
        lifetime_seconds=settings.token_lifetime_seconds,
        clock=lambda: clock().timestamp(),
    )
    return Services(
        settings=settings,
        keyring=keyring,
        sessions=make_session_factory(engine),
        tokens=tokens,
        policies=policies,
        vault=vault,
        read_path=ReadPath(policies, vault),
        clock=clock,
    )
