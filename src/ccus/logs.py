"""Structured JSON logs with a request id.

Log lines carry ids, counts and timings only: never personal data, tokens,
codes, keys or client addresses.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

# A path segment is logged as sent only when it is a route word, an id of
# 14 digits or a short number. Anything else is logged as "*", such as a
# name, a phone or an individual number put in a URL by mistake.
_SAFE_SEGMENT = re.compile(r"\.?[a-z][a-z0-9_.-]{0,40}|[0-9]{14}|[0-9]{1,9}")


def safe_path(path: str) -> str:
    """Return ``path`` with every segment that could carry personal data masked."""
    return "/".join(
        segment if not segment or _SAFE_SEGMENT.fullmatch(segment) else "*"
        for segment in path.split("/")
    )


# Attributes every record has, and uvicorn's terminal-only duplicate message.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"color_message"}
access_logger = logging.getLogger("ccus.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: its message may carry values.
            entry["error_type"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    silence_unsafe_loggers()
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def silence_unsafe_loggers() -> None:
    """Quiet the loggers of other packages that write secrets or addresses.

    authlib logs tokens at DEBUG, and uvicorn's access log contains client
    addresses. ``ccus.access`` logs each request without them.
    """
    logging.getLogger("authlib").setLevel(logging.INFO)
    logging.getLogger("uvicorn.access").disabled = True


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Give each request an id, forbid caching, and log the request.

    The id comes back as X-Request-Id; every response gets
    ``Cache-Control: no-store`` unless it set its own, and
    ``Vary: Authorization``.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if str(scope["type"]) != "http":
            await app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                names = {name.lower() for name, _ in headers}
                # Responses carry personal data or credentials: no cache may
                # keep them, and none may serve one caller's response to another.
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                headers.append((b"vary", b"Authorization"))
                message["headers"] = headers
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            access_logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": safe_path(str(scope.get("path", ""))),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )

    return middleware
