# Disclosure rules of the registry. Nothing is disclosed unless a rule here
# grants it, and every grant names the basis that explains the access:
# [kind, reference], where kind is self, employment, roster, consent or
# site_tree.
#
# disclose(actor, record, groups, basis): the actor may see the field groups
# in the list ``groups`` on that basis. Rules bind a whole list at once, so
# that a query finds one answer per basis instead of one per group.

# Field groups of the whole record, as the worker sees it.
own_record_groups([
    "identity", "contact", "emergency_contact", "insurance", "health",
    "qualifications", "career", "employment", "past_employers", "history"
]);

# The employer's base screen: the whole record except past employers. Its
# history shows only days worked for that employer, because days worked for
# others would name the past employers.
base_screen_groups([
    "identity", "contact", "emergency_contact", "insurance", "health",
    "qualifications", "career", "employment", "history_own_employment"
]);

# The worker sees everything about themself.
disclose(actor: WorkerActor, record: WorkerRecord, groups, basis) if
    actor.subject = record.worker_id and
    own_record_groups(groups) and
    basis = ["self", record.worker_id];

# A company with an active employment of the worker shows its base screen to
# the staff who manage its workforce (administrators and clerks). Its site
# managers see what site work needs: the roster fields and the days worked
# for the company.
disclose(actor: StaffActor, record: WorkerRecord, groups, basis) if
    employment in record.employments and
    employment.company_id = actor.company_id and
    employer_view(actor, groups) and
    basis = ["employment", employment.employment_id];

employer_view(actor: StaffActor, groups) if
    workforce_role(actor) and
    base_screen_groups(groups);
employer_view(actor: StaffActor, groups) if
    not workforce_role(actor) and
    "site_manager" in actor.roles and
    groups = ["roster", "history_own_employment"];

# The prime contractor and the upper tiers of a live site see, for a worker
# on its roster, the roster fields and the work history on sites where they
# were the prime or above the worker's employer. Companies beside or below
# the employer in the tree see nothing through this rule.
disclose(actor: StaffActor, record: WorkerRecord, groups, basis) if
    link in record.live_roster_links and
    actor.company_id in link.upper_company_ids and
    groups = ["roster", "history_own_sites"] and
    basis = ["roster", link.entry_id];

# Any company sees the groups of a consent given to it, or to every company,
# while the worker has approved it, the employer named in it has approved it
# and still employs the worker, nobody has revoked it and it has not expired.
# A worker who had no employer when the consent was requested approves alone.
disclose(actor: StaffActor, record: WorkerRecord, groups, basis) if
    consent in record.consents and
    consent_recipient(actor, consent) and
    consent_in_force(record, consent) and
    groups = consent.groups and
    basis = ["consent", consent.consent_id];

consent_recipient(actor: StaffActor, consent: ConsentFact) if
    consent.recipient_company_id = actor.company_id;
consent_recipient(_actor: StaffActor, consent: ConsentFact) if
    consent.recipient_company_id = nil;

consent_in_force(record: WorkerRecord, consent: ConsentFact) if
    consent.worker_decision = "approved" and
    not consent.revoked and
    consent.expires_at > record.as_of and
    employer_approved(record, consent);

employer_approved(_record: WorkerRecord, consent: ConsentFact) if
    consent.employer_company_id = nil;
employer_approved(record: WorkerRecord, consent: ConsentFact) if
    consent.employer_decision = "approved" and
    consent.employer_company_id in record.employer_ids;

# A company in a live site's tree lists the roster entries of its own
# workers and of every company below it there; nobody lists an ended or
# upcoming site's roster.
roster_scope(actor: StaffActor, site: SiteFacts, scope, basis) if
    site.status = "live" and
    actor.company_id in site.company_ids and
    scope = "subtree" and
    basis = ["site_tree", site.site_id];

# Where the employer chose so, other companies see the employer's address
# and phone in place of the worker's own.
shows_company_contact(actor: StaffActor, choice: ContactChoice) if
    choice.contact_replaced and
    not actor.company_id in choice.employer_ids;

# A worker may erase their own record, and an administrator of the employer
# may erase its worker's record; erasure destroys the worker's data key.
allow(actor: WorkerActor, "erase", record: WorkerRecord) if
    actor.subject = record.worker_id;
allow(actor: StaffActor, "erase", record: WorkerRecord) if
    employment in record.employments and
    employment.company_id = actor.company_id and
    "administrator" in actor.roles;

# An entry/exit system writes card touches for its own site only.
allow(actor: DeviceActor, "write_touches", site: SiteFacts) if
    actor.site_id = site.site_id;

# The regulator reads the audit log, where workers appear by id only.
allow(_actor: RegulatorActor, "read", _log: AuditLog);

# Staff who manage a company's workforce register its new workers and look
# its own workers up by name.
allow(actor: StaffActor, "register_worker", directory: WorkerDirectory) if
    directory.company_id = actor.company_id and
    workforce_role(actor);
allow(actor: StaffActor, "search_workers", directory: WorkerDirectory) if
    directory.company_id = actor.company_id and
    workforce_role(actor);

# A company's administrators read the poaching alerts about its own workers;
# which alerts those are is decided by the alert's evidence.
allow(actor: StaffActor, "read_own_alerts", _: AuditLog) if
    "administrator" in actor.roles;

# Administrators and clerks manage a company's workforce. The cut stops at
# the first role found, so that an actor with both roles is one answer.
workforce_role(actor: StaffActor) if "administrator" in actor.roles and cut;
workforce_role(actor: StaffActor) if "clerk" in actor.roles;

# The parties of a consent: the worker, the employer named in it and the
# recipient company read it; the worker and the employer's administrators
# approve, reject or revoke it. A consent to every company has no
# recipient to read it.
allow(actor: WorkerActor, "view_consent", consent: ConsentParties) if
    actor.subject = consent.worker_id;
allow(actor: StaffActor, "view_consent", consent: ConsentParties) if
    consent.employer_company_id = actor.company_id and
    workforce_role(actor);
allow(actor: StaffActor, "view_consent", consent: ConsentParties) if
    consent.recipient_company_id = actor.company_id;
allow(actor: WorkerActor, "decide_consent", consent: ConsentParties) if
    actor.subject = consent.worker_id;
allow(actor: StaffActor, "decide_consent", consent: ConsentParties) if
    consent.employer_company_id = actor.company_id and
    "administrator" in actor.roles;
