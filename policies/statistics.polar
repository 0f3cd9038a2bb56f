# Company statistics: counts of a company's workers by trade and level,
# qualification and insurance status. The staff of every registered company
# read those of any company, so that subcontractors can be chosen for their
# skilled workforce. The statistics hold counts only, and ccus.stats
# suppresses every count that could single out a worker.
allow(actor: StaffActor, "read", _statistics: CompanyStatistics) if
    actor.company_id != nil;
