"""Node.js peers for interoperability tests: oidc-provider and openid-client.

``OpenIDProvider`` runs ``provider.mjs``, an OpenID provider set up like the
national ID provider, and ``OpenIDClient`` runs ``client.mjs``, a driver
that sends JSON commands to openid-client. Both listen or connect on
127.0.0.1 only. Their packages come from ``package-lock.json`` through
``npm ci --prefix tests/interop``.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import httpx

INTEROP_DIR = Path(__file__).resolve().parent
NODE_MODULES = INTEROP_DIR / "node_modules"
REQUIRED_PACKAGES = ("oidc-provider", "openid-client")
INSTALL_COMMAND = "npm ci --prefix tests/interop"
READY_TIMEOUT_SECONDS = 20
CALL_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 5
# Lines of a process's log that an error message repeats.
LOG_TAIL_LINES = 20


class HarnessError(RuntimeError):
    """A Node.js peer is missing, failed to start, or stopped responding."""


class OpenIDClientError(Exception):
    """A command that openid-client failed, with the error it reported.

    ``code`` is openid-client's error code, and ``error``,
    ``error_description`` and ``status`` are the server's OAuth error where
    it sent one.
    """

    def __init__(self, command: str, details: dict[str, Any]) -> None:
        self.command = command
        self.details = details
        self.name: str = details.get("name") or ""
        self.code: str | None = details.get("code")
        self.detail: str | None = details.get("detail")
        self.error: str | None = details.get("error")
        self.error_description: str | None = details.get("error_description")
        self.status: int | None = details.get("status")
        super().__init__(
            f"openid-client failed {command}: {self.code}: {details.get('message')}"
            + (f" ({self.detail})" if self.detail else "")
            + (f" [server error {self.error}]" if self.error else "")
        )


def node_executable() -> str:
    """Return the path of ``node`` once the packages are installed.

    Raises:
        HarnessError: node is not on PATH, or node_modules lacks a package.
    """
    node = shutil.which("node")
    if node is None:
        raise HarnessError(
            "node is not on PATH; install Node.js 20.12 or newer and npm, then run "
            f"{INSTALL_COMMAND}"
        )
    missing = [name for name in REQUIRED_PACKAGES if not (NODE_MODULES / name).is_dir()]
    if missing:
        raise HarnessError(
            f"tests/interop/node_modules lacks {', '.join(missing)}; run "
            f"{INSTALL_COMMAND}"
        )
    return node


class NodeProcess:
    """A script of tests/interop under node, whose output is read line by line.

    A reader thread moves each line of standard output into a queue, so that
    every read can time out. Standard error goes to a temporary file, which
    error messages quote from.
    """

    def __init__(self, script: str, args: list[str] | None = None) -> None:
        self.script = script
        # Closed by stop(), since it outlives this method.
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(  # noqa: S603 - fixed script, no shell
            [node_executable(), str(INTEROP_DIR / script), *(args or [])],
            cwd=INTEROP_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            encoding="utf-8",
        )
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def write_line(self, text: str) -> None:
        """Send one line to the script's standard input."""
        stdin = self.process.stdin
        if stdin is None or stdin.closed:
            raise HarnessError(f"{self.script}: standard input is closed")
        try:
            stdin.write(text + "\n")
            stdin.flush()
        except BrokenPipeError:
            raise HarnessError(self._exited_message()) from None

    def close_stdin(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()

    def read_json(self, timeout: float) -> dict[str, Any]:
        """Return the next line of standard output, parsed as a JSON object.

        Raises:
            HarnessError: no line came within ``timeout`` seconds, the process
                exited, or the line is not a JSON object.
        """
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise HarnessError(
                f"{self.script} sent no line within {timeout} s; its log:\n"
                + self.log_tail()
            ) from None
        if line is None:
            raise HarnessError(self._exited_message())
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            raise HarnessError(
                f"{self.script} wrote a line that is not JSON; its log:\n"
                + self.log_tail()
            ) from None
        if not isinstance(value, dict):
            raise HarnessError(f"{self.script} wrote JSON that is not an object")
        return value

    def _exited_message(self) -> str:
        code = self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        return f"{self.script} exited with code {code}; its log:\n{self.log_tail()}"

    def log_tail(self) -> str:
        """Return the last lines the script wrote to standard error."""
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", errors="replace").splitlines()
        return "\n".join(lines[-LOG_TAIL_LINES:])

    def stop(self) -> None:
        """Stop the script with SIGTERM, or SIGKILL if it does not exit in time."""
        self.close_stdin()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        self._reader.join(timeout=STOP_TIMEOUT_SECONDS)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


class OpenIDProvider:
    """oidc-provider on a loopback port, set up like the national ID provider.

    ``config`` is the JSON that provider.mjs documents: the relying-party
    clients with their public keys, and the accounts that can log in.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self._node = NodeProcess("provider.mjs", ["-"])
        try:
            self._node.write_line(json.dumps(config))
            self._node.close_stdin()
            ready = self._node.read_json(READY_TIMEOUT_SECONDS)
        except HarnessError:
            self._node.stop()
            raise
        self.issuer: str = ready["issuer"]
        self.port: int = ready["port"]

    def http(self) -> httpx.Client:
        """Return an HTTP client for the provider that does not follow redirects."""
        return httpx.Client(base_url=self.issuer, follow_redirects=False, timeout=30)

    def metadata(self) -> dict[str, Any]:
        """Fetch the OpenID Connect Discovery document."""
        with self.http() as http:
            response = http.get("/.well-known/openid-configuration")
        response.raise_for_status()
        return dict(response.json())

    def set_next_login(self, account_id: str) -> None:
        """Make every following login log in ``account_id``."""
        self._control({"account_id": account_id})

    def set_next_login_error(
        self, error: str = "access_denied", description: str | None = None
    ) -> None:
        """Make every following login end with the OAuth ``error``."""
        body: dict[str, Any] = {"error": error}
        if description is not None:
            body["error_description"] = description
        self._control(body)

    def _control(self, body: dict[str, Any]) -> None:
        with self.http() as http:
            response = http.post("/__test/next-login", json=body)
        if response.status_code != 200:
            raise HarnessError(
                f"the provider rejected the next login with {response.status_code}: "
                f"{response.text}"
            )

    def log_tail(self) -> str:
        return self._node.log_tail()

    def stop(self) -> None:
        self._node.stop()


class OpenIDClient:
    """openid-client behind client.mjs, one JSON command and response at a time."""

    def __init__(self) -> None:
        self._node = NodeProcess("client.mjs")
        self._next_id = 0

    def call(
        self, command: str, timeout: float = CALL_TIMEOUT_SECONDS, **params: Any
    ) -> dict[str, Any]:
        """Run one command of client.mjs and return its result.

        Raises:
            OpenIDClientError: openid-client reported an error.
            HarnessError: the driver sent no response, or one out of order.
        """
        self._next_id += 1
        request_id = self._next_id
        self._node.write_line(
            json.dumps({"id": request_id, "command": command, **params})
        )
        response = self._node.read_json(timeout)
        if response.get("id") != request_id:
            raise HarnessError(
                f"client.mjs sent the response to request {response.get('id')} "
                f"while {request_id} was expected"
            )
        if not response.get("ok"):
            raise OpenIDClientError(command, dict(response.get("error") or {}))
        return dict(response["result"])

    def log_tail(self) -> str:
        return self._node.log_tail()

    def stop(self) -> None:
        self._node.stop()


def follow_redirects(
    http: httpx.Client,
    url: str,
    stop: Callable[[str], bool],
    max_redirects: int = 10,
) -> str:
    """Follow redirects by hand from ``url`` until ``stop`` accepts a location.

    Returns the accepted location, typically the relying party's redirect URI
    with ``code``, ``state`` and ``iss``. The URL there is never requested.

    Raises:
        HarnessError: a response is not a redirect, or there are too many.
    """
    current = url
    for _ in range(max_redirects):
        response = http.get(current)
        if not response.is_redirect:
            raise HarnessError(
                f"GET {httpx.URL(current).path} returned {response.status_code} "
                f"instead of a redirect: {response.text[:500]}"
            )
        location = str(response.url.join(response.headers["location"]))
        if stop(location):
            return location
        current = location
    raise HarnessError(f"more than {max_redirects} redirects from {url}")
