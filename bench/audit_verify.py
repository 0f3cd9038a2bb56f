"""Benchmark ``ccus audit verify`` against a plain SHA-256 chain.

Run from the repository root::

    python -m bench.audit_verify --entries 100000

The service side appends entries through the audit chain into a fresh
SQLite database and times ``verify_chain``: reading every entry, checking
every link and every signed checkpoint. The baseline reads the same rows in
one query and computes a plain SHA-256 chain over the same canonical bytes,
without comparing links or checking signatures, so the ratio is what the
checks and the batched reads add.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from ccus.audit.chain import GENESIS_HASH, HASHED_FIELDS, canonical_bytes
from ccus.audit.log import AccessContext, AuditDraft, write_events
from ccus.audit.models import AuditEvent
from ccus.audit.verify import verify_chain
from ccus.auth.actors import StaffActor
from ccus.config import load_settings
from ccus.crypto.keyring import create_local_keyring
from ccus.db.migrate import upgrade
from ccus.services import build_services

BATCH = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000, help="Entries.")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ccus-audit-verify-"))
    keys_dir = folder / "keys"
    create_local_keyring(keys_dir)
    url = f"sqlite:///{folder / 'ccus.sqlite3'}"
    upgrade(url)
    settings = load_settings({"CCUS_DATABASE_URL": url, "CCUS_KEYS_DIR": str(keys_dir)})
    services = build_services(settings)
    actor = StaffActor(
        subject="00000000000001", client_id="bench", company_id="00000000000002"
    )
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for first in range(0, args.entries, BATCH):
        context = AccessContext(
            actor=actor,
            request_id=f"bench-{first}",
            now=start + timedelta(seconds=first),
            chain=services.audit_chain,
        )
        drafts = [
            AuditDraft(
                "list_roster",
                "roster",
                "allow",
                worker_id=f"{number:014d}",
                site_id="00000000000003",
                field_groups=["roster"],
                basis=[{"kind": "roster", "ref": str(number), "groups": ["roster"]}],
            )
            for number in range(first, min(first + BATCH, args.entries))
        ]
        with services.session() as session:
            write_events(session, context, drafts)
            session.commit()

    keys = services.keyring.audit_public_keys()
    started = time.perf_counter()
    with services.session() as session:
        result = verify_chain(session, keys)
    verify_seconds = time.perf_counter() - started
    assert result.problem is None, result.problem

    started = time.perf_counter()
    with services.session() as session:
        previous = GENESIS_HASH
        count = 0
        for row in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
            entry = {name: getattr(row, name) for name in HASHED_FIELDS}
            previous = hashlib.sha256(previous + canonical_bytes(entry)).digest()
            count += 1
    plain_seconds = time.perf_counter() - started

    verify_rate = result.entries / verify_seconds
    plain_rate = count / plain_seconds
    print(
        f"{result.entries} entries, {result.checkpoints} checkpoints, SQLite, "
        f"{os.cpu_count()} CPUs"
    )
    print("| case | seconds | entries/s |")
    print("| --- | ---: | ---: |")
    print(f"| ccus audit verify | {verify_seconds:.2f} | {verify_rate:,.0f} |")
    print(f"| plain SHA-256 chain | {plain_seconds:.2f} | {plain_rate:,.0f} |")
    print(f"verify runs at {verify_rate / plain_rate:.2f} of the plain chain's rate")


if __name__ == "__main__":
    main()
