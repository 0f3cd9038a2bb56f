"""Measure the policy's share of a read, against the plaintext baseline.

Loads the demo data set and serves the service and the baseline of
``bench.baseline_app``. wrk drives both on the two cases of ``bench.run``: a
worker record read by the employer persona, and a roster page of 50 read by
the prime persona. That gives each server's CPU time per request. Then the
same reads run in this process through the service's read path with the
policy engine's calls timed, and the report gives:

- the time spent in Polar queries per read (``disclosures``,
  ``roster_scope``, ``shows_company_contact``);
- the time spent loading the facts the policies decide on;
- both as a share of the in-process read and of the served request's CPU.

Run from the repository root: ``python -m bench.policy_share``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bench.baseline_app import load_baseline
from bench.report import cpu_ms_per_request, hardware, software
from bench.run import RESULTS_DIR, build_cases, log, measure, start_servers
from bench.service_setup import prepare_service, read_history, staff_token
from bench.wrk import WrkResult, run_wrk, write_script
from ccus.audit.log import AccessContext
from ccus.authz import loaders, read_path
from ccus.authz.engine import PolicyEngine
from ccus.authz.read_path import ReadPath
from ccus.clock import system_clock
from ccus.demo.dataset import build_dataset
from ccus.services import Services

T = TypeVar("T")
ROSTER_PAGE = 50


class Stopwatch:
    """Accumulated nanoseconds per step of the read being timed."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter_ns()
        try:
            yield
        finally:
            elapsed = time.perf_counter_ns() - started
            self.totals[name] = self.totals.get(name, 0) + elapsed

    def timed(self, name: str, function: Callable[..., T]) -> Callable[..., T]:
        def wrapper(*args: Any, **kwargs: Any) -> T:
            with self.step(name):
                return function(*args, **kwargs)

        return wrapper


class TimedEngine(PolicyEngine):
    """The policy engine, with the time of every query added to a stopwatch."""

    def __init__(self, stopwatch: Stopwatch) -> None:
        super().__init__()
        self.disclosures = stopwatch.timed("policy", self.disclosures)  # type: ignore[method-assign]
        self.roster_scope = stopwatch.timed("policy", self.roster_scope)  # type: ignore[method-assign]
        self.shows_company_contact = stopwatch.timed(  # type: ignore[method-assign]
            "policy", self.shows_company_contact
        )


@dataclass(frozen=True)
class Share:
    case: str
    reads: int
    read_us: float
    policy_us: float
    facts_us: float

    def as_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "reads": self.reads,
            "read_us": round(self.read_us, 1),
            "policy_us": round(self.policy_us, 1),
            "facts_us": round(self.facts_us, 1),
            "policy_share_of_read": round(self.policy_us / self.read_us, 3),
            "facts_share_of_read": round(self.facts_us / self.read_us, 3),
        }


def time_reads(
    services: Services,
    actors: dict[str, Any],
    personas: dict[str, str],
    worker_ids: list[str],
    reads: int,
) -> list[Share]:
    """Run reads through a read path whose policy and fact loading are timed.

    Audit rows are committed inline, as a read with group commit off does.
    """
    stopwatch = Stopwatch()
    path = ReadPath(TimedEngine(stopwatch), services.vault)
    patched = {
        "load_worker_record": read_path.load_worker_record,
        "load_site_facts": read_path.load_site_facts,
    }
    read_path.load_worker_record = stopwatch.timed(  # type: ignore[assignment]
        "facts", loaders.load_worker_record
    )
    read_path.load_site_facts = stopwatch.timed(  # type: ignore[assignment]
        "facts", loaders.load_site_facts
    )
    try:
        readers: dict[str, Callable[[Any, int], object]] = {
            "worker_detail": lambda session, number: path.read_worker(
                session,
                context(services, actors["employer"][worker_ids[number]]),
                worker_ids[number],
            ),
            "roster_page": lambda session, number: path.read_roster(
                session,
                context(services, actors["prime"]),
                personas["site_id"],
                0,
                ROSTER_PAGE,
            ),
        }
        results = []
        for case, read in readers.items():
            stopwatch.totals.clear()
            count = min(reads, len(worker_ids)) if case == "worker_detail" else reads
            started = time.perf_counter_ns()
            for number in range(count):
                with services.session() as session:
                    read(session, number)
            elapsed = time.perf_counter_ns() - started
            results.append(
                Share(
                    case,
                    count,
                    elapsed / count / 1000,
                    stopwatch.totals.get("policy", 0) / count / 1000,
                    stopwatch.totals.get("facts", 0) / count / 1000,
                )
            )
        return results
    finally:
        read_path.load_worker_record = patched["load_worker_record"]  # type: ignore[assignment]
        read_path.load_site_facts = patched["load_site_facts"]  # type: ignore[assignment]


def context(services: Services, actor: Any) -> AccessContext:
    return AccessContext(
        actor=actor,
        request_id="bench",
        now=system_clock(),
        chain=services.audit_chain,
        purpose=None,
        detectors=services.detectors,
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = datetime.now(UTC)
    log(f"building the demo data set with {args.workers:,} workers")
    dataset = build_dataset(seed=args.seed, workers=args.workers)
    personas = dataset.personas()
    with (
        tempfile.TemporaryDirectory(prefix="ccus-bench-") as name,
        ExitStack() as stack,
    ):
        folder = Path(name)
        log("loading the service and baseline databases")
        service_db = prepare_service(folder, dataset)
        services = service_db.services
        baseline_path = folder / "baseline.sqlite3"
        load_baseline(baseline_path, dataset, read_history(services))
        cases = build_cases(service_db, dataset, personas, token_lifetime=4 * 3600)
        served, baseline = start_servers(stack, service_db, baseline_path, folder)
        cpu: dict[str, dict[str, float]] = {}
        for case in cases:
            script = folder / f"{case.name}.lua"
            write_script(script, case.targets, seed=args.seed)
            runs: dict[str, list[WrkResult]] = {"service": [], "baseline": []}
            for server in (baseline, served):
                run_wrk(server.base_url, script, 2, args.connections, 2)
            for _ in range(args.repeat):
                for key, server in (("baseline", baseline), ("service", served)):
                    runs[key].append(measure(server, script, args))
            cpu[case.name] = {
                key: cpu_ms_per_request(value) * 1000 for key, value in runs.items()
            }
        stack.close()  # stops both servers before the in-process timing

        log("timing reads in this process")
        employer_actors = {}
        for worker in dataset.workers:
            staff = next(
                member.staff_id
                for member in dataset.staff
                if member.company_id == worker.employer_id
                and "administrator" in member.roles
            )
            token = staff_token(services, dataset, staff, 600)
            employer_actors[worker.worker_id] = services.tokens.verify(token)
        prime = services.tokens.verify(
            staff_token(services, dataset, personas["prime"], 600)
        )
        actors = {"employer": employer_actors, "prime": prime}
        worker_ids = [worker.worker_id for worker in dataset.workers]
        # A warm-up pass fills caches, so the timed pass measures steady reads.
        time_reads(services, actors, personas, worker_ids, 20)
        shares = time_reads(services, actors, personas, worker_ids, args.reads)

    cases_json = []
    for share in shares:
        served_us = cpu[share.case]["service"]
        cases_json.append(
            {
                **share.as_json(),
                "service_cpu_us_per_request": round(served_us, 1),
                "baseline_cpu_us_per_request": round(cpu[share.case]["baseline"], 1),
                "policy_share_of_request": round(share.policy_us / served_us, 3),
                "facts_share_of_request": round(share.facts_us / served_us, 3),
            }
        )
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "hardware": hardware(),
        "software": software(),
        "workers": args.workers,
        "cases": cases_json,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| case | baseline CPU µs/req | service CPU µs/req | policy µs "
        "| policy / request | facts µs | facts / request |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case in report["cases"]:
        lines.append(
            f"| {case['case']} | {case['baseline_cpu_us_per_request']:,.0f} "
            f"| {case['service_cpu_us_per_request']:,.0f} "
            f"| {case['policy_us']:,.0f} | {case['policy_share_of_request']:.1%} "
            f"| {case['facts_us']:,.0f} | {case['facts_share_of_request']:.1%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m bench.policy_share", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--workers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--reads", type=int, default=300, help="Timed reads per case.")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    report = run(args)
    report["command"] = shlex.join(["python", "-m", "bench.policy_share", *argv])
    output = RESULTS_DIR / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-policy-share.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(markdown(report))
    log(f"wrote {output}")


if __name__ == "__main__":
    main()
