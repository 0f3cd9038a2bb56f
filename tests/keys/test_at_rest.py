"""At rest: no plaintext and no key material in the database, before and
after rotation; nonces never repeat, even across processes."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from ccus.crypto.keyring import add_local_kek
from ccus.registry.models import WorkerKey
from ccus.registry.rotation import reencrypt_all, rewrap_all
from tests.conftest import fixed_clock
from tests.e2e.test_no_plaintext import found_in, personal_values
from tests.keys.conftest import Registry

NONCE_SCRIPT = """
import sys
from ccus.crypto import envelope
key = bytes(32)
context = envelope.field_context("workers", "contact_ct", "00000000000001")
for _ in range(int(sys.argv[1])):
    print(envelope.seal(key, 1, b"x", context)[5:17].hex())
"""


def database_bytes(registry: Registry) -> bytes:
    if registry.backend.kind == "sqlite":
        database = Path(registry.backend.url.removeprefix("sqlite:///"))
        files = sorted(database.parent.glob(database.name + "*"))
        return b"".join(path.read_bytes() for path in files)
    from sqlalchemy.engine import make_url

    url = make_url(registry.backend.url).set(drivername="postgresql")
    return subprocess.run(  # noqa: S603 - fixed program, URL from the test config
        ["pg_dump", "--data-only", url.render_as_string(hide_password=False)],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout


def key_material(registry: Registry) -> list[bytes]:
    """Every KEK of the keyring and a sample of unwrapped data keys."""
    document = json.loads((registry.keys_dir / "keyring.json").read_text())
    keks = [
        base64.b64decode(entry["material"])
        for entry in document["keys"]
        if entry["purpose"] in ("key-encryption", "blind-index")
    ]
    with registry.services.session() as session:
        rows = session.scalars(select(WorkerKey).limit(10)).all()
        data_keys = [registry.services.vault.data_key(row) for row in rows]
    return keks + data_keys


def assert_clean(registry: Registry) -> None:
    blob = database_bytes(registry)
    assert found_in(blob, personal_values(registry.dataset)) == []
    for material in key_material(registry):
        assert material not in blob
        assert base64.b64encode(material) not in blob
        assert material.hex().encode() not in blob


def test_clean_after_loading(registry: Registry) -> None:
    assert_clean(registry)


def test_clean_after_rotation(registry: Registry) -> None:
    services = registry.services
    add_local_kek(registry.keys_dir)
    services.vault.provider._source.refresh()  # type: ignore[attr-defined]
    rewrap_all(services.sessions, services.vault)
    reencrypt_all(services.sessions, services.vault, fixed_clock, grace_seconds=0)
    assert_clean(registry)


def test_nonces_unique_across_processes() -> None:
    runs = [
        subprocess.Popen(  # noqa: S603 - this interpreter with a fixed script
            [sys.executable, "-c", NONCE_SCRIPT, "20000"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    nonces = []
    for run in runs:
        output, _ = run.communicate(timeout=120)
        assert run.returncode == 0
        nonces.extend(output.split())
    assert len(nonces) == 60000
    assert len(set(nonces)) == len(nonces)
