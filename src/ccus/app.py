"""The Litestar application."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, MediaType, Request, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ASGIApp
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ccus import __version__
from ccus.audit.alert_routes import list_audit_alerts
from ccus.audit.routes import (
    export_audit_events,
    list_audit_events,
    read_own_access_log,
)
from ccus.clock import Clock, system_clock
from ccus.config import Settings, load_settings
from ccus.consent.routes import ROUTES as CONSENT_ROUTES
from ccus.errors import (
    ProblemError,
    handle_http,
    handle_internal,
    handle_problem,
    handle_recursion,
    handle_storage,
    handle_undecodable,
    handle_validation,
)
from ccus.history.routes import post_touches
from ccus.idp.routes import ROUTES as LOCAL_IDP_ROUTES
from ccus.login.routes import ROUTES as LOGIN_ROUTES
from ccus.logs import request_id_middleware
from ccus.oauth.admin_routes import ROUTES as CLIENT_ADMIN_ROUTES
from ccus.oauth.browser_routes import (
    authorisation_decision,
    authorisation_page,
    authorised_clients,
    revoke_authorised_client,
)
from ccus.oauth.routes import (
    authorization_server_metadata,
    introspection_endpoint,
    reject_other_methods,
    revocation_endpoint,
    token_endpoint,
)
from ccus.registry.directory_routes import register, search
from ccus.registry.routes import (
    erase_record,
    explain_access,
    read_own_record,
    read_worker,
)
from ccus.services import Services, build_services
from ccus.sites.routes import list_roster, post_roster_entry, read_site_summary
from ccus.stats.routes import read_company_statistics
from ccus.web import services


@get("/health", sync_to_thread=False, tags=["service"], summary="Check health")
def health(request: Request[Any, Any, Any]) -> dict[str, str]:
    with services(request.app.state).session() as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok"}


@get(
    "/.well-known/jwks.json",
    sync_to_thread=False,
    tags=["service"],
    summary="Public keys that sign access tokens",
    media_type=MediaType.JSON,
)
def jwks(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return services(request.app.state).tokens.jwks()


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="ccus",
        version=__version__,
        description=(
            "A privacy-first API for Japan's Construction Career Up System. "
            "Errors are RFC 9457 problem details."
        ),
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http", scheme="bearer", bearer_format="JWT"
                )
            }
        ),
        security=[{"bearer": []}],
    )


ROUTES = [
    health,
    jwks,
    authorization_server_metadata,
    token_endpoint,
    revocation_endpoint,
    introspection_endpoint,
    reject_other_methods,
    authorisation_page,
    authorisation_decision,
    authorised_clients,
    revoke_authorised_client,
    *CLIENT_ADMIN_ROUTES,
    read_own_record,
    read_worker,
    explain_access,
    erase_record,
    register,
    search,
    list_roster,
    post_roster_entry,
    read_site_summary,
    post_touches,
    list_audit_events,
    export_audit_events,
    read_own_access_log,
    list_audit_alerts,
    read_company_statistics,
    *CONSENT_ROUTES,
    *LOGIN_ROUTES,
    *LOCAL_IDP_ROUTES,
]


def create_app(
    settings: Settings | None = None,
    clock: Clock = system_clock,
    prebuilt: Services | None = None,
) -> Litestar:
    """Build the application with its keys, policies and database."""
    settings = settings or load_settings()
    state = prebuilt or build_services(settings, clock)
    return _litestar(settings.max_body_bytes, State({"services": state}))


def create_asgi(
    settings: Settings | None = None,
    clock: Clock = system_clock,
    prebuilt: Services | None = None,
) -> ASGIApp:
    """Build the application wrapped in the request id and access log layer.

    The layer sits outside Litestar so that unknown routes get an id too.
    """
    return request_id_middleware(create_app(settings, clock, prebuilt))


def openapi_app() -> Litestar:
    """Build the application without keys or a database, for its schema only."""
    return _litestar(load_settings({}).max_body_bytes, State({}))


def _stop_audit_writer(app: Litestar) -> None:
    """Let the audit committer finish the rows already queued."""
    state = app.state.get("services")
    if state is not None:
        state.audit_writer.close()


def _litestar(max_body_bytes: int, state: State) -> Litestar:
    return Litestar(
        route_handlers=ROUTES,
        exception_handlers={
            ProblemError: handle_problem,
            ValidationException: handle_validation,
            HTTPException: handle_http,
            RecursionError: handle_recursion,
            UnicodeDecodeError: handle_undecodable,
            OperationalError: handle_storage,
            Exception: handle_internal,
        },
        openapi_config=openapi_config(),
        request_max_body_size=max_body_bytes,
        state=state,
        on_shutdown=[_stop_audit_writer],
        debug=False,
        logging_config=None,
    )
