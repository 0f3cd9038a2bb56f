"""Benchmark full key rotation against a plaintext rewrite of the same rows.

Run from the repository root::

    python -m bench.rotation --workers 100000

The service side wraps every data key again under a new KEK (rewrap) and
seals every worker again under a new data key (re-encryption). The
baseline reads and writes back the same rows in the same batches without
any cryptography, so the ratio is what the cryptography costs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, attributes, sessionmaker

from ccus.config import load_settings
from ccus.crypto.keyring import add_local_kek, create_local_keyring
from ccus.db.migrate import upgrade
from ccus.demo.dataset import build_dataset
from ccus.demo.load import load_dataset
from ccus.registry.models import Worker, WorkerKey
from ccus.registry.rotation import reencrypt_all, rewrap_all
from ccus.registry.vault import ENCRYPTED_GROUPS, column_of
from ccus.services import build_services

RESULTS = Path(__file__).resolve().parent / "results"


def rewrite_rows(
    sessions: sessionmaker[Session],
    model: type[Worker] | type[WorkerKey],
    columns: list[str],
    batch_size: int,
) -> int:
    """Read every row in batches and write the same column values back."""
    order = Worker.worker_id if model is Worker else WorkerKey.worker_id
    done, offset = 0, 0
    while True:
        with sessions() as session:
            rows = session.scalars(
                select(model).order_by(order).offset(offset).limit(batch_size)
            ).all()
            if not rows:
                return done
            for row in rows:
                for column in columns:
                    setattr(row, column, bytes(getattr(row, column)))
                    attributes.flag_modified(row, column)
            session.commit()
        done += len(rows)
        offset += len(rows)


def timed(action: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    count = action()
    return count, time.perf_counter() - started


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000, help="Workers.")
    parser.add_argument("--batch", type=int, default=500, help="Rows per commit.")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ccus-rotation-"))
    keys_dir = folder / "keys"
    create_local_keyring(keys_dir)
    url = f"sqlite:///{folder / 'ccus.sqlite3'}"
    upgrade(url)
    settings = load_settings({"CCUS_DATABASE_URL": url, "CCUS_KEYS_DIR": str(keys_dir)})
    services = build_services(settings)

    dataset = build_dataset(workers=args.workers)
    started = time.perf_counter()
    with services.session() as session:
        load_dataset(session, dataset, services.vault, datetime.now(UTC))
    load_seconds = time.perf_counter() - started
    sealed = [column_of(group) for group in ENCRYPTED_GROUPS]

    cases = {
        "rewrap (baseline: rewrite wrapped keys)": timed(
            lambda: rewrite_rows(
                services.sessions, WorkerKey, ["wrapped_key"], args.batch
            )
        ),
    }
    add_local_kek(keys_dir)
    services.vault.provider._source.refresh()  # type: ignore[attr-defined]
    cases["rewrap (service)"] = timed(
        lambda: rewrap_all(services.sessions, services.vault, args.batch)
    )
    cases["re-encrypt (baseline: rewrite sealed columns)"] = timed(
        lambda: rewrite_rows(services.sessions, Worker, sealed, args.batch)
    )
    cases["re-encrypt (service)"] = timed(
        lambda: reencrypt_all(
            services.sessions,
            services.vault,
            lambda: datetime.now(UTC),
            batch_size=args.batch,
            grace_seconds=0,
        )
    )

    rows = {
        name: {
            "rows": count,
            "seconds": round(seconds, 2),
            "rows_per_s": round(count / seconds),
        }
        for name, (count, seconds) in cases.items()
    }
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "workers": args.workers,
        "batch": args.batch,
        "load_seconds": round(load_seconds, 1),
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "command": (
            f"python -m bench.rotation --workers {args.workers} --batch {args.batch}"
        ),
        "cases": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}-rotation-{args.workers}w.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False)
    )
    print(f"{args.workers} workers on SQLite, {result['cpus']} CPUs ({result['cpu']})")
    print("| case | rows | seconds | rows/s |")
    print("| --- | ---: | ---: | ---: |")
    for name, row in rows.items():
        print(f"| {name} | {row['rows']} | {row['seconds']} | {row['rows_per_s']} |")
    for kind in ("rewrap", "re-encrypt"):
        service = rows[f"{kind} (service)"]["rows_per_s"]
        baseline = next(v for k, v in rows.items() if k.startswith(f"{kind} (baseline"))
        share = service / baseline["rows_per_s"]
        print(f"{kind}: the service's rate is {share:.2f} of the baseline's")


if __name__ == "__main__":
    main()
