"""HTTP route of company workforce statistics."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath

from ccus.auth.route_scopes import SCOPE_ERRORS
from ccus.clock import jst_date
from ccus.errors import ProblemError, not_found, problem_responses
from ccus.registry.models import Company
from ccus.stats.disclosure import THRESHOLD
from ccus.stats.facts import CompanyStatistics
from ccus.stats.tables import WorkforceStatistics, publish_statistics
from ccus.stats.tally import load_counts
from ccus.web import authenticate, require_id14, services

STATISTICS_DESCRIPTION = (
    "For the staff of any registered company: counts of the company's workers "
    "with an active employment on today's date in Japan, so that subcontractors "
    "can be chosen for their skilled workforce. The counts are the head count, "
    "the workers of each trade by level, the holders of each verified "
    "qualification and of each qualification kind, and the workers by status "
    "in health insurance, pension and employment insurance, with the enrolment "
    "rate (enrolled over those not exempt).\n\n"
    f"Disclosure control, with a threshold K = {THRESHOLD}: a count from 1 to "
    "K-1 is suppressed, returned as `count: null` with `suppressed: true`; zero "
    "counts are published. Further counts are suppressed (complementary "
    "suppression) so that no suppressed count can be worked out from a "
    "published total or from the other counts of its table, and the "
    "suppressed cells of a table together hold at least K workers. A count of "
    "holders is suppressed when the non-holders are from 1 to K-1 too. A rate "
    "is published only when the enrolled and the not enrolled are each 0 or at "
    "least K, the denominator is at least K, and the rate gives no suppressed "
    "count back. A company with fewer than K workers gets a suppressed head "
    "count and no table. A table that cannot be protected is empty and named "
    "in `withheld`. Nothing in the response identifies a worker."
)


@get(
    "/companies/{company_id:str}/statistics",
    sync_to_thread=True,
    responses=problem_responses(400, 401, 403, 404),
    summary="Read a company's workforce statistics",
    description=STATISTICS_DESCRIPTION,
    tags=["companies"],
    opt={"scope": "statistics:read"},
    exception_handlers=SCOPE_ERRORS,
)
def read_company_statistics(
    request: Request[Any, Any, Any], company_id: FromPath[str]
) -> WorkforceStatistics:
    """Return the statistics of ``company_id`` under disclosure control.

    Workers, regulators and devices get 403, not 404: the statistics of every
    registered company are open to every company, and which companies are
    registered is not personal data, so the refusal hides nothing. It depends
    on the caller's kind alone, before the company is looked up.
    """
    actor = authenticate(request)
    require_id14(company_id, "company_id")
    state = services(request.app.state)
    if not state.policies.is_allowed(actor, "read", CompanyStatistics(company_id)):
        raise ProblemError(
            403,
            "forbidden",
            "Forbidden",
            "Company statistics are open to the staff of registered companies "
            "only; send a company staff member's access token.",
        )
    today = jst_date(state.clock())
    with state.session() as session:
        if session.get(Company, company_id) is None:
            raise not_found("company")
        counts = load_counts(session, state.vault, company_id, today)
    return publish_statistics(company_id, today, counts)
