# Rules of site summaries and roster registration. No rule in this file
# discloses a field group of a worker: reading workers' records goes only
# through the disclose rules of ccus.polar.

# The orderer (発注者) reads its site's summary: the subcontract tree by
# company, daily head counts and closed days, with no worker in it. The
# prime contractor reads it too, because it manages the site, draws up the
# subcontract tree itself, and already lists the live roster with personal
# fields, so the summary tells it nothing more. Other companies of the tree
# get nothing, since the tree would show them the companies beside them.
allow(actor: StaffActor, "read_summary", site: SiteSummaryFacts) if
    site.orderer_company_id != nil and
    actor.company_id = site.orderer_company_id;
allow(actor: StaffActor, "read_summary", site: SiteSummaryFacts) if
    actor.company_id = site.prime_company_id;

# Administrators and site managers of a company in the tree of a live or
# upcoming site put workers on its roster: their own company's workers, or
# under a running inter-company agreement (事業者間合意) the workers of a
# company below theirs in that tree. Either way the worker must have an
# active employment with the entry's company.
allow(actor: StaffActor, "register_roster_entry", request: RosterRegistration) if
    roster_registrar(actor) and
    request.site_status in ["live", "upcoming"] and
    actor.company_id in request.tree_company_ids and
    request.company_id in request.tree_company_ids and
    request.company_id in request.worker_employer_ids and
    registration_basis(actor, request, request.basis);

roster_registrar(actor: StaffActor) if "administrator" in actor.roles;
roster_registrar(actor: StaffActor) if "site_manager" in actor.roles;

# A company registers its own worker under the worker's employment with it.
registration_basis(actor: StaffActor, request: RosterRegistration, employment: EmploymentFact) if
    employment.company_id = request.company_id and
    actor.company_id = request.company_id;

# Proxy registration: the agreement names the actor's company as upper and
# the entry's company as lower, and on this site the actor's company is
# above the entry's company. The agreement writes roster entries only and
# never grants reading the lower company's workers' records.
registration_basis(actor: StaffActor, request: RosterRegistration, agreement: AgreementFact) if
    agreement.upper_company_id = actor.company_id and
    agreement.lower_company_id = request.company_id and
    actor.company_id in request.upper_company_ids;
