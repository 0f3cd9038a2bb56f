"""Describe the machine, the data and the results of a benchmark run."""

from __future__ import annotations

import platform
import sqlite3
import statistics
import subprocess
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.micro import MicroResult, micro_table
from bench.wrk import WrkResult, wrk_version
from ccus.demo.dataset import Dataset


@dataclass(frozen=True)
class CaseResult:
    """All measured runs of one case; the run of median throughput represents it."""

    name: str
    description: str
    distinct_requests: int
    service_runs: list[WrkResult]
    baseline_runs: list[WrkResult]

    @property
    def service(self) -> WrkResult:
        return median_run(self.service_runs)

    @property
    def baseline(self) -> WrkResult:
        return median_run(self.baseline_runs)

    def ratios(self) -> dict[str, float]:
        """Return service/baseline of the median runs' throughput and latency.

        The CPU ratio compares the median CPU time per request over all runs
        of each side, which a busy neighbour on the machine disturbs less
        than throughput.
        """
        return {
            "requests_per_second": self.service.requests_per_second
            / self.baseline.requests_per_second,
            "latency_p50": self.service.latency_p50_us / self.baseline.latency_p50_us,
            "latency_p99": self.service.latency_p99_us / self.baseline.latency_p99_us,
            "server_cpu_per_request": cpu_ms_per_request(self.service_runs)
            / cpu_ms_per_request(self.baseline_runs),
        }


def cpu_ms_per_request(runs: list[WrkResult]) -> float:
    """Return the median over ``runs`` of the server's CPU milliseconds per request.

    Raises:
        ValueError: a run lacks the server's CPU time.
    """
    values = [run.server_cpu_ms_per_request for run in runs]
    if any(value is None for value in values):
        raise ValueError("every run needs the server's CPU time")
    return statistics.median(value for value in values if value is not None)


def median_run(runs: list[WrkResult]) -> WrkResult:
    """Return the run of median throughput (the lower middle one of an even count)."""
    ordered = sorted(runs, key=lambda run: run.requests_per_second)
    return ordered[(len(ordered) - 1) // 2]


def case_json(result: CaseResult) -> dict[str, Any]:
    """Describe a case's median runs, every run's throughput and the ratios."""

    def side(median: WrkResult, runs: list[WrkResult]) -> dict[str, Any]:
        return {
            **asdict(median),
            "requests_per_second": median.requests_per_second,
            "requests_per_second_of_each_run": [
                run.requests_per_second for run in runs
            ],
            "server_cpu_ms_per_request": cpu_ms_per_request(runs),
            "server_cpu_ms_per_request_of_each_run": [
                run.server_cpu_ms_per_request for run in runs
            ],
        }

    return {
        "name": result.name,
        "description": result.description,
        "distinct_requests": result.distinct_requests,
        "service": side(result.service, result.service_runs),
        "baseline": side(result.baseline, result.baseline_runs),
        "ratio_service_to_baseline": result.ratios(),
    }


def load_average() -> list[float]:
    """Return the 1, 5 and 15 minute load averages of the machine."""
    with open("/proc/loadavg", encoding="utf-8") as loadavg:
        return [float(value) for value in loadavg.read().split()[:3]]


def _proc_field(path: str, prefix: str) -> str | None:
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    return None


def hardware() -> dict[str, Any]:
    """Describe the machine: processors (``nproc``), CPU model, memory and kernel."""
    nproc = subprocess.run(
        ["nproc"],  # noqa: S607 - coreutils on PATH
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    memory = _proc_field("/proc/meminfo", "MemTotal:") or "0 kB"
    return {
        "nproc": int(nproc),
        "cpu_model": _proc_field("/proc/cpuinfo", "model name") or "unknown",
        "memory_gib": round(int(memory.split()[0]) / 1024 / 1024, 1),
        "kernel": platform.release(),
    }


def software() -> dict[str, str]:
    """Return the versions of Python, SQLite, wrk and the serving packages."""
    packages = ("litestar", "uvicorn", "h11", "sqlalchemy", "msgspec", "oso")
    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version(),
        **{name: version(name) for name in packages},
    }


def source_state(repo_root: Path) -> dict[str, Any]:
    """Return the git commit and the uncommitted files of the service's source.

    The service under test is the working tree, so results name both.
    """

    def git(*arguments: str) -> str:
        return subprocess.run(  # noqa: S603 - fixed read-only git commands
            ["git", *arguments],  # noqa: S607 - git on PATH
            cwd=repo_root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    status = git("status", "--porcelain", "--", "src", "policies", "migrations")
    return {
        "commit": git("rev-parse", "HEAD").strip(),
        "uncommitted_files": [line[3:] for line in status.splitlines()],
    }


def data_size(dataset: Dataset, history_rows: int) -> dict[str, int]:
    live = {site.site_id for site in dataset.sites if site.status == "live"}
    return {
        "workers": len(dataset.workers),
        "companies": len(dataset.companies),
        "roster_entries": len(dataset.roster),
        "live_roster_entries": sum(entry.site_id in live for entry in dataset.roster),
        "card_touches": len(dataset.touches),
        "work_history_records": history_rows,
    }


def database_bytes(path: Path) -> int:
    """Return the size of a SQLite database file and its write-ahead log."""
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def markdown_report(report: dict[str, Any], micro_results: list[MicroResult]) -> str:
    """Format a report and the in-process timings as Markdown."""
    lines = [
        "| case | side | requests/s | range of runs | p50 (ms) | p99 (ms) "
        "| server CPU per request (ms) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for case in report["cases"]:
        for side in ("service", "baseline"):
            result = case[side]
            runs = result["requests_per_second_of_each_run"]
            lines.append(
                f"| {case['name']} | {side} | {result['requests_per_second']:,.0f} "
                f"| {min(runs):,.0f}–{max(runs):,.0f} "
                f"| {result['latency_p50_us'] / 1000:.2f} "
                f"| {result['latency_p99_us'] / 1000:.2f} "
                f"| {result['server_cpu_ms_per_request']:.2f} |"
            )
        ratio = case["ratio_service_to_baseline"]
        lines.append(
            f"| {case['name']} | service/baseline "
            f"| {ratio['requests_per_second']:.2f} | "
            f"| {ratio['latency_p50']:.2f} | {ratio['latency_p99']:.2f} "
            f"| {ratio['server_cpu_per_request']:.2f} |"
        )
    hw, data, wrk = report["hardware"], report["data"], report["wrk"]
    load = report["load_average"]
    lines += [
        "",
        f"Data: {data['workers']:,} workers, {data['live_roster_entries']:,} entries "
        f"on the live roster, {data['work_history_records']:,} work history records.",
        f"Hardware: {hw['nproc']} processors ({hw['cpu_model']}), "
        f"{hw['memory_gib']} GiB.",
        f"wrk: {wrk['connections']} connections, {wrk['threads']} threads, "
        f"{wrk['duration_seconds']} s per run after {wrk['warmup_seconds']} s of "
        f"warm-up, measured runs per side: {wrk['repeat']}, the median run is shown.",
        f"1-minute load average before and after: {load['before'][0]:.2f}, "
        f"{load['after'][0]:.2f}.",
        f"Command: `{report['command']}`",
    ]
    if micro_results:
        lines += ["", micro_table(micro_results)]
    return "\n".join(lines)
