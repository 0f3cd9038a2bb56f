"""A service killed during a burst of reads leaves a sound chain that contains
an entry for every response it sent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx

from ccus.audit.models import AuditEvent
from ccus.audit.verify import verify_chain
from ccus.auth.tokens import TokenService
from tests.e2e.helpers import actor_of, personas
from tests.keys.conftest import Registry

READERS = 4
REQUESTS_PER_READER = 400


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_service(registry: Registry, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CCUS_DATABASE_URL": registry.backend.url,
        "CCUS_KEYS_DIR": str(registry.keys_dir),
    }
    process = subprocess.Popen(  # noqa: S603 - this interpreter running ccus
        [sys.executable, "-m", "ccus", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the service did not start within 30 s")


def test_kill_during_burst_keeps_chain(registry: Registry) -> None:
    services = registry.services
    tokens = TokenService(
        services.keyring,
        issuer=services.settings.issuer,
        audience=services.settings.audience,
        lifetime_seconds=600,
    )
    token = tokens.issue(actor_of(services, "employer"))
    target = personas(services)["worker"]
    port = free_port()
    process = start_service(registry, port)
    answered: list[str] = []
    lock = threading.Lock()

    def read() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            for _ in range(REQUESTS_PER_READER):
                try:
                    response = client.get(f"/workers/{target}", headers=headers)
                except httpx.TransportError:
                    return
                if response.status_code == 200:
                    with lock:
                        answered.append(response.headers["x-request-id"])

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    time.sleep(1.5)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    for reader in readers:
        reader.join(timeout=30)

    assert 10 < len(answered) < READERS * REQUESTS_PER_READER
    with services.session() as session:
        result = verify_chain(session, services.keyring.audit_public_keys())
        recorded = set(
            session.scalars(
                AuditEvent.__table__.select()
                .with_only_columns(AuditEvent.request_id)
                .where(AuditEvent.request_id.in_(answered))
            )
        )
    assert result.problem is None
    assert set(answered) <= recorded
