"""Send a fixed list of HTTP requests over concurrent keep-alive connections.

wrk cannot send requests that differ in ways its Lua scripts cannot compute,
such as a client assertion signed anew for every request. This driver sends
requests built in advance instead. Each of ``concurrency`` threads opens one
``http.client`` connection and takes the next unsent request from the list,
so every request is sent once unless a failure stops the run.

Latency runs from sending a request to reading the end of its response, as
the client sees it. The client threads share one Python process, so under
load a response may wait for the GIL before its latency is read.
"""

from __future__ import annotations

import http.client
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

CONNECTION_TIMEOUT_SECONDS = 30
# Characters of an unexpected response body that the error message includes.
ERROR_BODY_CHARACTERS = 300


@dataclass(frozen=True)
class PreparedRequest:
    """One HTTP request, ready to send as is."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


@dataclass(frozen=True)
class LoadRun:
    """Measurements of one run, with latencies in microseconds.

    ``server_cpu_seconds`` is the CPU time the server process used during
    the run, which the caller fills in.
    """

    requests: int
    concurrency: int
    elapsed_seconds: float
    latency_p50_us: float
    latency_p99_us: float
    server_cpu_seconds: float | None = None

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.elapsed_seconds

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        if self.server_cpu_seconds is None:
            return None
        return self.server_cpu_seconds * 1000 / self.requests


class UnexpectedResponse(RuntimeError):
    """A response had another status than the one expected."""


class _Cursor:
    """The index of the next request to send, shared by the client threads."""

    def __init__(self, total: int) -> None:
        self._lock = threading.Lock()
        self._next = 0
        self._total = total

    def take(self) -> int | None:
        with self._lock:
            if self._next >= self._total:
                return None
            index = self._next
            self._next += 1
            return index

    def stop(self) -> None:
        """Leave no request to take, so that every thread ends after its current one."""
        with self._lock:
            self._next = self._total


def send_all(
    base_url: str,
    requests: list[PreparedRequest],
    concurrency: int,
    expected_status: int = 200,
) -> LoadRun:
    """Send every request once over ``concurrency`` connections and time them.

    Raises:
        ValueError: ``requests`` is empty or ``concurrency`` is below 1.
        UnexpectedResponse: a response's status was not ``expected_status``;
            the message gives the status and the start of the body.
    """
    if not requests:
        raise ValueError("send_all needs at least one request")
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    address = urlsplit(base_url)
    if address.hostname is None or address.port is None:
        raise ValueError(f"base URL needs a host and a port, got {base_url!r}")
    latencies_ns = [0] * len(requests)
    cursor = _Cursor(len(requests))

    def connect() -> http.client.HTTPConnection:
        assert address.hostname is not None
        return http.client.HTTPConnection(
            address.hostname, address.port, timeout=CONNECTION_TIMEOUT_SECONDS
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [
            pool.submit(
                _client_loop, connect, requests, cursor, latencies_ns, expected_status
            )
            for _ in range(concurrency)
        ]
        for future in futures:
            future.result()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies_ns)
    return LoadRun(
        requests=len(requests),
        concurrency=concurrency,
        elapsed_seconds=elapsed,
        latency_p50_us=percentile(ordered, 50) / 1000,
        latency_p99_us=percentile(ordered, 99) / 1000,
    )


def percentile(ordered: list[int], percent: float) -> int:
    """Return the nearest-rank percentile of a sorted, non-empty list."""
    rank = math.ceil(percent / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def _client_loop(
    connect: Callable[[], http.client.HTTPConnection],
    requests: list[PreparedRequest],
    cursor: _Cursor,
    latencies_ns: list[int],
    expected_status: int,
) -> None:
    """Send requests on one connection until none is left.

    A failure stops the other threads too, after their current request.
    """
    connection = connect()
    try:
        while (index := cursor.take()) is not None:
            request = requests[index]
            started = time.perf_counter_ns()
            connection.request(
                request.method, request.path, body=request.body, headers=request.headers
            )
            response = connection.getresponse()
            body = response.read()
            latencies_ns[index] = time.perf_counter_ns() - started
            if response.status != expected_status:
                text = body[:ERROR_BODY_CHARACTERS].decode("utf-8", "replace")
                raise UnexpectedResponse(
                    f"{request.method} {request.path} returned {response.status} "
                    f"instead of {expected_status}: {text}"
                )
    except BaseException:
        cursor.stop()
        raise
    finally:
        connection.close()
