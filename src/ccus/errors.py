"""Problem details (RFC 9457) for every error the API returns."""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    ValidationException,
)
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import OperationalError

from ccus.logs import safe_path
from ccus.registry.mynumber import contains_individual_number

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://ccus.example/problems/"
logger = logging.getLogger("ccus.errors")


class ProblemDetails(msgspec.Struct):
    """An RFC 9457 problem details body, as every error of the API sends it."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    request_id: str | None


_PROBLEM_DESCRIPTIONS = {
    400: "The request is invalid; `detail` names the problem and the fix.",
    401: "The bearer token is missing or failed verification.",
    403: "The caller may not perform this action, or the access token lacks "
    "the route's scope.",
    404: "No such resource, or the caller may not read it.",
    409: "The resource conflicts with one that exists.",
    413: "The request body is too large.",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """Describe the problem bodies a route may send, for the OpenAPI document."""
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            media_type=PROBLEM_JSON,
            description=_PROBLEM_DESCRIPTIONS[status],
            generate_examples=False,
        )
        for status in statuses
    }


class ProblemError(Exception):
    """An error the client can act on, returned as a problem details body.

    ``slug`` is the stable type, and ``detail`` states what failed and what to
    do next. Neither may contain personal data.
    """

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{slug}: {detail}")
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.extra = extra or {}


def not_found(kind: str) -> ProblemError:
    return ProblemError(
        404,
        "not-found",
        "Not found",
        f"No {kind} with this id exists or you may not read it.",
    )


def _request_id(request: Request[Any, Any, Any]) -> str | None:
    value = request.scope.get("state", {}).get("request_id")
    return str(value) if value else None


def _problem(request: Request[Any, Any, Any], error: ProblemError) -> Response[Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + error.slug,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": safe_path(request.url.path),
        "request_id": _request_id(request),
    }
    body.update(error.extra)
    headers = {"Cache-Control": "no-store"}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return Response(
        body, status_code=error.status, media_type=PROBLEM_JSON, headers=headers
    )


def handle_problem(
    request: Request[Any, Any, Any], error: ProblemError
) -> Response[Any]:
    return _problem(request, error)


# Some validation messages quote the rejected value, which could be personal
# data sent in the wrong field; the quoted part is dropped.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def _without_values(message: str) -> str:
    return _QUOTED.sub("(value)", message)


def _key_of(item: dict[str, Any]) -> Any:
    key = item.get("key")
    if isinstance(key, str) and contains_individual_number(key):
        return "(not shown: holds an individual number)"
    return key


def _message_of(item: dict[str, Any]) -> str:
    message, key = str(item.get("message", "")), item.get("key")
    # Litestar reports a missing body or parameter as the quoted key alone.
    if key and message == f"'{key}'":
        return "the JSON request body is missing" if key == "data" else "missing"
    cleaned = _without_values(message)
    # A field name or an unbalanced quote can still carry the sent text; an
    # individual number must never be echoed, whatever the field.
    if contains_individual_number(cleaned):
        return "the value is invalid and holds an individual number, so it is not shown"
    return cleaned


def handle_validation(
    request: Request[Any, Any, Any], error: ValidationException
) -> Response[Any]:
    errors = error.extra if isinstance(error.extra, list) else []
    messages = [
        {
            "message": _message_of(item),
            "key": _key_of(item),
            "source": item.get("source"),
        }
        for item in errors
        if isinstance(item, dict)
    ]
    if not messages:
        messages = [{"message": "the JSON request body is missing", "key": None}]
    return _problem(
        request,
        ProblemError(
            400,
            "invalid-request",
            "Invalid request",
            "The request failed validation; fix the listed fields and send it again.",
            {"errors": messages},
        ),
    )


def handle_http(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    if isinstance(error, NotFoundException):
        problem = ProblemError(
            404,
            "not-found",
            "Not found",
            "No resource is served at this path; see /schema/openapi.json.",
        )
    elif isinstance(error, MethodNotAllowedException):
        problem = ProblemError(
            405,
            "method-not-allowed",
            "Method not allowed",
            "This path does not accept this method; see /schema/openapi.json.",
        )
    elif error.status_code == 413:
        problem = ProblemError(
            413,
            "body-too-large",
            "Request body too large",
            "The request body exceeds the size limit; send fewer items per request.",
        )
    elif error.status_code == 400:
        problem = ProblemError(
            400,
            "invalid-body",
            "Invalid request body",
            f"The request body could not be read as JSON ({error.detail}); "
            "send a JSON object that matches the schema.",
        )
    elif error.status_code >= 500:
        return handle_internal(request, error)
    else:
        problem = ProblemError(
            error.status_code, "http-error", "Request failed", str(error.detail)
        )
    return _problem(request, problem)


def handle_recursion(
    request: Request[Any, Any, Any], error: RecursionError
) -> Response[Any]:
    # Litestar decodes JSON bodies untyped before validating them, and the
    # decoder raises RecursionError on deep nesting. No code of the service
    # recurses without bound, so this error always means such a body.
    return _problem(
        request,
        ProblemError(
            400,
            "invalid-body",
            "Invalid request body",
            "The request body is nested too deeply to read; send a JSON object "
            "that matches the schema.",
        ),
    )


def handle_undecodable(
    request: Request[Any, Any, Any], error: UnicodeDecodeError
) -> Response[Any]:
    return _problem(
        request,
        ProblemError(
            400,
            "invalid-body",
            "Invalid request body",
            "The request body is not valid UTF-8; send JSON encoded as UTF-8.",
        ),
    )


def handle_storage(
    request: Request[Any, Any, Any], error: OperationalError
) -> Response[Any]:
    # The database contains the audit log. When it fails, no read may go on
    # without its audit record, so the request fails whole.
    logger.error(
        "storage unavailable",
        extra={
            "error_type": type(error.orig).__name__,
            "path": safe_path(request.url.path),
            "request_id": _request_id(request),
        },
    )
    response = _problem(
        request,
        ProblemError(
            503,
            "storage-unavailable",
            "Storage unavailable",
            "The database that holds the records and the audit log failed; "
            "nothing was disclosed or changed. Retry later.",
        ),
    )
    response.headers["Retry-After"] = "5"
    return response


def handle_internal(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    # Exception text may carry values; log only its type with the request id.
    logger.error(
        "unhandled error",
        extra={
            "error_type": type(error).__name__,
            "path": safe_path(request.url.path),
            "request_id": _request_id(request),
        },
    )
    return _problem(
        request,
        ProblemError(
            HTTP_500_INTERNAL_SERVER_ERROR,
            "internal-error",
            "Internal error",
            "The service failed to handle this request; report the request id.",
        ),
    )
