"""Measure what privacy costs: the service's reads against a plaintext baseline.

Builds the demo data set, loads it into a fresh service database (new
keyring, migrations, the demo loader) and into the baseline database of
``bench.baseline_app``, serves both with uvicorn in subprocesses on loopback
ports and drives each with wrk. Results go to ``bench/results/`` as JSON and
to stdout as Markdown. See docs/benchmarks.md for what each case measures.

Run from the repository root: ``python -m bench.run [--workers N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import micro
from bench.baseline_app import load_baseline
from bench.report import (
    CaseResult,
    case_json,
    data_size,
    database_bytes,
    hardware,
    load_average,
    markdown_report,
    software,
    source_state,
)
from bench.servers import REPO_ROOT, Server, get_json, serve
from bench.service_setup import (
    ServiceDatabase,
    count_audit_events,
    employer_tokens,
    prepare_service,
    read_history,
    staff_token,
)
from bench.wrk import Target, WrkResult, run_wrk, write_script
from ccus.demo.dataset import Dataset, build_dataset

RESULTS_DIR = REPO_ROOT / "bench" / "results"
ROSTER_PAGE = 50
# Requests per case whose responses are compared before the load starts.
CHECKED_REQUESTS = 30


@dataclass(frozen=True)
class Case:
    """One benchmarked read; the service and the baseline get the same requests."""

    name: str
    description: str
    targets: list[Target]


def first_difference(left: Any, right: Any, where: str = "$") -> str | None:
    """Return the JSON path of the first difference between two values, if any."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(left.keys() | right.keys()):
            if key not in left or key not in right:
                return f"{where}.{key} (present on one side only)"
            found = first_difference(left[key], right[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{where} (lengths {len(left)} and {len(right)})"
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            found = first_difference(a, b, f"{where}[{index}]")
            if found:
                return found
        return None
    return None if left == right else f"{where} ({left!r} and {right!r})"


def check_same_responses(
    service: Server, baseline: Server, cases: list[Case], seed: int
) -> int:
    """Check that both apps return the same JSON for a sample of each case.

    These requests add audit rows to the service database before the load.

    Raises:
        RuntimeError: naming the first request and JSON path that differ.
    """
    checked = 0
    for case in cases:
        sample = list(case.targets)
        random.Random(seed).shuffle(sample)
        for target in sample[:CHECKED_REQUESTS]:
            expected = get_json(service.base_url, target)
            actual = get_json(baseline.base_url, target)
            difference = first_difference(expected, actual)
            if difference:
                raise RuntimeError(
                    f"baseline differs from the service for GET {target.path} "
                    f"at {difference}"
                )
            checked += 1
    return checked


def build_cases(
    service: ServiceDatabase,
    dataset: Dataset,
    personas: dict[str, str],
    token_lifetime: int,
) -> list[Case]:
    """Build the requests of both cases with tokens valid for ``token_lifetime``.

    The detail case rotates over every worker of the data set. Each request
    carries a token of a staff member of that worker's employer, so every
    read is the employer persona's base screen. The baseline gets the same
    requests and headers and ignores the token.
    """
    tokens = employer_tokens(service.services, dataset, personas, token_lifetime)
    detail = [
        Target(f"/workers/{worker.worker_id}", tokens[worker.employer_id])
        for worker in dataset.workers
    ]
    prime_token = staff_token(
        service.services, dataset, personas["prime"], token_lifetime
    )
    roster = [
        Target(f"/sites/{personas['site_id']}/roster?limit={ROSTER_PAGE}", prime_token)
    ]
    return [
        Case(
            "worker_detail",
            "one worker record, employer persona (base screen), "
            f"rotating over {len(detail):,} workers",
            detail,
        ),
        Case(
            "roster_page",
            f"first roster page of {ROSTER_PAGE} of the live site, prime persona",
            roster,
        ),
    ]


def measure(server: Server, script: Path, args: argparse.Namespace) -> WrkResult:
    """Run one measured wrk run against a server, with the server's CPU time.

    Raises:
        RuntimeError: wrk counted errors or non-2xx responses.
    """
    cpu_before = server.cpu_seconds()
    result = run_wrk(
        server.base_url, script, args.duration, args.connections, args.threads
    )
    result = replace(result, server_cpu_seconds=server.cpu_seconds() - cpu_before)
    if result.errors:
        raise RuntimeError(
            f"{server.name}: wrk counted {result.errors} errors "
            f"({result.errors_status} non-2xx responses); see {server.log_path}"
        )
    return result


def measure_case(
    case: Case,
    service: Server,
    baseline: Server,
    script: Path,
    args: argparse.Namespace,
) -> CaseResult:
    """Warm both servers up, then measure them in turns, ``args.repeat`` times each.

    Alternating the two sides spreads a slow period of a shared machine over
    both instead of one.
    """
    for server in (baseline, service):
        log(f"{case.name}: warming up {server.name}")
        run_wrk(server.base_url, script, args.warmup, args.connections, args.threads)
    service_runs, baseline_runs = [], []
    for round_number in range(1, args.repeat + 1):
        log(f"{case.name}: run {round_number} of {args.repeat}")
        baseline_runs.append(measure(baseline, script, args))
        service_runs.append(measure(service, script, args))
    return CaseResult(
        case.name,
        case.description,
        len(case.targets),
        service_runs,
        baseline_runs,
    )


def start_servers(
    stack: ExitStack, service_db: ServiceDatabase, baseline_path: Path, folder: Path
) -> tuple[Server, Server]:
    """Start ``ccus serve`` and the baseline app; ``stack`` stops them.

    Raises:
        FileNotFoundError: the ``ccus`` command is not installed in this venv.
    """
    binary = Path(sys.executable).with_name("ccus")
    if not binary.exists():
        raise FileNotFoundError(
            f"{binary} not found; install ccus into this venv with 'pip install -e .'"
        )
    service = stack.enter_context(
        serve(
            "service",
            [str(binary), "serve", "--host", "127.0.0.1"],
            service_db.environment,
            folder,
        )
    )
    baseline = stack.enter_context(
        serve(
            "baseline",
            [
                sys.executable,
                "-m",
                "bench.baseline_app",
                "--database",
                str(baseline_path),
                "--host",
                "127.0.0.1",
            ],
            dict(os.environ),
            folder,
        )
    )
    return service, baseline


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--workers", type=int, default=300, help="Workers in the demo data set."
    )
    parser.add_argument(
        "--seed", type=int, default=20260401, help="Seed of the demo data set."
    )
    parser.add_argument(
        "--duration", type=int, default=10, help="Seconds of measured load per run."
    )
    parser.add_argument(
        "--warmup", type=int, default=3, help="Seconds of unmeasured load first."
    )
    parser.add_argument(
        "--connections", type=int, default=32, help="Open HTTP connections."
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="Measured runs per side and case; the median run is reported.",
    )
    parser.add_argument(
        "--no-micro", action="store_true", help="Skip the in-process timings."
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="JSON result file (default: bench/results/<time>-<workers>w.json).",
    )
    args = parser.parse_args(argv)

    for name in ("duration", "warmup", "connections", "threads", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    return args


def run(
    args: argparse.Namespace, command: str
) -> tuple[dict[str, Any], list[micro.MicroResult]]:
    """Build both databases, run every case and return the report.

    The in-process timings are returned beside the report, which contains
    them as JSON too.
    """
    started = datetime.now(UTC)
    source = source_state(REPO_ROOT)
    log(f"building the demo data set with {args.workers:,} workers")
    dataset = build_dataset(seed=args.seed, workers=args.workers)
    personas = dataset.personas()
    with (
        tempfile.TemporaryDirectory(prefix="ccus-bench-") as name,
        ExitStack() as stack,
    ):
        folder = Path(name)
        log("loading the service database")
        service_db = prepare_service(folder, dataset)
        assert service_db.path is not None
        history = read_history(service_db.services)
        log("loading the baseline database")
        baseline_path = folder / "baseline.sqlite3"
        load_baseline(baseline_path, dataset, history)
        sizes = {
            "service_database_bytes_before": database_bytes(service_db.path),
            "baseline_database_bytes": database_bytes(baseline_path),
        }
        micro_results: list[micro.MicroResult] = []
        if not args.no_micro:
            log("running the in-process timings")
            micro_results = micro.run_micro(service_db.services, dataset, personas)

        cases = build_cases(service_db, dataset, personas, token_lifetime=4 * 3600)
        log("starting both servers")
        service, baseline = start_servers(stack, service_db, baseline_path, folder)
        checked = check_same_responses(service, baseline, cases, args.seed)
        log(f"both apps return the same JSON for {checked} sampled requests")

        audit_before = count_audit_events(service_db.services)
        load_before = load_average()
        results = []
        for case in cases:
            script = folder / f"{case.name}.lua"
            write_script(script, case.targets, seed=args.seed)
            results.append(measure_case(case, service, baseline, script, args))
        load_after = load_average()
        sizes["service_database_bytes_after"] = database_bytes(service_db.path)
        sizes["audit_events_written"] = (
            count_audit_events(service_db.services) - audit_before
        )

    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": command,
        "source": source,
        "hardware": hardware(),
        "software": software(),
        "data": {**data_size(dataset, len(history)), "seed": args.seed, **sizes},
        "wrk": {
            "connections": args.connections,
            "threads": args.threads,
            "duration_seconds": args.duration,
            "warmup_seconds": args.warmup,
            "repeat": args.repeat,
        },
        "load_average": {"before": load_before, "after": load_after},
        "cases": [case_json(result) for result in results],
        "micro": micro.as_json(micro_results),
    }
    return report, micro_results


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_arguments(argv)
    command = shlex.join(["python", "-m", "bench.run", *argv])
    report, micro_results = run(args, command)
    table = markdown_report(report, micro_results)
    output = args.output or RESULTS_DIR / (
        f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{args.workers}w.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table)
    log(f"wrote {output}")


if __name__ == "__main__":
    main()
