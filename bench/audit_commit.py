"""Measure audited reads with and without group commit, against the baseline.

Loads the demo data set into one service database and into the plaintext
baseline of ``bench.baseline_app``. The service is then served twice over the
same database, with ``CCUS_AUDIT_GROUP_COMMIT`` set to true and to false, and
wrk drives the three servers in turns on the cases of ``bench.run``. Every
service response is sent only after its audit rows are committed, so the
service's numbers include the audit log's cost in full.
At the end ``ccus audit verify`` checks the chain both servers wrote.

The service database is SQLite unless ``--postgres`` names a server, where a
fresh database is created for the run and dropped after it.

Run from the repository root: ``python -m bench.audit_commit [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shlex
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from bench.baseline_app import load_baseline
from bench.report import cpu_ms_per_request, hardware, median_run, software
from bench.run import (
    RESULTS_DIR,
    build_cases,
    check_same_responses,
    log,
    measure,
    start_servers,
)
from bench.servers import Server, serve
from bench.service_setup import (
    ServiceDatabase,
    count_audit_events,
    prepare_service,
    read_history,
)
from bench.wrk import WrkResult, run_wrk, write_script
from ccus.audit.verify import verify_chain
from ccus.db.engine import normalise_url
from ccus.demo.dataset import build_dataset


@contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """Create an empty database on the server of ``admin_url`` and drop it after."""
    name = f"ccus_bench_{secrets.token_hex(4)}"
    plain = make_url(normalise_url(admin_url)).set(drivername="postgresql")
    conninfo = plain.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield plain.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_ungrouped(
    stack: ExitStack, service_db: ServiceDatabase, folder: Path
) -> Server:
    """Start a second service on the same database with group commit off."""
    binary = Path(sys.executable).with_name("ccus")
    environment = {**service_db.environment, "CCUS_AUDIT_GROUP_COMMIT": "false"}
    return stack.enter_context(
        serve(
            "service_without_group_commit",
            [str(binary), "serve", "--host", "127.0.0.1"],
            environment,
            folder,
        )
    )


def side(runs: list[WrkResult]) -> dict[str, Any]:
    median = median_run(runs)
    return {
        "requests_per_second": round(median.requests_per_second, 1),
        "latency_p50_ms": round(median.latency_p50_us / 1000, 2),
        "latency_p99_ms": round(median.latency_p99_us / 1000, 2),
        "server_cpu_ms_per_request": round(cpu_ms_per_request(runs), 3),
        "runs_requests_per_second": [round(r.requests_per_second, 1) for r in runs],
    }


def run(args: argparse.Namespace, database_url: str | None) -> dict[str, Any]:
    started = datetime.now(UTC)
    log(f"building the demo data set with {args.workers:,} workers")
    dataset = build_dataset(seed=args.seed, workers=args.workers)
    personas = dataset.personas()
    with (
        tempfile.TemporaryDirectory(prefix="ccus-bench-") as name,
        ExitStack() as stack,
    ):
        folder = Path(name)
        log("loading the service database")
        service_db = prepare_service(folder, dataset, database_url)
        history = read_history(service_db.services)
        baseline_path = folder / "baseline.sqlite3"
        load_baseline(baseline_path, dataset, history)
        cases = build_cases(service_db, dataset, personas, token_lifetime=4 * 3600)
        log("starting the servers")
        grouped, baseline = start_servers(stack, service_db, baseline_path, folder)
        alone = start_ungrouped(stack, service_db, folder)
        check_same_responses(grouped, baseline, cases, args.seed)
        check_same_responses(alone, baseline, cases, args.seed)
        audit_before = count_audit_events(service_db.services)
        servers = {"baseline": baseline, "group_commit": grouped, "alone": alone}
        results = []
        for case in cases:
            script = folder / f"{case.name}.lua"
            write_script(script, case.targets, seed=args.seed)
            for server in servers.values():
                log(f"{case.name}: warming up {server.name}")
                run_wrk(
                    server.base_url,
                    script,
                    args.warmup,
                    args.connections,
                    args.threads,
                )
            runs: dict[str, list[WrkResult]] = {key: [] for key in servers}
            for round_number in range(1, args.repeat + 1):
                log(f"{case.name}: run {round_number} of {args.repeat}")
                for key, server in servers.items():
                    runs[key].append(measure(server, script, args))
            sides = {key: side(value) for key, value in runs.items()}
            base = sides["baseline"]["requests_per_second"]
            results.append(
                {
                    "name": case.name,
                    "description": case.description,
                    **sides,
                    "of_baseline": {
                        key: round(sides[key]["requests_per_second"] / base, 3)
                        for key in ("group_commit", "alone")
                    },
                }
            )
        written = count_audit_events(service_db.services) - audit_before
        log("verifying the audit chain")
        services = service_db.services
        with services.session() as session:
            verification = verify_chain(session, services.keyring.audit_public_keys())
        if verification.problem:
            raise RuntimeError(
                f"audit chain verification failed: {verification.problem}"
            )
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "database": "postgresql" if database_url else "sqlite",
        "hardware": hardware(),
        "software": software(),
        "workers": args.workers,
        "wrk": {
            "connections": args.connections,
            "threads": args.threads,
            "duration_seconds": args.duration,
            "repeat": args.repeat,
        },
        "audit_rows_written": written,
        "audit_chain_entries_verified": verification.entries,
        "cases": results,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Audited reads on {report['database']}, {report['workers']:,} workers, "
        f"{report['wrk']['connections']} connections",
        "",
        "| case | baseline req/s | group commit req/s | alone req/s "
        "| group commit / baseline | alone / baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for case in report["cases"]:
        lines.append(
            f"| {case['name']} | {case['baseline']['requests_per_second']:,.0f} "
            f"| {case['group_commit']['requests_per_second']:,.0f} "
            f"| {case['alone']['requests_per_second']:,.0f} "
            f"| {case['of_baseline']['group_commit']:.2f} "
            f"| {case['of_baseline']['alone']:.2f} |"
        )
    lines.append("")
    lines.append(
        f"{report['audit_rows_written']:,} audit rows written under load; "
        f"the chain of {report['audit_chain_entries_verified']:,} entries verifies."
    )
    return "\n".join(lines)


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.audit_commit", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--workers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="A PostgreSQL server URL whose user may create databases.",
    )
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    for name in ("duration", "warmup", "connections", "threads", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    return args


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_arguments(argv)
    with ExitStack() as stack:
        url = None
        if args.postgres:
            url = stack.enter_context(fresh_postgres_database(args.postgres))
        report = run(args, url)
    report["command"] = shlex.join(
        ["python", "-m", "bench.audit_commit", *_redacted(argv)]
    )
    output = args.output or RESULTS_DIR / (
        f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-audit-commit-{report['database']}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(markdown(report))
    log(f"wrote {output}")


def _redacted(argv: list[str]) -> list[str]:
    """Replace a password in a --postgres URL, so results never store it."""
    redacted = []
    for value in argv:
        if "://" in value:
            value = make_url(value).render_as_string(hide_password=True)
        redacted.append(value)
    return redacted


if __name__ == "__main__":
    main()
