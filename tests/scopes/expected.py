"""Hand-written expectations of the scope catalogue and the routes' scopes.

Written from the routes' purposes, not read from the service, so that a
changed declaration or catalogue entry fails a named case.
"""

from __future__ import annotations

from tests.e2e.contract_table import (
    GET_ACCESS_LOG,
    GET_AUDIT_ALERTS,
    GET_AUDIT_CSV,
    GET_AUDIT_EVENTS,
    GET_CLIENT,
    GET_CLIENTS,
    GET_CONSENT,
    GET_CONSENTED_WORKERS,
    GET_CONSENTS,
    GET_OWN_RECORD,
    GET_RECEIPT,
    GET_ROSTER,
    GET_STATISTICS,
    GET_SUMMARY,
    GET_WORKER,
    GET_WORKER_ACCESS,
    GET_WORKERS,
    POST_CLIENT_DISABLE,
    POST_CLIENTS,
    POST_CONSENTS,
    POST_DECISION,
    POST_ERASURE,
    POST_REVOCATION,
    POST_ROSTER,
    POST_TOUCHES,
    POST_WORKERS,
    Endpoint,
)

# The scope each route that takes a bearer token requires.
ROUTE_SCOPES: dict[Endpoint, str] = {
    GET_OWN_RECORD: "workers:read",
    GET_WORKER: "workers:read",
    GET_WORKER_ACCESS: "workers:read",
    GET_WORKERS: "workers:read",
    GET_CONSENTED_WORKERS: "workers:read",
    POST_WORKERS: "workers:write",
    POST_ERASURE: "workers:erase",
    GET_ROSTER: "rosters:read",
    POST_ROSTER: "rosters:write",
    GET_SUMMARY: "sites:read",
    POST_TOUCHES: "touches:write",
    GET_AUDIT_EVENTS: "audit:read",
    GET_AUDIT_CSV: "audit:read",
    GET_AUDIT_ALERTS: "audit:read",
    GET_ACCESS_LOG: "audit:read",
    GET_STATISTICS: "statistics:read",
    GET_CONSENTS: "consents:read",
    GET_CONSENT: "consents:read",
    GET_RECEIPT: "consents:read",
    POST_CONSENTS: "consents:write",
    POST_DECISION: "consents:write",
    POST_REVOCATION: "consents:write",
    GET_CLIENTS: "clients:admin",
    POST_CLIENTS: "clients:admin",
    GET_CLIENT: "clients:admin",
    POST_CLIENT_DISABLE: "clients:admin",
}

# Every scope each actor kind may be granted.
KIND_SCOPES: dict[str, frozenset[str]] = {
    "worker": frozenset(
        {
            "workers:read",
            "workers:erase",
            "audit:read",
            "consents:read",
            "consents:write",
        }
    ),
    "staff": frozenset(
        {
            "workers:read",
            "workers:write",
            "workers:erase",
            "rosters:read",
            "rosters:write",
            "sites:read",
            "audit:read",
            "statistics:read",
            "consents:read",
            "consents:write",
        }
    ),
    "regulator": frozenset({"audit:read"}),
    "device": frozenset({"touches:write"}),
    "operator": frozenset({"clients:admin"}),
}

# For each route, a persona whose request succeeds with the route's scope
# alone, according to the contract table.
ACCEPTED_PERSONA: dict[Endpoint, str] = {
    GET_OWN_RECORD: "worker",
    GET_WORKER: "employer",
    GET_WORKER_ACCESS: "consented",
    GET_WORKERS: "employer_clerk",
    GET_CONSENTED_WORKERS: "consented",
    POST_WORKERS: "employer",
    POST_ERASURE: "employer",
    GET_ROSTER: "upper",
    POST_ROSTER: "employer_site_manager",
    GET_SUMMARY: "orderer",
    POST_TOUCHES: "device",
    GET_AUDIT_EVENTS: "regulator",
    GET_AUDIT_CSV: "regulator",
    GET_AUDIT_ALERTS: "employer",
    GET_ACCESS_LOG: "worker",
    GET_STATISTICS: "outsider",
    GET_CONSENTS: "worker",
    GET_CONSENT: "consented",
    GET_RECEIPT: "worker",
    POST_CONSENTS: "outsider",
    POST_DECISION: "worker",
    POST_REVOCATION: "employer",
}
