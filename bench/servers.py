"""Run the two apps as uvicorn subprocesses on loopback ports, and call them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.wrk import Target

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


class Server:
    """A server subprocess on a loopback port, with its output in a log file."""

    def __init__(
        self,
        name: str,
        command: list[str],
        port: int,
        environment: dict[str, str],
        log_path: Path,
    ) -> None:
        self.name = name
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - command built by the caller
            command,
            cwd=REPO_ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        """Poll ``/health`` until it returns 200.

        Raises:
            RuntimeError: the process exited, or ``/health`` did not return
                200 within ``START_TIMEOUT_SECONDS``.
        """
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} server exited with code "
                    f"{self.process.returncode}; its log: {self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(  # noqa: S310 - loopback http URL
                    f"{self.base_url}/health", timeout=2
                ) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"{self.name} server did not return 200 on /health within "
            f"{START_TIMEOUT_SECONDS} s; its log: {self.log_tail()}"
        )

    def cpu_seconds(self) -> float:
        """Return the user and system CPU time the process has used so far."""
        with open(f"/proc/{self.process.pid}/stat", encoding="ascii") as stat:
            # The command name (field 2) may contain spaces, so the fields
            # are counted from its closing parenthesis. utime and stime are
            # fields 14 and 15, in clock ticks.
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-2000:]

    def stop(self) -> None:
        """Terminate the process, and kill it if it does not exit in time."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        self._log.close()


@contextmanager
def serve(
    name: str, command: list[str], environment: dict[str, str], folder: Path
) -> Iterator[Server]:
    """Start ``command --port PORT`` on a free port and stop it on exit.

    The server's output goes to ``folder/NAME.log``.
    """
    port = free_port()
    server = Server(
        name, [*command, "--port", str(port)], port, environment, folder / f"{name}.log"
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def free_port() -> int:
    """Return a loopback TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(base_url: str, target: Target) -> Any:
    """GET one target with its bearer token and return the decoded JSON body.

    Raises:
        RuntimeError: the response status is not 200.
    """
    request = urllib.request.Request(  # noqa: S310 - loopback http URL
        base_url + target.path, headers={"Authorization": f"Bearer {target.token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise RuntimeError(
            f"GET {base_url}{target.path} returned {error.code}: {error.read()[:300]!r}"
        ) from None
