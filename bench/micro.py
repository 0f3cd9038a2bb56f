"""In-process timings of the service's decryption and policy steps, without HTTP.

Each operation runs many times under ``time.perf_counter_ns`` and the median
per operation is reported. The plaintext side decodes the same JSON the
ciphertexts contain, with the same typed msgspec decoders, so the difference
is the cost of unwrapping the data key and of AES-GCM decryption.

Run alone with ``python -m bench.micro``; ``python -m bench.run`` runs it too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bench.baseline_app import GROUP_SHAPES, group_json
from bench.service_setup import prepare_service, staff_token
from ccus.auth.actors import Actor
from ccus.authz.facts import ContactChoice
from ccus.authz.loaders import load_site_facts, load_worker_record
from ccus.clock import system_clock
from ccus.demo.dataset import Dataset, build_dataset
from ccus.registry.models import Worker, WorkerKey
from ccus.registry.vault import ENCRYPTED_GROUPS, WorkerVault, column_of
from ccus.services import Services

ROSTER_SIZE = 1000


@dataclass(frozen=True)
class MicroResult:
    """The median time of one operation, and of its plaintext equivalent if any."""

    operation: str
    median_us: float
    repetitions: int
    plaintext_median_us: float | None = None

    @property
    def ratio(self) -> float | None:
        if not self.plaintext_median_us:
            return None
        return self.median_us / self.plaintext_median_us


def median_us(operation: Callable[[], object], repetitions: int) -> float:
    """Time ``operation`` ``repetitions`` times after a warm-up.

    Returns the median in microseconds.
    """
    for _ in range(max(10, repetitions // 10)):
        operation()
    samples = []
    for _ in range(repetitions):
        start = time.perf_counter_ns()
        operation()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000


def _typed_decoders() -> dict[str, msgspec.json.Decoder[Any]]:
    return {name: msgspec.json.Decoder(shape) for name, shape in GROUP_SHAPES.items()}


def _open_record(vault: WorkerVault, worker: Worker, key_row: WorkerKey) -> None:
    """Open every sealed group of a worker, as the read path does."""
    data_key = AESGCM(vault.data_key(key_row))
    for group in ENCRYPTED_GROUPS:
        vault.open_group(
            worker.worker_id, data_key, group, getattr(worker, column_of(group))
        )


def _decode_record(
    decoders: dict[str, msgspec.json.Decoder[Any]], plaintext: dict[str, bytes]
) -> None:
    for group in ENCRYPTED_GROUPS:
        decoders[group].decode(plaintext[group])


def time_record(
    services: Services, dataset: Dataset, worker_id: str, repetitions: int
) -> list[MicroResult]:
    """Time opening one worker's sealed groups against decoding the plaintext."""
    vault = services.vault
    with services.session() as session:
        worker = session.get(Worker, worker_id)
        key_row = session.get(WorkerKey, (worker_id, 1))
    if worker is None or key_row is None:
        raise LookupError(f"worker {worker_id} or its data key is not loaded")
    source = next(w for w in dataset.workers if w.worker_id == worker_id)
    plaintext = group_json(source.groups)
    decoders = _typed_decoders()
    return [
        MicroResult(
            "unwrap one worker's data key",
            median_us(lambda: vault.data_key(key_row), repetitions),
            repetitions,
        ),
        MicroResult(
            f"open one worker record ({len(ENCRYPTED_GROUPS)} sealed groups)",
            median_us(lambda: _open_record(vault, worker, key_row), repetitions),
            repetitions,
            median_us(lambda: _decode_record(decoders, plaintext), repetitions),
        ),
    ]


def time_roster(
    services: Services, dataset: Dataset, repetitions: int
) -> list[MicroResult]:
    """Time opening the roster groups of 1,000 workers against the plaintext.

    The workers are sealed in memory with fresh data keys. Data sets smaller
    than 1,000 workers are cycled, each copy sealed under its own key.
    """
    vault = services.vault
    now = system_clock()
    sealed = []
    plaintexts = []
    for index in range(ROSTER_SIZE):
        source = dataset.workers[index % len(dataset.workers)]
        sealed.append(vault.seal_worker(source.worker_id, source.groups, now))
        plaintexts.append(group_json(source.groups))
    decoders = _typed_decoders()

    def open_roster() -> None:
        for worker, key_row in sealed:
            _open_record(vault, worker, key_row)

    def decode_roster() -> None:
        for plaintext in plaintexts:
            _decode_record(decoders, plaintext)

    return [
        MicroResult(
            f"open the roster groups of {ROSTER_SIZE:,} workers",
            median_us(open_roster, repetitions),
            repetitions,
            median_us(decode_roster, repetitions),
        )
    ]


def time_policy(
    services: Services,
    actors: dict[str, Actor],
    worker_id: str,
    site_id: str,
    repetitions: int,
) -> list[MicroResult]:
    """Time the Polar queries of the two benchmarked reads.

    A worker read calls ``disclosures`` once and ``shows_company_contact``
    once. A roster page calls ``roster_scope`` once and
    ``shows_company_contact`` once per listed worker.
    """
    policies = services.policies
    with services.session() as session:
        exists, record = load_worker_record(session, worker_id, system_clock())
        site = load_site_facts(session, site_id)
    if not exists or site is None:
        raise LookupError(f"worker {worker_id} or site {site_id} is not loaded")
    employer, prime = actors["employer"], actors["prime"]
    if not policies.disclosures(employer, record):
        raise LookupError(f"the employer persona may not read worker {worker_id}")
    choice = ContactChoice(record.employer_ids, record.contact_replaced)
    return [
        MicroResult(
            "PolicyEngine.disclosures, employer persona",
            median_us(lambda: policies.disclosures(employer, record), repetitions),
            repetitions,
        ),
        MicroResult(
            "PolicyEngine.disclosures, prime persona",
            median_us(lambda: policies.disclosures(prime, record), repetitions),
            repetitions,
        ),
        MicroResult(
            "PolicyEngine.roster_scope, prime persona",
            median_us(lambda: policies.roster_scope(prime, site), repetitions),
            repetitions,
        ),
        MicroResult(
            "PolicyEngine.shows_company_contact, prime persona",
            median_us(
                lambda: policies.shows_company_contact(prime, choice), repetitions
            ),
            repetitions,
        ),
    ]


def run_micro(
    services: Services,
    dataset: Dataset,
    personas: dict[str, str],
    repetitions: int = 2000,
    roster_repetitions: int = 30,
) -> list[MicroResult]:
    """Run every micro benchmark against a loaded service database."""
    worker_id, site_id = personas["worker"], personas["site_id"]
    actors: dict[str, Actor] = {}
    for name in ("employer", "prime"):
        token = staff_token(services, dataset, personas[name], 600)
        actors[name] = services.tokens.verify(token)
    return [
        *time_record(services, dataset, worker_id, repetitions),
        *time_roster(services, dataset, roster_repetitions),
        *time_policy(services, actors, worker_id, site_id, repetitions),
    ]


def micro_table(results: list[MicroResult]) -> str:
    """Format micro benchmark results as a Markdown table."""
    lines = [
        "| operation | service median (µs) | plaintext median (µs) | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for result in results:
        plain = (
            f"{result.plaintext_median_us:,.1f}" if result.plaintext_median_us else "–"
        )
        ratio = f"{result.ratio:.1f}×" if result.ratio else "–"
        lines.append(
            f"| {result.operation} | {result.median_us:,.1f} | {plain} | {ratio} |"
        )
    return "\n".join(lines)


def as_json(results: list[MicroResult]) -> list[dict[str, Any]]:
    return [{**asdict(result), "ratio": result.ratio} for result in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workers", type=int, default=300, help="Workers in the demo data set."
    )
    parser.add_argument(
        "--repetitions",
        type=int,
        default=2000,
        help="Timed runs of each single-record operation.",
    )
    parser.add_argument(
        "--json", action="store_true", help="Print JSON instead of a Markdown table."
    )
    args = parser.parse_args()
    dataset = build_dataset(workers=args.workers)
    personas = dataset.personas()
    with tempfile.TemporaryDirectory(prefix="ccus-micro-") as folder:
        service = prepare_service(Path(folder), dataset)
        results = run_micro(service.services, dataset, personas, args.repetitions)
    if args.json:
        print(json.dumps(as_json(results), indent=2))
    else:
        print(micro_table(results))


if __name__ == "__main__":
    main()
