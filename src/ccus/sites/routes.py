"""HTTP routes of site rosters and site summaries."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from ccus.audit.log import AuditDraft, record_read
from ccus.auth.route_scopes import SCOPE_ERRORS
from ccus.clock import jst_date
from ccus.errors import ProblemError, not_found, problem_responses
from ccus.sites.facts import SiteSummaryFacts
from ccus.sites.models import POSITIONS, Site
from ccus.sites.registration import (
    RegisteredEntry,
    RosterEntryRequest,
    invalid_entry,
    register_roster_entry,
)
from ccus.sites.summary import WINDOW_DAYS, DayRange, SiteSummary, build_summary
from ccus.web import MAX_ROW_ID, access_context, authenticate, require_id14, services

MAX_PAGE = 200
SUMMARY_ACTION = "read_site_summary"
# A year of days, a leap year included, keeps a response to 366 head counts.
MAX_SUMMARY_DAYS = 366
DEFAULT_SUMMARY_DAYS = WINDOW_DAYS
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
# Trade codes such as rebar or formwork fit the roster's 40-character column.
# NOTE: the service has no catalogue of trades, so any code of this form passes.
TRADE_CODE = re.compile(r"[a-z][a-z_]{0,39}")


@get(
    "/sites/{site_id:str}/roster",
    sync_to_thread=True,
    responses=problem_responses(400, 401, 403, 404),
    summary="List a site's roster",
    description=(
        "Lists the roster entries the caller may see, with the personal fields "
        "of the standard roster form: a company in a live site's subcontract "
        "tree sees its own workers and those of every company below it. Any "
        "other caller, and every caller for an ended or upcoming site, gets "
        "404. Each listed worker is written to the audit log. Pages are "
        "ordered by entry id; pass `next_cursor` as `after` for the next page."
    ),
    tags=["sites"],
    opt={"scope": "rosters:read"},
    exception_handlers=SCOPE_ERRORS,
)
def list_roster(
    request: Request[Any, Any, Any],
    site_id: FromPath[str],
    after: Annotated[
        int, QueryParameter(ge=0, le=MAX_ROW_ID, description="Entry id to list after")
    ] = 0,
    limit: Annotated[
        int, QueryParameter(ge=1, le=MAX_PAGE, description="Page size")
    ] = 50,
) -> dict[str, Any]:
    actor = authenticate(request)
    require_id14(site_id, "site_id")
    context = access_context(request, actor)
    state = services(request.app.state)
    with state.session() as session:
        return state.read_path.read_roster(session, context, site_id, after, limit)


@get(
    "/sites/{site_id:str}/summary",
    sync_to_thread=True,
    responses=problem_responses(400, 401, 403, 404),
    summary="Read a site's summary",
    description=(
        "For the staff of the site's orderer (発注者) and of its prime "
        "contractor. Returns the subcontract tree by company (id, name, tier "
        "and parent, parents before their children), the number of distinct "
        "workers on each JST work day, and the closed days (閉所日): days "
        "on which nobody worked. `closed_day_rate` is closed days over days "
        "counted, and `closed_day_windows` counts the closed days in each "
        "28-day window from the first day counted, for comparison with the "
        "target of 8 closed days in 4 weeks (4週8閉所). The response contains "
        "no worker id and no personal field.\n\n"
        "`from` and `to` (YYYY-MM-DD, JST) choose the days, both included, "
        f"at most {MAX_SUMMARY_DAYS} of them. `to` defaults to yesterday and "
        f"`from` to {DEFAULT_SUMMARY_DAYS - 1} days before `to`. Only days "
        "of the site's accumulation period before today are counted; `start` "
        "and `end` give the days counted. Any other caller gets 404, as for "
        "an unknown site. Each call is written to the audit log."
    ),
    tags=["sites"],
    opt={"scope": "sites:read"},
    exception_handlers=SCOPE_ERRORS,
)
def read_site_summary(
    request: Request[Any, Any, Any],
    site_id: FromPath[str],
    first_day: Annotated[
        date | None,
        QueryParameter(name="from", description="First day (JST), YYYY-MM-DD"),
    ] = None,
    last_day: Annotated[
        date | None,
        QueryParameter(name="to", description="Last day (JST), YYYY-MM-DD"),
    ] = None,
) -> SiteSummary:
    actor = authenticate(request)
    require_id14(site_id, "site_id")
    context = access_context(request, actor)
    today = jst_date(context.now)
    requested = summary_days(first_day, last_day, today)
    state = services(request.app.state)
    with state.session() as session:
        site = session.get(Site, site_id)
        allowed = site is not None and state.policies.is_allowed(
            actor,
            "read_summary",
            SiteSummaryFacts(
                site.site_id, site.prime_company_id, site.orderer_company_id
            ),
        )
        if site is None or not allowed:
            draft = AuditDraft(SUMMARY_ACTION, "site_summary", "deny", site_id=site_id)
            record_read(session, context, [draft])
            raise not_found("site")
        summary = build_summary(session, site, requested, today)
        # The policy allowed the orderer or the prime, and the basis names which.
        kind = "orderer" if actor.company_id == site.orderer_company_id else "prime"
        draft = AuditDraft(
            SUMMARY_ACTION,
            "site_summary",
            "allow",
            site_id=site_id,
            basis=[{"kind": kind, "ref": site_id, "groups": []}],
        )
        record_read(session, context, [draft])
    return summary


def summary_days(first: date | None, last: date | None, today: date) -> DayRange:
    """Return the requested days of a summary, with the defaults filled in.

    Raises:
        ProblemError: 400 naming the parameter and the fix.
    """
    for name, day in (("from", first), ("to", last)):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise ProblemError(
                400,
                "invalid-period",
                "Invalid period",
                f"{name} must lie between {EARLIEST_DAY} and {LATEST_DAY}.",
                {"parameter": name},
            )
    end = last if last is not None else today - timedelta(days=1)
    start = (
        first if first is not None else end - timedelta(days=DEFAULT_SUMMARY_DAYS - 1)
    )
    if start > end:
        raise ProblemError(
            400,
            "invalid-period",
            "Invalid period",
            "from must not be after to; send from as the first day and to as the last.",
            {"parameter": "from"},
        )
    span = DayRange(start, end).days
    if span > MAX_SUMMARY_DAYS:
        raise ProblemError(
            400,
            "invalid-period",
            "Invalid period",
            f"from and to span {span} days, more than {MAX_SUMMARY_DAYS}; "
            "request a longer period in parts.",
            {"parameter": "to"},
        )
    return DayRange(start, end)


@post(
    "/sites/{site_id:str}/roster",
    sync_to_thread=True,
    status_code=201,
    responses=problem_responses(400, 401, 403, 404, 409, 413),
    summary="Register a roster entry",
    description=(
        "For administrators and site managers of a company in the tree of a "
        "live or upcoming site. A company registers its own workers, who must "
        "have an active employment with it. Under a running inter-company "
        "agreement (事業者間合意: signed on or before today, not ended before "
        "today) it may also register the workers of the agreement's lower "
        "company when it is above that company in this site's tree "
        "(proxy registration). `company_id` is the company employing the "
        "worker on this site, `trade` a trade code such as `rebar`, "
        f"`position` one of {', '.join(POSITIONS)} or null, and both dates "
        "lie in the site's accumulation period, the induction not before the "
        "entry.\n\n"
        "An agreement writes roster entries only: it never lets the upper "
        "company read the worker's record. The response is the new entry's "
        "id alone. A worker who already has an entry on the site gets 409. A "
        "caller whose company is not in the site's tree gets 404; other "
        "refusals get 403. Every call, allowed or denied, is written to the "
        "audit log with the entry."
    ),
    tags=["sites"],
    opt={"scope": "rosters:write"},
    exception_handlers=SCOPE_ERRORS,
)
def post_roster_entry(
    request: Request[Any, Any, Any],
    site_id: FromPath[str],
    data: JSONBody[RosterEntryRequest],
) -> RegisteredEntry:
    actor = authenticate(request)
    require_id14(site_id, "site_id")
    validate_entry(data)
    context = access_context(request, actor)
    state = services(request.app.state)
    with state.session() as session:
        entry_id = register_roster_entry(
            session, state.policies, context, site_id, data
        )
    return RegisteredEntry(entry_id=entry_id)


def validate_entry(body: RosterEntryRequest) -> None:
    """Raise ProblemError 400 for a field that is invalid on its own.

    Messages name the field and never repeat the value sent.
    """
    require_id14(body.worker_id, "worker_id")
    require_id14(body.company_id, "company_id")
    if not TRADE_CODE.fullmatch(body.trade):
        raise invalid_entry(
            "trade",
            "trade must be a trade code of 1 to 40 lower-case letters and "
            "underscores, starting with a letter, for example rebar.",
        )
    if body.position is not None and body.position not in POSITIONS:
        raise invalid_entry(
            "position",
            f"position must be one of {', '.join(POSITIONS)}, or null for none.",
        )
    if body.induction_date < body.entry_date:
        raise invalid_entry(
            "induction_date",
            "induction_date must not be before entry_date, because the site "
            "induction (新規入場者教育) takes place on or after the entry day.",
        )
