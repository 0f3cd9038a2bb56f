"""Measure access-token verification and the token endpoint.

Loads the demo data set into a fresh service database and serves it with
``ccus serve`` on a loopback port. One run reports two things:

1. Verification's share of a request. wrk drives two cases and gives the
   server's CPU time per request: a worker record read by the employer
   persona (the ``worker_detail`` case of ``bench.run``) and the worker
   persona's newest access-log entry, a cheap authenticated route with no
   policy query. Then ``TokenService.verify`` runs in this process on the
   same tokens, and its wall-clock time per call is divided by the served
   request's CPU time, as ``bench.policy_share`` does for the policy. The
   report gives the call's CPU time and share too. The aim is verification
   under a tenth of a worker detail read.
2. The token endpoint's throughput. Concurrent clients send client
   credentials requests over HTTP to the same server, authenticated with
   private_key_jwt (a fresh ES256 assertion with a new ``jti`` for every
   request) or with client_secret_basic. ``GET /.well-known/jwks.json`` on
   the same server is the baseline.

With ``--redis URL`` a second server runs with ``CCUS_REDIS_URL`` set, so
that its revocation list, replay cache and detector windows are in Redis,
and both parts measure it too. With ``--postgres URL`` the service database
is a fresh PostgreSQL database, dropped after the run.

Run from the repository root: ``python -m bench.oauth_tokens [--redis URL]``.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import secrets
import shlex
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import redis
from joserfc import jwt
from joserfc.jwk import ECKey

from bench.audit_commit import _redacted, fresh_postgres_database
from bench.http_load import LoadRun, PreparedRequest, send_all
from bench.report import cpu_ms_per_request, hardware, load_average, software
from bench.run import RESULTS_DIR, Case, build_cases, log, measure
from bench.servers import Server, serve
from bench.service_setup import ServiceDatabase, prepare_service
from bench.wrk import Target, WrkResult, run_wrk, write_script
from ccus.auth.actors import DeviceActor, WorkerActor
from ccus.auth.tokens import InvalidToken, TokenService
from ccus.config import load_settings
from ccus.demo.dataset import Dataset, build_dataset
from ccus.demo.personas import DEMO_CLIENT
from ccus.oauth.assertions import ASSERTION_TYPE, MAX_ASSERTION_LIFETIME_SECONDS
from ccus.oauth.clients import (
    CLIENT_SECRET_BASIC,
    DEVICE,
    PRIVATE_KEY_JWT,
    ClientSpec,
    register_client,
)
from ccus.services import Services, build_services

# Verification under a tenth of a worker detail read.
AIM_SHARE_OF_DETAIL_READ = 0.10
ACCESS_LOG_PATH = "/workers/me/access-log?limit=1"
ACCESS_LOG_SCOPE = "audit:read"
TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a secret
BASELINE_PATH = "/.well-known/jwks.json"
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
TOKEN_CASES = ("jwks_baseline", "private_key_jwt", "client_secret_basic")
# Calls of TokenService.verify timed together; the median batch is reported.
VERIFY_BATCH = 100
# Options that take a count of 1 or more.
POSITIVE_OPTIONS = (
    "workers",
    "verifications",
    "duration",
    "warmup",
    "connections",
    "threads",
    "requests",
    "concurrency",
    "warmup_requests",
    "repeat",
)
# Lifetime of the tokens the wrk cases send, far longer than a run of the
# default sizes.
BEARER_LIFETIME_SECONDS = 4 * 3600


@dataclass(frozen=True)
class Deployment:
    """A served service and, in this process, services wired the same way.

    ``store`` names where the revocation list and replay cache are:
    ``memory`` (inside the server process) or ``redis``.
    """

    store: str
    server: Server
    services: Services


@dataclass(frozen=True)
class TokenClients:
    """The two registered device clients and their credentials."""

    jwt_client_id: str
    jwt_key: ECKey
    basic_client_id: str
    basic_secret: str


@dataclass(frozen=True)
class VerifyTiming:
    """Time of one ``TokenService.verify`` call: wall clock and thread CPU, in µs."""

    calls: int
    wall_us: float
    cpu_us: float


def share_cases(
    service_db: ServiceDatabase, dataset: Dataset, personas: dict[str, str]
) -> list[Case]:
    """Build the worker detail case of ``bench.run`` and the access-log case.

    The access-log case reads the worker persona's newest entry with the
    worker's own token: a few small queries, no policy query and no audit row.
    """
    detail = build_cases(service_db, dataset, personas, BEARER_LIFETIME_SECONDS)[0]
    token = service_db.services.tokens.issue(
        worker_persona(personas), lifetime_seconds=BEARER_LIFETIME_SECONDS
    )
    access_log = Case(
        "access_log",
        "the worker persona's newest access-log entry, with the worker's token",
        [Target(ACCESS_LOG_PATH, token)],
    )
    return [detail, access_log]


def worker_persona(personas: dict[str, str]) -> WorkerActor:
    """Return the worker persona with the scope to read its own access log."""
    return WorkerActor(
        subject=personas["worker"],
        client_id=DEMO_CLIENT,
        scopes=frozenset({ACCESS_LOG_SCOPE}),
    )


def served_cpu(
    server: Server, case: Case, folder: Path, args: argparse.Namespace
) -> dict[str, float]:
    """Warm up, then run wrk ``args.repeat`` times on one case.

    Returns the median server CPU µs per request and the median throughput.
    """
    script = folder / f"{case.name}.lua"
    write_script(script, case.targets, seed=args.seed)
    log(f"{case.name}: wrk on the {server.name} server")
    run_wrk(server.base_url, script, args.warmup, args.connections, args.threads)
    runs: list[WrkResult] = [measure(server, script, args) for _ in range(args.repeat)]
    throughputs = sorted(run.requests_per_second for run in runs)
    return {
        "cpu_us_per_request": cpu_ms_per_request(runs) * 1000,
        "requests_per_second": throughputs[(len(throughputs) - 1) // 2],
    }


def time_verify(tokens: TokenService, bearer: list[str], calls: int) -> VerifyTiming:
    """Time about ``calls`` calls of ``tokens.verify``, rotating over ``bearer``.

    The calls run in batches of up to ``VERIFY_BATCH``, and the median
    batch gives the time per call, so a batch during which other processes
    took the CPU does not move the result. A first pass of a tenth as many
    calls warms up caches and connections.
    """
    for number in range(max(1, calls // 10)):
        tokens.verify(bearer[number % len(bearer)])
    batch = min(calls, VERIFY_BATCH)
    wall_per_call, cpu_per_call = [], []
    for _ in range(max(1, calls // batch)):
        wall_started = time.perf_counter_ns()
        cpu_started = time.thread_time_ns()
        for number in range(batch):
            tokens.verify(bearer[number % len(bearer)])
        cpu_per_call.append((time.thread_time_ns() - cpu_started) / batch)
        wall_per_call.append((time.perf_counter_ns() - wall_started) / batch)
    return VerifyTiming(
        calls=batch * len(wall_per_call),
        wall_us=statistics.median(wall_per_call) / 1000,
        cpu_us=statistics.median(cpu_per_call) / 1000,
    )


def check_revocation_applies(services: Services, personas: dict[str, str]) -> None:
    """Revoke a fresh, valid token and check that verification then rejects it.

    This shows that the timed ``verify`` calls consult the revocation list.

    Raises:
        InvalidToken: the fresh token failed verification before revocation.
        RuntimeError: the revoked token still passed verification.
    """
    token = services.tokens.issue(worker_persona(personas), lifetime_seconds=60)
    services.oauth.revoke(services.tokens.verify_token(token))
    try:
        services.tokens.verify(token)
    except InvalidToken:
        return
    raise RuntimeError("a revoked token passed verification; see ccus.auth.tokens")


def register_token_clients(services: Services, site_id: str) -> TokenClients:
    """Register a private_key_jwt device client and a client_secret_basic one."""
    key = ECKey.generate_key("P-256", parameters={"kid": "bench-es256"})
    jwks = {"keys": [key.as_dict(private=False)]}
    now = datetime.now(UTC)
    with services.session() as session:
        jwt_client, _ = register_client(
            session,
            ClientSpec("bench private_key_jwt", DEVICE, site_id, PRIVATE_KEY_JWT, jwks),
            now,
        )
        basic_client, secret = register_client(
            session,
            ClientSpec(
                "bench client_secret_basic", DEVICE, site_id, CLIENT_SECRET_BASIC
            ),
            now,
        )
        session.commit()
    assert secret is not None
    return TokenClients(jwt_client.client_id, key, basic_client.client_id, secret)


def signed_assertion(clients: TokenClients, audience: str) -> str:
    """Sign a client assertion with a new ``jti``, valid for the longest allowed."""
    now = int(time.time())
    claims = {
        "iss": clients.jwt_client_id,
        "sub": clients.jwt_client_id,
        "aud": audience,
        "iat": now,
        "exp": now + MAX_ASSERTION_LIFETIME_SECONDS,
        "jti": secrets.token_urlsafe(16),
    }
    header = {"alg": "ES256", "kid": clients.jwt_key.kid}
    return jwt.encode(header, claims, clients.jwt_key, algorithms=["ES256"])


def token_requests(
    case: str, clients: TokenClients, audience: str, count: int
) -> list[PreparedRequest]:
    """Build ``count`` requests of one token endpoint case.

    private_key_jwt requests each carry their own assertion, signed here so
    that the signing takes no CPU from the server during the load.
    """
    if case == "jwks_baseline":
        return [PreparedRequest("GET", BASELINE_PATH, {})] * count
    if case == "client_secret_basic":
        pair = f"{clients.basic_client_id}:{clients.basic_secret}".encode()
        headers = {
            **FORM_HEADERS,
            "Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
        }
        body = urlencode({"grant_type": "client_credentials"}).encode()
        return [PreparedRequest("POST", TOKEN_PATH, headers, body)] * count
    if case == "private_key_jwt":
        return [
            PreparedRequest(
                "POST",
                TOKEN_PATH,
                FORM_HEADERS,
                urlencode(
                    {
                        "grant_type": "client_credentials",
                        "client_assertion_type": ASSERTION_TYPE,
                        "client_assertion": signed_assertion(clients, audience),
                    }
                ).encode(),
            )
            for _ in range(count)
        ]
    raise ValueError(f"unknown token endpoint case {case!r}; use one of {TOKEN_CASES}")


def check_issued_tokens(
    deployment: Deployment, clients: TokenClients, audience: str
) -> None:
    """Request one token with each client method and verify what comes back.

    Raises:
        RuntimeError: the endpoint did not return 200 with a valid access token.
    """
    address = urlsplit(deployment.server.base_url)
    for case in ("private_key_jwt", "client_secret_basic"):
        request = token_requests(case, clients, audience, 1)[0]
        connection = http.client.HTTPConnection(
            address.hostname or "127.0.0.1", address.port, timeout=30
        )
        try:
            connection.request("POST", TOKEN_PATH, request.body, request.headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(
                f"{case}: the token endpoint returned {response.status}: "
                f"{body[:300].decode('utf-8', 'replace')}"
            )
        try:
            actor = deployment.services.tokens.verify(json.loads(body)["access_token"])
        except (InvalidToken, KeyError, ValueError) as error:
            raise RuntimeError(
                f"{case}: the token endpoint returned no valid access token: {error}"
            ) from None
        if not isinstance(actor, DeviceActor):
            raise RuntimeError(
                f"{case}: the token's actor is a {actor.kind}, expected a device"
            )


def measure_load(
    server: Server, requests: list[PreparedRequest], concurrency: int
) -> LoadRun:
    """Send ``requests`` to ``server`` and add the server's CPU time to the run."""
    cpu_before = server.cpu_seconds()
    run = send_all(server.base_url, requests, concurrency)
    return replace(run, server_cpu_seconds=server.cpu_seconds() - cpu_before)


def measure_token_endpoint(
    deployment: Deployment,
    clients: TokenClients,
    audience: str,
    args: argparse.Namespace,
) -> dict[str, list[LoadRun]]:
    """Warm up each case, then run the cases in turns, ``args.repeat`` times each.

    Alternating the cases spreads a slow period of a shared machine over all
    of them. Each run's requests are built just before it, so that its
    assertions stay valid unless the run takes longer than
    ``MAX_ASSERTION_LIFETIME_SECONDS``.
    """
    server = deployment.server
    warmup = min(args.requests, args.warmup_requests)
    for case in TOKEN_CASES:
        log(f"{case}: warming up the {server.name} server")
        send_all(
            server.base_url,
            token_requests(case, clients, audience, warmup),
            args.concurrency,
        )
    runs: dict[str, list[LoadRun]] = {case: [] for case in TOKEN_CASES}
    for round_number in range(1, args.repeat + 1):
        log(f"token endpoint on {server.name}: run {round_number} of {args.repeat}")
        for case in TOKEN_CASES:
            requests = token_requests(case, clients, audience, args.requests)
            runs[case].append(measure_load(server, requests, args.concurrency))
    return runs


def median_load_run(runs: list[LoadRun]) -> LoadRun:
    """Return the run of median throughput (the lower middle one of an even count)."""
    ordered = sorted(runs, key=lambda run: run.requests_per_second)
    return ordered[(len(ordered) - 1) // 2]


def endpoint_json(runs: dict[str, list[LoadRun]]) -> list[dict[str, Any]]:
    """Describe each case's median run and its ratios to the baseline's."""
    baseline = median_load_run(runs["jwks_baseline"])
    baseline_cpu = baseline.server_cpu_ms_per_request or 0.0
    cases = []
    for case, case_runs in runs.items():
        median = median_load_run(case_runs)
        cpu = median.server_cpu_ms_per_request or 0.0
        cases.append(
            {
                "case": case,
                "requests": median.requests,
                "requests_per_second": round(median.requests_per_second, 1),
                "latency_p50_ms": round(median.latency_p50_us / 1000, 2),
                "latency_p99_ms": round(median.latency_p99_us / 1000, 2),
                "server_cpu_ms_per_request": round(cpu, 3),
                "requests_per_second_of_baseline": round(
                    median.requests_per_second / baseline.requests_per_second, 3
                ),
                "server_cpu_of_baseline": round(cpu / baseline_cpu, 2)
                if baseline_cpu
                else None,
                "runs": [asdict(run) for run in case_runs],
            }
        )
    return cases


def share_json(
    case: Case, served: dict[str, float], timing: VerifyTiming
) -> dict[str, Any]:
    """Describe verification's share of one served case."""
    request_us = served["cpu_us_per_request"]
    return {
        "case": case.name,
        "description": case.description,
        "served_cpu_us_per_request": round(request_us, 1),
        "served_requests_per_second": round(served["requests_per_second"], 1),
        "verify_calls": timing.calls,
        "verify_us": round(timing.wall_us, 1),
        "verify_cpu_us": round(timing.cpu_us, 1),
        "verify_share_of_request": round(timing.wall_us / request_us, 4),
        "verify_cpu_share_of_request": round(timing.cpu_us / request_us, 4),
    }


def start_deployments(
    stack: ExitStack, service_db: ServiceDatabase, folder: Path, redis_url: str | None
) -> list[Deployment]:
    """Serve the service with the in-process stores, and with Redis if given.

    Raises:
        FileNotFoundError: the ``ccus`` command is not installed in this venv.
    """
    binary = Path(sys.executable).with_name("ccus")
    if not binary.exists():
        raise FileNotFoundError(
            f"{binary} not found; install ccus into this venv with 'pip install -e .'"
        )
    command = [str(binary), "serve", "--host", "127.0.0.1"]
    # The bench's clients send far more than a client's rate limit allows.
    environment = {
        **service_db.environment,
        "CCUS_TOKEN_REQUESTS_PER_MINUTE": "1000000000",
    }
    environments = {"memory": environment}
    if redis_url:
        environments["redis"] = {**environment, "CCUS_REDIS_URL": redis_url}
    deployments = []
    for store, environment in environments.items():
        server = stack.enter_context(
            serve(f"service_{store}", command, environment, folder)
        )
        services = (
            service_db.services
            if store == "memory"
            else build_services(load_settings(environment))
        )
        deployments.append(Deployment(store, server, services))
    return deployments


def check_redis(url: str) -> None:
    """Send PING to the Redis server at ``url``.

    Raises:
        SystemExit: the server did not respond; the message names its host
            and port.
    """
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        address = urlsplit(url)
        raise SystemExit(
            f"--redis: Redis at {address.hostname}:{address.port} did not respond "
            f"to PING ({type(error).__name__}); start it or pass another URL"
        ) from None
    finally:
        client.close()


def measure_served(
    deployments: list[Deployment],
    cases: list[Case],
    clients: TokenClients,
    folder: Path,
    args: argparse.Namespace,
) -> tuple[dict[str, dict[str, dict[str, float]]], dict[str, list[dict[str, Any]]]]:
    """Run wrk on the share cases and load the token endpoint, per deployment.

    Returns the served CPU of each case and the token endpoint's results,
    both keyed by store.
    """
    served: dict[str, dict[str, dict[str, float]]] = {}
    endpoint: dict[str, list[dict[str, Any]]] = {}
    for deployment in deployments:
        served[deployment.store] = {
            case.name: served_cpu(deployment.server, case, folder, args)
            for case in cases
        }
        audience = deployment.services.tokens.issuer
        check_issued_tokens(deployment, clients, audience)
        runs = measure_token_endpoint(deployment, clients, audience, args)
        endpoint[deployment.store] = endpoint_json(runs)
    return served, endpoint


def time_shares(
    deployments: list[Deployment],
    cases: list[Case],
    served: dict[str, dict[str, dict[str, float]]],
    personas: dict[str, str],
    args: argparse.Namespace,
) -> list[dict[str, Any]]:
    """Time ``verify`` on each case's tokens and divide by the served CPU."""
    shares = []
    for deployment in deployments:
        log(f"timing TokenService.verify with the {deployment.store} list")
        check_revocation_applies(deployment.services, personas)
        for case in cases:
            bearer = sorted({target.token for target in case.targets})
            timing = time_verify(deployment.services.tokens, bearer, args.verifications)
            shares.append(
                {
                    "revocation_list": deployment.store,
                    **share_json(case, served[deployment.store][case.name], timing),
                }
            )
    return shares


def run(args: argparse.Namespace, database_url: str | None) -> dict[str, Any]:
    """Load the data, measure both parts on every deployment and return the report."""
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
        cases = share_cases(service_db, dataset, personas)
        clients = register_token_clients(service_db.services, personas["site_id"])
        deployments = start_deployments(stack, service_db, folder, args.redis)
        load_before = load_average()
        served, endpoint = measure_served(deployments, cases, clients, folder, args)
        # Stop the servers, so that they take no CPU from the timed calls.
        stack.close()
        load_after = load_average()
        shares = time_shares(deployments, cases, served, personas, args)
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "database": "postgresql" if database_url else "sqlite",
        "hardware": hardware(),
        "software": software(),
        "workers": args.workers,
        "load_average": {"before": load_before, "after": load_after},
        "aim_verify_share_of_worker_detail": AIM_SHARE_OF_DETAIL_READ,
        "wrk": {
            "connections": args.connections,
            "threads": args.threads,
            "duration_seconds": args.duration,
            "warmup_seconds": args.warmup,
            "repeat": args.repeat,
        },
        "token_endpoint_load": {
            "requests_per_run": args.requests,
            "concurrency": args.concurrency,
            "warmup_requests": min(args.requests, args.warmup_requests),
            "repeat": args.repeat,
        },
        "verify_shares": shares,
        "token_endpoint": endpoint,
    }


def share_markdown(report: dict[str, Any]) -> list[str]:
    aim = report["aim_verify_share_of_worker_detail"]
    lines = [
        f"Token verification's share of a served request (aim: under {aim:.0%} "
        "of a worker detail read)",
        "",
        "| case | revocation list | served CPU µs/req | verify µs | verify CPU µs "
        "| verify / request | verify CPU / request |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for share in report["verify_shares"]:
        lines.append(
            f"| {share['case']} | {share['revocation_list']} "
            f"| {share['served_cpu_us_per_request']:,.0f} "
            f"| {share['verify_us']:,.1f} | {share['verify_cpu_us']:,.1f} "
            f"| {share['verify_share_of_request']:.1%} "
            f"| {share['verify_cpu_share_of_request']:.1%} |"
        )
    lines.append("")
    for share in report["verify_shares"]:
        if share["case"] != "worker_detail":
            continue
        verdict = "meets" if share["verify_share_of_request"] < aim else "misses"
        lines.append(
            f"With the {share['revocation_list']} revocation list, verification "
            f"is {share['verify_share_of_request']:.1%} of a worker detail read: "
            f"it {verdict} the aim of under {aim:.0%}."
        )
    return lines


def endpoint_markdown(report: dict[str, Any]) -> list[str]:
    load = report["token_endpoint_load"]
    lines = [
        f"Token endpoint: {load['requests_per_run']:,} requests per run, "
        f"{load['concurrency']} concurrent clients, median of {load['repeat']} runs",
        "",
        "| store | case | req/s | p50 ms | p99 ms | server CPU ms/req "
        "| req/s / baseline | CPU / baseline |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for store, cases in report["token_endpoint"].items():
        for case in cases:
            cpu_ratio = case["server_cpu_of_baseline"]
            lines.append(
                f"| {store} | {case['case']} | {case['requests_per_second']:,.0f} "
                f"| {case['latency_p50_ms']:.1f} | {case['latency_p99_ms']:.1f} "
                f"| {case['server_cpu_ms_per_request']:.2f} "
                f"| {case['requests_per_second_of_baseline']:.2f} "
                f"| {'–' if cpu_ratio is None else f'{cpu_ratio:.1f}'} |"
            )
    return lines


def markdown(report: dict[str, Any]) -> str:
    return "\n".join([*share_markdown(report), "", *endpoint_markdown(report)])


def add_share_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of the data set, the wrk runs and the timed calls."""
    parser.add_argument(
        "--workers", type=int, default=300, help="Workers in the demo data set."
    )
    parser.add_argument(
        "--seed", type=int, default=20260401, help="Seed of the demo data set."
    )
    parser.add_argument(
        "--verifications",
        type=int,
        default=2000,
        help="Timed TokenService.verify calls per case and revocation list, "
        f"rounded down to whole batches of {VERIFY_BATCH}.",
    )
    parser.add_argument(
        "--duration", type=int, default=5, help="Seconds of each measured wrk run."
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="Seconds of unmeasured wrk load first."
    )
    parser.add_argument(
        "--connections", type=int, default=16, help="wrk's open HTTP connections."
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")


def add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of the token endpoint's load."""
    parser.add_argument(
        "--requests",
        type=int,
        default=1000,
        help="Token endpoint requests per case and run.",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=8,
        help="Concurrent token endpoint clients, each on its own connection.",
    )
    parser.add_argument(
        "--warmup-requests",
        type=int,
        default=100,
        help="Unmeasured token endpoint requests per case first.",
    )


def add_deployment_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of the runs, the stores, the database and the output."""
    parser.add_argument(
        "--repeat",
        type=int,
        default=2,
        help="Measured runs per case, for wrk and the token endpoint. "
        "The median run is reported.",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        default=None,
        help="Also measure a server with CCUS_REDIS_URL set to this Redis URL. "
        "The server writes detector windows there, so use a database number "
        "that nothing else uses, such as redis://127.0.0.1:6379/15.",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="A PostgreSQL server URL whose user may create databases. "
        "The service database is then a fresh database there.",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="JSON result file (default: bench/results/<time>-oauth-tokens.json).",
    )


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.oauth_tokens", description=__doc__.splitlines()[0]
    )
    add_share_options(parser)
    add_endpoint_options(parser)
    add_deployment_options(parser)
    args = parser.parse_args(argv)

    for name in POSITIVE_OPTIONS:
        if getattr(args, name) < 1:
            option = "--" + name.replace("_", "-")
            parser.error(f"{option} must be at least 1, got {getattr(args, name)}")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    return args


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_arguments(argv)
    if args.redis:
        check_redis(args.redis)
    with ExitStack() as stack:
        url = None
        if args.postgres:
            url = stack.enter_context(fresh_postgres_database(args.postgres))
        report = run(args, url)
    report["command"] = shlex.join(
        ["python", "-m", "bench.oauth_tokens", *_redacted(argv)]
    )
    output = args.output or RESULTS_DIR / (
        f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-oauth-tokens.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(markdown(report))
    log(f"wrote {output}")


if __name__ == "__main__":
    main()
