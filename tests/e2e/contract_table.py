"""The HTTP contract: what each persona gets from each endpoint.

The table is written out by hand from README.md and the rules in
``policies/``, so that a change in behaviour fails one named case. Nothing
here is computed from the service.

Personas are the demo personas of ``ccus.demo.personas.PERSONAS``, two more
staff members of the target worker's employer (one with the clerk role
only, one with the site_manager role only) and ``anonymous``, a caller
without an access token. Path parameters name the target worker, the live
site, the target worker's employer and the demo consent (the target
worker's qualifications for the ``consented`` persona's company), unless a
case creates its own worker or consent first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Endpoint(NamedTuple):
    """An HTTP method and a path template, as the application routes them."""

    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


PERSONAS = (
    "worker",
    "employer",
    "employer_clerk",
    "employer_site_manager",
    "prime",
    "upper",
    "past_prime",
    "outsider",
    "orderer",
    "consented",
    "regulator",
    "device",
    "anonymous",
)

# Where a case runs. SHARED is the session's demo server, which other test
# files read too, so a case there must change no data they read. SCRATCH is
# a small demo data set served for this module alone. Each case there
# creates the worker or consent it changes, so cases do not depend on each
# other. FRESH is a new database per case, for erasure of the target worker.
SHARED = "shared"
SCRATCH = "scratch"
FRESH = "fresh"

# Field groups carry their history scope where the history is narrowed:
# "history:own_employment" is the days worked for the caller's company and
# "history:own_sites" the days on sites where the caller's company stood
# above the employer. A bare "history" is every day worked. The record's
# ``field_groups`` names the group without its scope, and
# GET /workers/{worker_id}/access lists the scope beside it.
OWN_RECORD = (
    "identity",
    "contact",
    "emergency_contact",
    "insurance",
    "health",
    "qualifications",
    "career",
    "employment",
    "past_employers",
    "history",
)
# The employer's base screen: the whole record except past employers.
BASE_SCREEN = (
    "identity",
    "contact",
    "emergency_contact",
    "insurance",
    "health",
    "qualifications",
    "career",
    "employment",
    "history:own_employment",
)
# What the employer's site managers see: the roster form's fields and the
# days worked for the employer.
EMPLOYER_SITE_VIEW = ("history:own_employment", "roster")
# What the prime contractor and the upper tiers see of a worker on their
# live roster.
SITE_VIEW = ("history:own_sites", "roster")


@dataclass(frozen=True)
class Expect:
    """The contract of one persona at one endpoint.

    ``groups`` are the field groups of the target worker that the body
    discloses, in response order and with their history scope: those of
    the record, those that GET /workers/{worker_id}/access lists,
    ``("roster",)`` for roster items and ``("identity",)`` for directory
    items. An empty tuple means that the body discloses none. ``listed``
    is whether GET /consents lists the demo consent.
    """

    status: int
    groups: tuple[str, ...] = ()
    listed: bool = False
    setting: str = SHARED
    known_issue: str | None = None


OK = Expect(200)
NOT_FOUND = Expect(404)
FORBIDDEN = Expect(403)
UNAUTHENTICATED = Expect(401)


def everyone(expect: Expect) -> dict[str, Expect]:
    """Return a row in which every persona, anonymous included, gets ``expect``."""
    return dict.fromkeys(PERSONAS, expect)


GET_HEALTH = Endpoint("GET", "/health")
GET_JWKS = Endpoint("GET", "/.well-known/jwks.json")
GET_OAUTH_METADATA = Endpoint("GET", "/.well-known/oauth-authorization-server")
POST_OAUTH_TOKEN = Endpoint("POST", "/oauth/token")
POST_OAUTH_REVOKE = Endpoint("POST", "/oauth/revoke")
POST_OAUTH_INTROSPECT = Endpoint("POST", "/oauth/introspect")
GET_OWN_RECORD = Endpoint("GET", "/workers/me")
GET_WORKER = Endpoint("GET", "/workers/{worker_id}")
GET_WORKER_ACCESS = Endpoint("GET", "/workers/{worker_id}/access")
POST_ERASURE = Endpoint("POST", "/workers/{worker_id}/erasure")
POST_WORKERS = Endpoint("POST", "/workers")
GET_WORKERS = Endpoint("GET", "/workers")
GET_ROSTER = Endpoint("GET", "/sites/{site_id}/roster")
POST_ROSTER = Endpoint("POST", "/sites/{site_id}/roster")
GET_SUMMARY = Endpoint("GET", "/sites/{site_id}/summary")
POST_TOUCHES = Endpoint("POST", "/sites/{site_id}/touches")
GET_AUDIT_EVENTS = Endpoint("GET", "/audit/events")
GET_AUDIT_CSV = Endpoint("GET", "/audit/events.csv")
GET_AUDIT_ALERTS = Endpoint("GET", "/audit/alerts")
GET_ACCESS_LOG = Endpoint("GET", "/workers/me/access-log")
GET_STATISTICS = Endpoint("GET", "/companies/{company_id}/statistics")
GET_CONSENTED_WORKERS = Endpoint("GET", "/consented-workers")
POST_CONSENTS = Endpoint("POST", "/consents")
GET_CONSENTS = Endpoint("GET", "/consents")
GET_CONSENT = Endpoint("GET", "/consents/{consent_id}")
POST_DECISION = Endpoint("POST", "/consents/{consent_id}/decision")
POST_REVOCATION = Endpoint("POST", "/consents/{consent_id}/revocation")
GET_RECEIPT = Endpoint("GET", "/consents/{consent_id}/receipt")

GET_LOGIN_JWKS = Endpoint("GET", "/login/jwks.json")
GET_CLIENTS = Endpoint("GET", "/oauth/clients")
POST_CLIENTS = Endpoint("POST", "/oauth/clients")
GET_CLIENT = Endpoint("GET", "/oauth/clients/{client_id}")
POST_CLIENT_DISABLE = Endpoint("POST", "/oauth/clients/{client_id}/disable")
CLIENT_ADMIN_ENDPOINTS = (GET_CLIENTS, POST_CLIENTS, GET_CLIENT, POST_CLIENT_DISABLE)

# Pages and redirects that a browser follows with its session cookie. A
# bearer token plays no part in them, so they have no row here: tests/login
# and tests/oauth cover them.
BROWSER_PATHS = frozenset(
    {
        "/oauth/authorize",
        "/account/clients",
        "/account/clients/revocation",
        "/login",
        "/login/callback",
        "/login/session",
        "/login/registration",
        "/logout",
        "/idp/.well-known/openid-configuration",
        "/idp/jwks.json",
        "/idp/authorize",
        "/idp/token",
    }
)

OAUTH_POSTS = (POST_OAUTH_TOKEN, POST_OAUTH_REVOKE, POST_OAUTH_INTROSPECT)
# Every other method on the OAuth paths gets 405.
OAUTH_OTHER_METHODS = tuple(
    Endpoint(method, endpoint.path)
    for endpoint in OAUTH_POSTS
    for method in ("GET", "PUT", "PATCH", "DELETE")
)
# Endpoints that store something when they succeed: a success on the shared
# server would change data that other test files read.
WRITING_ENDPOINTS = frozenset(
    {
        POST_ERASURE,
        POST_WORKERS,
        POST_ROSTER,
        POST_TOUCHES,
        POST_CONSENTS,
        POST_DECISION,
        POST_REVOCATION,
        POST_OAUTH_TOKEN,
        POST_OAUTH_REVOKE,
        POST_CLIENTS,
        POST_CLIENT_DISABLE,
    }
)

CONTRACT: dict[Endpoint, dict[str, Expect]] = {
    # Public documents: a bearer token is neither needed nor looked at.
    GET_HEALTH: everyone(OK),
    GET_JWKS: everyone(OK),
    GET_LOGIN_JWKS: everyone(OK),
    GET_OAUTH_METADATA: everyone(OK),
    # The OAuth endpoints take client authentication (client_secret_basic
    # or private_key_jwt). A persona's bearer token authenticates no client,
    # so every call gets 401 invalid_client.
    POST_OAUTH_TOKEN: everyone(UNAUTHENTICATED),
    POST_OAUTH_REVOKE: everyone(UNAUTHENTICATED),
    POST_OAUTH_INTROSPECT: everyone(UNAUTHENTICATED),
    **{endpoint: everyone(Expect(405)) for endpoint in OAUTH_OTHER_METHODS},
    # The client registry serves operators, who are no persona: even with
    # the clients:admin scope, a persona's actor gets 403.
    **{
        endpoint: {**everyone(FORBIDDEN), "anonymous": UNAUTHENTICATED}
        for endpoint in CLIENT_ADMIN_ENDPOINTS
    },
    GET_OWN_RECORD: {
        "worker": Expect(200, OWN_RECORD),
        "employer": NOT_FOUND,
        "employer_clerk": NOT_FOUND,
        "employer_site_manager": NOT_FOUND,
        "prime": NOT_FOUND,
        "upper": NOT_FOUND,
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": NOT_FOUND,
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    GET_WORKER: {
        "worker": Expect(200, OWN_RECORD),
        "employer": Expect(200, BASE_SCREEN),
        "employer_clerk": Expect(200, BASE_SCREEN),
        "employer_site_manager": Expect(200, EMPLOYER_SITE_VIEW),
        "prime": Expect(200, SITE_VIEW),
        "upper": Expect(200, SITE_VIEW),
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": Expect(200, ("qualifications",)),
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    GET_WORKER_ACCESS: {
        "worker": Expect(200, OWN_RECORD),
        "employer": Expect(200, BASE_SCREEN),
        "employer_clerk": Expect(200, BASE_SCREEN),
        "employer_site_manager": Expect(200, EMPLOYER_SITE_VIEW),
        "prime": Expect(200, SITE_VIEW),
        "upper": Expect(200, SITE_VIEW),
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": Expect(200, ("qualifications",)),
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    # The worker and the employer's administrators erase. A caller who may
    # read the worker but not erase it gets 403, and every other caller 404.
    POST_ERASURE: {
        "worker": Expect(200, setting=FRESH),
        "employer": Expect(200, setting=FRESH),
        "employer_clerk": FORBIDDEN,
        "employer_site_manager": FORBIDDEN,
        "prime": FORBIDDEN,
        "upper": FORBIDDEN,
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": FORBIDDEN,
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    # Administrators and clerks register workers for their own company.
    POST_WORKERS: {
        "worker": FORBIDDEN,
        "employer": Expect(201, setting=SCRATCH),
        "employer_clerk": Expect(201, setting=SCRATCH),
        "employer_site_manager": FORBIDDEN,
        "prime": FORBIDDEN,
        "upper": FORBIDDEN,
        "past_prime": FORBIDDEN,
        "outsider": Expect(201, setting=SCRATCH),
        "orderer": Expect(201, setting=SCRATCH),
        "consented": Expect(201, setting=SCRATCH),
        "regulator": FORBIDDEN,
        "device": FORBIDDEN,
        "anonymous": UNAUTHENTICATED,
    },
    # Administrators and clerks list their own company's workers, with the
    # identity group only.
    GET_WORKERS: {
        "worker": FORBIDDEN,
        "employer": Expect(200, ("identity",)),
        "employer_clerk": Expect(200, ("identity",)),
        "employer_site_manager": FORBIDDEN,
        "prime": FORBIDDEN,
        "upper": FORBIDDEN,
        "past_prime": FORBIDDEN,
        "outsider": Expect(200, ("identity",)),
        "orderer": Expect(200, ("identity",)),
        "consented": Expect(200, ("identity",)),
        "regulator": FORBIDDEN,
        "device": FORBIDDEN,
        "anonymous": UNAUTHENTICATED,
    },
    # Every staff member of a company in the live site's tree lists the
    # roster entries of its own subtree.
    GET_ROSTER: {
        "worker": NOT_FOUND,
        "employer": Expect(200, ("roster",)),
        "employer_clerk": Expect(200, ("roster",)),
        "employer_site_manager": Expect(200, ("roster",)),
        "prime": Expect(200, ("roster",)),
        "upper": Expect(200, ("roster",)),
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": NOT_FOUND,
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    # Administrators and site managers of a company in the tree register
    # their own workers, and the upper tier the employer's workers under
    # its inter-company agreement. Other staff in the tree get 403, and
    # callers outside it 404.
    POST_ROSTER: {
        "worker": NOT_FOUND,
        "employer": Expect(201, setting=SCRATCH),
        "employer_clerk": FORBIDDEN,
        "employer_site_manager": Expect(201, setting=SCRATCH),
        "prime": FORBIDDEN,
        "upper": Expect(201, setting=SCRATCH),
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": NOT_FOUND,
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    GET_SUMMARY: {
        "worker": NOT_FOUND,
        "employer": NOT_FOUND,
        "employer_clerk": NOT_FOUND,
        "employer_site_manager": NOT_FOUND,
        "prime": OK,
        "upper": NOT_FOUND,
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": OK,
        "consented": NOT_FOUND,
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    POST_TOUCHES: {
        "worker": NOT_FOUND,
        "employer": NOT_FOUND,
        "employer_clerk": NOT_FOUND,
        "employer_site_manager": NOT_FOUND,
        "prime": NOT_FOUND,
        "upper": NOT_FOUND,
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": NOT_FOUND,
        "regulator": NOT_FOUND,
        "device": Expect(200, setting=SCRATCH),
        "anonymous": UNAUTHENTICATED,
    },
    GET_AUDIT_EVENTS: {
        "worker": NOT_FOUND,
        "employer": NOT_FOUND,
        "employer_clerk": NOT_FOUND,
        "employer_site_manager": NOT_FOUND,
        "prime": NOT_FOUND,
        "upper": NOT_FOUND,
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": NOT_FOUND,
        "regulator": OK,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    GET_AUDIT_CSV: {
        "worker": NOT_FOUND,
        "employer": NOT_FOUND,
        "employer_clerk": NOT_FOUND,
        "employer_site_manager": NOT_FOUND,
        "prime": NOT_FOUND,
        "upper": NOT_FOUND,
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": NOT_FOUND,
        "regulator": OK,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    # The regulator reads every alert, and any company's administrators the
    # alerts about their own workers.
    GET_AUDIT_ALERTS: {
        "worker": NOT_FOUND,
        "employer": OK,
        "employer_clerk": NOT_FOUND,
        "employer_site_manager": NOT_FOUND,
        "prime": NOT_FOUND,
        "upper": NOT_FOUND,
        "past_prime": NOT_FOUND,
        "outsider": OK,
        "orderer": OK,
        "consented": OK,
        "regulator": OK,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    GET_ACCESS_LOG: {
        "worker": OK,
        "employer": NOT_FOUND,
        "employer_clerk": NOT_FOUND,
        "employer_site_manager": NOT_FOUND,
        "prime": NOT_FOUND,
        "upper": NOT_FOUND,
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": NOT_FOUND,
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    # The staff of every company read any company's statistics. Workers,
    # regulators and devices get 403, which hides nothing.
    GET_STATISTICS: {
        "worker": FORBIDDEN,
        "employer": OK,
        "employer_clerk": OK,
        "employer_site_manager": OK,
        "prime": OK,
        "upper": OK,
        "past_prime": OK,
        "outsider": OK,
        "orderer": OK,
        "consented": OK,
        "regulator": FORBIDDEN,
        "device": FORBIDDEN,
        "anonymous": UNAUTHENTICATED,
    },
    # Every caller gets a list. Only the consented company's list contains
    # the target worker, with the consented groups alone.
    GET_CONSENTED_WORKERS: {
        "worker": OK,
        "employer": OK,
        "employer_clerk": OK,
        "employer_site_manager": OK,
        "prime": OK,
        "upper": OK,
        "past_prime": OK,
        "outsider": OK,
        "orderer": OK,
        "consented": Expect(200, ("qualifications",)),
        "regulator": OK,
        "device": OK,
        "anonymous": UNAUTHENTICATED,
    },
    # Company staff request consents for their own company, and a worker
    # offers their own groups. The employer already reads the base screen,
    # so its staff get 409.
    POST_CONSENTS: {
        "worker": Expect(201, setting=SCRATCH),
        "employer": Expect(409),
        "employer_clerk": Expect(409),
        "employer_site_manager": Expect(409),
        "prime": Expect(201, setting=SCRATCH),
        "upper": Expect(201, setting=SCRATCH),
        "past_prime": Expect(201, setting=SCRATCH),
        "outsider": Expect(201, setting=SCRATCH),
        "orderer": Expect(201, setting=SCRATCH),
        "consented": Expect(201, setting=SCRATCH),
        "regulator": FORBIDDEN,
        "device": FORBIDDEN,
        "anonymous": UNAUTHENTICATED,
    },
    # The worker lists the consents about them. Company staff list those
    # naming their company as recipient, and administrators and clerks
    # those their company approves as employer.
    GET_CONSENTS: {
        "worker": Expect(200, listed=True),
        "employer": Expect(200, listed=True),
        "employer_clerk": Expect(200, listed=True),
        "employer_site_manager": OK,
        "prime": OK,
        "upper": OK,
        "past_prime": OK,
        "outsider": OK,
        "orderer": OK,
        "consented": Expect(200, listed=True),
        "regulator": OK,
        "device": OK,
        "anonymous": UNAUTHENTICATED,
    },
    # The worker, the employer's administrators and clerks, and the
    # recipient company read a consent. Every other caller gets 404, as for
    # an unknown consent.
    GET_CONSENT: {
        "worker": OK,
        "employer": OK,
        "employer_clerk": OK,
        "employer_site_manager": NOT_FOUND,
        "prime": NOT_FOUND,
        "upper": NOT_FOUND,
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": OK,
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    # The worker and the employer's administrators decide on a pending
    # consent. The other parties who read it get 403.
    POST_DECISION: {
        "worker": Expect(200, setting=SCRATCH),
        "employer": Expect(200, setting=SCRATCH),
        "employer_clerk": FORBIDDEN,
        "employer_site_manager": NOT_FOUND,
        "prime": NOT_FOUND,
        "upper": NOT_FOUND,
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": FORBIDDEN,
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    POST_REVOCATION: {
        "worker": Expect(200, setting=SCRATCH),
        "employer": Expect(200, setting=SCRATCH),
        "employer_clerk": FORBIDDEN,
        "employer_site_manager": NOT_FOUND,
        "prime": NOT_FOUND,
        "upper": NOT_FOUND,
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": FORBIDDEN,
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    GET_RECEIPT: {
        "worker": OK,
        "employer": OK,
        "employer_clerk": OK,
        "employer_site_manager": NOT_FOUND,
        "prime": NOT_FOUND,
        "upper": NOT_FOUND,
        "past_prime": NOT_FOUND,
        "outsider": NOT_FOUND,
        "orderer": NOT_FOUND,
        "consented": OK,
        "regulator": NOT_FOUND,
        "device": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
}
