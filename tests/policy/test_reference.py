"""The service's access decisions equal those of the reference model.

Each world is written into an in-memory SQLite database whose tables
``Base.metadata.create_all`` made, inside a transaction that is rolled back
afterwards, so that every world starts from empty tables. The service's
loaders read the world back and its Polar policies decide. Every actor is
asked about every worker and an unknown worker id, every site and an unknown
site id, every consent, the audit log and company directories, and each
result is compared with ``tests.policy.reference``. R1 to R10 name the rules
as that module lists them.

The property test checks 300 random worlds by default. Set the environment
variable ``CCUS_HYPOTHESIS_PROFILE=long`` to check 5,000. The hand-written
worlds below it pin one rule each, so that a regression names the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

import ccus.db.models  # noqa: F401 - registers every table on Base.metadata
from ccus.auth import actors as service_actors
from ccus.authz.engine import Grant, PolicyEngine
from ccus.authz.facts import (
    AuditLog,
    ConsentParties,
    ContactChoice,
    SiteFacts,
    WorkerDirectory,
    WorkerRecord,
)
from ccus.authz.loaders import (
    load_site_facts,
    load_worker_record,
    subtree_company_ids,
)
from ccus.consent.models import Consent
from ccus.db.base import Base
from ccus.db.engine import make_engine
from ccus.registry.models import Company, Employment, Staff, Worker
from ccus.sites.models import RosterEntry, Site
from ccus.sites.tree import add_subcontract
from tests.policy import reference
from tests.policy.conftest import DecisionTally
from tests.policy.reference import Actor, Disclosure, World
from tests.policy.worlds import (
    UNKNOWN_SITE_ID,
    UNKNOWN_WORKER_ID,
    company_id,
    site_id,
    staff_id,
    worker_id,
    worlds,
)

SEALED_COLUMNS = (
    "identity_ct",
    "contact_ct",
    "emergency_contact_ct",
    "insurance_ct",
    "health_ct",
    "qualifications_ct",
    "career_ct",
)
# The smallest world has two staff, one worker, a regulator, an operator and
# a device, each asked about one worker and one unknown id.
MIN_DISCLOSURES_PER_WORLD = 6 * 2 * len(reference.GRANTABLE_NAMES)
# Mismatches listed in one failure message; the rest are only counted.
MAX_LISTED_MISMATCHES = 20
DIRECTORY_ACTIONS = ("register_worker", "search_workers")


@pytest.fixture(scope="module")
def policies() -> PolicyEngine:
    return PolicyEngine()


@pytest.fixture(scope="module")
def database() -> Iterator[Engine]:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


# --- the world in a database ---


def service_actor(actor: Actor) -> service_actors.Actor:
    """Build the service's actor of the kind and fields of ``actor``."""
    client_id = "policy-tests"
    if actor.kind == "worker":
        return service_actors.WorkerActor(actor.subject, client_id)
    if actor.kind == "staff":
        return service_actors.StaffActor(
            actor.subject, client_id, company_id=actor.company_id, roles=actor.roles
        )
    if actor.kind == "regulator":
        return service_actors.RegulatorActor(actor.subject, client_id)
    if actor.kind == "device":
        return service_actors.DeviceActor(
            actor.subject, client_id, site_id=actor.site_id or ""
        )
    if actor.kind == "operator":
        return service_actors.OperatorActor(actor.subject, client_id)
    raise ValueError(f"unknown actor kind {actor.kind!r}")


def insert_world(session: Session, world: World) -> None:
    """Insert every row of ``world``, with dummy bytes in the sealed columns."""
    created = world.now - timedelta(days=30)
    session.execute(
        insert(Company),
        [
            {
                "company_id": company,
                "name": f"Company {company}",
                "name_kana": "カンパニー",
                "address": "東京都千代田区",
                "phone": "03-0000-0000",
                "created_at": created,
            }
            for company in world.company_ids
        ],
    )
    staff_rows = [
        {"staff_id": a.subject, "company_id": a.company_id, "roles": list(a.roles)}
        for a in world.actors
        if a.kind == "staff"
    ]
    if staff_rows:
        session.execute(insert(Staff), staff_rows)
    if world.workers:
        session.execute(
            insert(Worker),
            [
                {
                    "worker_id": w.worker_id,
                    **{column: b"sealed" for column in SEALED_COLUMNS},
                    "contact_replaced": w.contact_replaced,
                    "created_at": created,
                    "updated_at": created,
                    "erased_at": world.now - timedelta(days=1) if w.erased else None,
                }
                for w in world.workers
            ],
        )
    insert_sites(session, world)
    if world.employments:
        session.execute(
            insert(Employment),
            [
                {
                    "id": e.employment_id,
                    "worker_id": e.worker_id,
                    "company_id": e.company_id,
                    "start_date": e.start_date,
                    "end_date": e.end_date,
                }
                for e in world.employments
            ],
        )
    if world.roster_entries:
        session.execute(
            insert(RosterEntry),
            [
                {
                    "id": r.entry_id,
                    "site_id": r.site_id,
                    "worker_id": r.worker_id,
                    "company_id": r.company_id,
                    "trade": "型枠",
                    "entry_date": r.entry_date,
                    "induction_date": r.entry_date,
                    "exit_date": r.exit_date,
                }
                for r in world.roster_entries
            ],
        )
    if world.consents:
        session.execute(
            insert(Consent), [consent_row(world, c) for c in world.consents]
        )
    session.flush()


def insert_sites(session: Session, world: World) -> None:
    """Insert the sites, and their trees through the service's closure code."""
    if not world.sites:
        return
    period_start = world.today - timedelta(days=60)
    session.execute(
        insert(Site),
        [
            {
                "site_id": s.site_id,
                "name": f"Site {s.site_id}",
                "address": "東京都港区",
                "prime_company_id": s.prime_company_id,
                "orderer_name": "発注者",
                "period_start": period_start,
                "period_end": period_start + timedelta(days=365),
                "status": s.status,
            }
            for s in world.sites
        ],
    )
    for s in world.sites:
        for node in s.nodes:
            add_subcontract(session, s.site_id, node.company_id, node.parent_company_id)


def consent_row(world: World, consent: reference.Consent) -> dict[str, Any]:
    decided_at = world.now - timedelta(hours=2)
    return {
        "id": consent.consent_id,
        "worker_id": consent.worker_id,
        "employer_company_id": consent.employer_company_id,
        "recipient_company_id": consent.recipient_company_id,
        "groups": list(consent.groups),
        "purpose": "site_entry",
        "expires_at": consent.expires_at,
        "requested_at": world.now - timedelta(days=3),
        "requested_by_kind": "staff",
        "requested_by": staff_id(0),
        "worker_decision": consent.worker_decision,
        "worker_decided_at": decided_at if consent.worker_decision else None,
        "employer_decision": consent.employer_decision,
        "employer_decided_at": decided_at if consent.employer_decision else None,
        "revoked_at": world.now - timedelta(hours=1) if consent.revoked else None,
        "revoked_by": "worker" if consent.revoked else None,
    }


def grant_set(grants: Iterable[Grant]) -> frozenset[Disclosure]:
    return frozenset((g.name, g.basis_kind, g.basis_ref) for g in grants)


class ServiceView:
    """The service's decisions about one world held in a database session.

    The methods mirror the functions of ``tests.policy.reference`` and apply
    the same checks as the routes: a worker that does not exist or is erased
    discloses nothing and cannot be erased.
    """

    def __init__(self, policies: PolicyEngine, session: Session, world: World):
        self.policies = policies
        self.session = session
        self.records: dict[str, tuple[bool, WorkerRecord]] = {
            wid: load_worker_record(session, wid, world.now) for wid in world.worker_ids
        }
        self.sites: dict[str, SiteFacts | None] = {
            sid: load_site_facts(session, sid) for sid in world.site_ids
        }

    def exists(self, worker_id: str) -> bool:
        return self.records[worker_id][0]

    def employer_ids(self, worker_id: str) -> frozenset[str]:
        return frozenset(self.records[worker_id][1].employer_ids)

    def disclosures(self, actor: Actor, worker_id: str) -> frozenset[Disclosure]:
        exists, record = self.records[worker_id]
        grants = self.policies.disclosures(service_actor(actor), record)
        return grant_set(grants) if exists else frozenset()

    def may_erase(self, actor: Actor, worker_id: str) -> bool:
        exists, record = self.records[worker_id]
        return exists and self.policies.is_allowed(
            service_actor(actor), "erase", record
        )

    def shows_company_contact(
        self, actor: Actor, employer_ids: tuple[str, ...], contact_replaced: bool
    ) -> bool:
        choice = ContactChoice(employer_ids, contact_replaced)
        return self.policies.shows_company_contact(service_actor(actor), choice)

    def roster_scope(self, actor: Actor, site_id: str) -> Disclosure | None:
        facts = self.sites[site_id]
        if facts is None:
            return None
        scope = self.policies.roster_scope(service_actor(actor), facts)
        return (
            None if scope is None else (scope.name, scope.basis_kind, scope.basis_ref)
        )

    def subtree_company_ids(self, site_id: str, company_id: str) -> frozenset[str]:
        return frozenset(subtree_company_ids(self.session, site_id, company_id))

    def may_write_touches(self, actor: Actor, site_id: str) -> bool:
        facts = self.sites[site_id]
        return facts is not None and self.policies.is_allowed(
            service_actor(actor), "write_touches", facts
        )

    def may_view_consent(self, actor: Actor, parties: reference.ConsentParties) -> bool:
        return self._may_act_on_consent(actor, "view_consent", parties)

    def may_decide_consent(
        self, actor: Actor, parties: reference.ConsentParties
    ) -> bool:
        return self._may_act_on_consent(actor, "decide_consent", parties)

    def may_read_audit_log(self, actor: Actor) -> bool:
        return self.policies.is_allowed(service_actor(actor), "read", AuditLog())

    def may_use_directory(self, actor: Actor, company_id: str, action: str) -> bool:
        return self.policies.is_allowed(
            service_actor(actor), action, WorkerDirectory(company_id)
        )

    def _may_act_on_consent(
        self, actor: Actor, action: str, parties: reference.ConsentParties
    ) -> bool:
        resource = ConsentParties(
            parties.worker_id, parties.employer_company_id, parties.recipient_company_id
        )
        return self.policies.is_allowed(service_actor(actor), action, resource)


@contextmanager
def open_service(
    policies: PolicyEngine, database: Engine, world: World
) -> Iterator[ServiceView]:
    """Insert ``world`` for the duration of the block, then roll it back."""
    with database.connect() as connection, Session(bind=connection) as session:
        insert_world(session, world)
        try:
            yield ServiceView(policies, session, world)
        finally:
            session.rollback()


# --- comparing every decision of a world ---


@dataclass
class Comparison:
    """The decisions compared in one world and those that differed."""

    world: World
    disclosures: int = 0
    others: int = 0
    mismatches: list[str] = field(default_factory=list)

    def expect(self, question: str, expected: object, got: object) -> None:
        self.others += 1
        if expected != got:
            self.mismatches.append(
                f"{question}: expected {show(expected)}, got {show(got)}"
            )

    def expect_disclosures(
        self,
        question: str,
        expected: frozenset[Disclosure],
        got: frozenset[Disclosure],
    ) -> None:
        self.disclosures += len(reference.GRANTABLE_NAMES)
        if expected != got:
            self.mismatches.append(
                f"{question}: missing {show(expected - got)}, "
                f"unexpected {show(got - expected)}"
            )

    def report(self) -> str:
        listed = self.mismatches[:MAX_LISTED_MISMATCHES]
        lines = [
            f"{len(self.mismatches)} decisions differ from the reference model:",
            *(f"  {line}" for line in listed),
        ]
        if len(self.mismatches) > len(listed):
            lines.append(f"  and {len(self.mismatches) - len(listed)} more")
        lines += ["in the world:", self.world.describe()]
        return "\n".join(lines)


def show(value: object) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(map(str, sorted(value))) + "}"
    return repr(value)


def compare_world(policies: PolicyEngine, database: Engine, world: World) -> Comparison:
    """Ask the service and the reference every question about ``world``."""
    comparison = Comparison(world)
    with open_service(policies, database, world) as service:
        compare_records(comparison, service)
        for actor in world.actors:
            compare_worker_questions(comparison, service, actor)
            compare_site_questions(comparison, service, actor)
            compare_other_questions(comparison, service, actor)
    return comparison


def compare_records(comparison: Comparison, service: ServiceView) -> None:
    """Compare which workers exist (R5) and their active employers."""
    world = comparison.world
    for wid in world.worker_ids:
        visible = reference.visible_worker(world, wid) is not None
        comparison.expect(f"worker {wid} exists", visible, service.exists(wid))
        if visible:
            comparison.expect(
                f"active employers of worker {wid}",
                reference.active_employer_ids(world, wid),
                service.employer_ids(wid),
            )
    for sid in world.site_ids:
        comparison.expect(
            f"site {sid} exists",
            world.site(sid) is not None,
            service.sites[sid] is not None,
        )


def compare_worker_questions(
    comparison: Comparison, service: ServiceView, actor: Actor
) -> None:
    """Compare disclosures (R1-R5), contact (R6) and erasure (R8) per worker."""
    world = comparison.world
    actor_name = actor.describe()
    for wid in world.worker_ids:
        comparison.expect_disclosures(
            f"disclosures of worker {wid} to {actor_name}",
            reference.disclosures(world, actor, wid),
            service.disclosures(actor, wid),
        )
        comparison.expect(
            f"erase of worker {wid} by {actor_name}",
            reference.may_erase(world, actor, wid),
            service.may_erase(actor, wid),
        )
        worker = reference.visible_worker(world, wid)
        if worker is None:
            continue
        employers = tuple(sorted(reference.active_employer_ids(world, wid)))
        comparison.expect(
            f"company contact of worker {wid} shown to {actor_name}",
            reference.shows_company_contact(actor, employers, worker.contact_replaced),
            service.shows_company_contact(actor, employers, worker.contact_replaced),
        )


def compare_site_questions(
    comparison: Comparison, service: ServiceView, actor: Actor
) -> None:
    """Compare roster scope and subtree (R7) and card touches (R10) per site."""
    world = comparison.world
    actor_name = actor.describe()
    for sid in world.site_ids:
        comparison.expect(
            f"roster scope of site {sid} for {actor_name}",
            reference.roster_scope(world, actor, sid),
            service.roster_scope(actor, sid),
        )
        if actor.company_id is not None:
            comparison.expect(
                f"subtree of {actor.company_id} on site {sid}",
                reference.subtree_company_ids(world, sid, actor.company_id),
                service.subtree_company_ids(sid, actor.company_id),
            )
        comparison.expect(
            f"write_touches on site {sid} by {actor_name}",
            reference.may_write_touches(actor, sid) and world.site(sid) is not None,
            service.may_write_touches(actor, sid),
        )


def compare_other_questions(
    comparison: Comparison, service: ServiceView, actor: Actor
) -> None:
    """Compare consent parties (R9), the audit log and directories (R10)."""
    world = comparison.world
    actor_name = actor.describe()
    for consent in world.consents:
        parties = reference.ConsentParties(
            consent.worker_id, consent.employer_company_id, consent.recipient_company_id
        )
        comparison.expect(
            f"view_consent {consent.consent_id} by {actor_name}",
            reference.may_view_consent(actor, parties),
            service.may_view_consent(actor, parties),
        )
        comparison.expect(
            f"decide_consent {consent.consent_id} by {actor_name}",
            reference.may_decide_consent(actor, parties),
            service.may_decide_consent(actor, parties),
        )
    comparison.expect(
        f"read audit log by {actor_name}",
        reference.may_read_audit_log(actor),
        service.may_read_audit_log(actor),
    )
    # The actor's own directory, which the routes ask about, and one other.
    directories = {world.company_ids[0], actor.company_id or world.company_ids[-1]}
    for company in sorted(directories):
        for action in DIRECTORY_ACTIONS:
            comparison.expect(
                f"{action} in {company} by {actor_name}",
                reference.may_use_directory(actor, company),
                service.may_use_directory(actor, company, action),
            )


# --- random worlds ---


def test_service_matches_reference(
    policies: PolicyEngine,
    database: Engine,
    policy_settings: hypothesis_settings,
    decision_tally: DecisionTally,
) -> None:
    run = DecisionTally()

    @policy_settings
    @given(world=worlds())
    def check(world: World) -> None:
        comparison = compare_world(policies, database, world)
        run.worlds += 1
        run.disclosures += comparison.disclosures
        run.others += comparison.others
        assert not comparison.mismatches, comparison.report()

    check()
    decision_tally.worlds += run.worlds
    decision_tally.disclosures += run.disclosures
    decision_tally.others += run.others
    # A passing run draws exactly max_examples worlds, more when Hypothesis
    # replays saved examples first. The floors catch a run that checked
    # nothing.
    assert run.worlds >= policy_settings.max_examples
    assert run.disclosures >= run.worlds * MIN_DISCLOSURES_PER_WORLD


# --- hand-written worlds, one rule each ---
#
# Site S is live with prime A above B above C. Worker W works for C, worked
# for D until yesterday, and is on the roster of S for C. E is in no tree
# and employs nobody.

NOON_JST = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 30)
A, B, C, D, E = (company_id(i) for i in range(1, 6))
S = site_id(1)
W = worker_id(1)


def staff(company: str, *roles: str) -> Actor:
    number = int(company[-2:]) * 10 + len(roles)
    return Actor("staff", staff_id(number), company, roles)


WORKER = Actor("worker", W)
REGULATOR = Actor("regulator", "regulator-1")
OPERATOR = Actor("operator", "operator-1")
DEVICE = Actor("device", "gate-1", site_id=S)


def example_world(**changes: Any) -> World:
    """Build the hand-written world, with fields replaced by ``changes``."""
    world = World(
        now=NOON_JST,
        company_ids=(A, B, C, D, E),
        sites=(
            reference.Site(
                S,
                "live",
                (
                    reference.SubcontractNode(A, None),
                    reference.SubcontractNode(B, A),
                    reference.SubcontractNode(C, B),
                ),
            ),
        ),
        workers=(reference.Worker(W, erased=False, contact_replaced=False),),
        employments=(
            reference.Employment(1, W, C, TODAY - timedelta(days=90), None),
            reference.Employment(
                2, W, D, TODAY - timedelta(days=400), TODAY - timedelta(days=1)
            ),
        ),
        roster_entries=(
            reference.RosterEntry(1, S, W, C, TODAY - timedelta(days=30), None),
        ),
        consents=(),
        actors=(),
        unknown_worker_id=UNKNOWN_WORKER_ID,
        unknown_site_id=UNKNOWN_SITE_ID,
    )
    return replace(world, **changes)


def consent(**changes: Any) -> reference.Consent:
    """Build a consent of W's health to A that C and W approved."""
    base = reference.Consent(
        consent_id=1,
        worker_id=W,
        recipient_company_id=A,
        employer_company_id=C,
        groups=("health",),
        worker_decision="approved",
        employer_decision="approved",
        revoked=False,
        expires_at=NOON_JST + timedelta(days=30),
    )
    return replace(base, **changes)


def expect_disclosures(
    policies: PolicyEngine,
    database: Engine,
    world: World,
    actor: Actor,
    expected: set[Disclosure],
    worker: str = W,
) -> None:
    """Assert that the reference and the service both disclose ``expected``."""
    assert reference.disclosures(world, actor, worker) == expected
    with open_service(policies, database, world) as service:
        assert service.disclosures(actor, worker) == expected


def as_self(groups: Iterable[str]) -> set[Disclosure]:
    return {(group, "self", W) for group in groups}


def by_employment(groups: Iterable[str], employment: int = 1) -> set[Disclosure]:
    return {(group, "employment", str(employment)) for group in groups}


def by_roster(entry: int = 1) -> set[Disclosure]:
    return {(group, "roster", str(entry)) for group in reference.UPPER_TIER_GROUPS}


def by_consent(groups: Iterable[str], consent_id: int = 1) -> set[Disclosure]:
    return {(group, "consent", str(consent_id)) for group in groups}


def test_r1_worker_sees_every_own_group(
    policies: PolicyEngine, database: Engine
) -> None:
    world = example_world()
    expect_disclosures(policies, database, world, WORKER, as_self(reference.ALL_GROUPS))
    other = Actor("worker", worker_id(2))
    expect_disclosures(policies, database, world, other, set())


@pytest.mark.parametrize(
    ("roles", "groups"),
    [
        (("administrator",), reference.BASE_SCREEN),
        (("clerk",), reference.BASE_SCREEN),
        (("clerk", "site_manager"), reference.BASE_SCREEN),
        (("site_manager",), reference.SITE_MANAGER_GROUPS),
        (("viewer",), ()),
        ((), ()),
    ],
)
def test_r2_employer_sees_by_role(
    policies: PolicyEngine,
    database: Engine,
    roles: tuple[str, ...],
    groups: tuple[str, ...],
) -> None:
    actor = staff(C, *roles)
    expect_disclosures(
        policies, database, example_world(), actor, by_employment(groups)
    )


def test_r2_ended_employment_shows_nothing(
    policies: PolicyEngine, database: Engine
) -> None:
    expect_disclosures(
        policies, database, example_world(), staff(D, "administrator"), set()
    )


def test_r2_employment_ends_on_jst_date(
    policies: PolicyEngine, database: Engine
) -> None:
    """At 00:00 JST the UTC date is still yesterday, but D's employment ended."""
    midnight = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    world = example_world(now=midnight)
    expect_disclosures(policies, database, world, staff(D, "administrator"), set())
    last_day = replace(world, now=midnight - timedelta(microseconds=1))
    expect_disclosures(
        policies,
        database,
        last_day,
        staff(D, "administrator"),
        by_employment(reference.BASE_SCREEN, employment=2),
    )


def test_r2_one_basis_per_employment(policies: PolicyEngine, database: Engine) -> None:
    second = reference.Employment(3, W, C, TODAY, TODAY + timedelta(days=10))
    world = example_world(employments=(*example_world().employments, second))
    expected = by_employment(reference.BASE_SCREEN) | by_employment(
        reference.BASE_SCREEN, employment=3
    )
    expect_disclosures(policies, database, world, staff(C, "clerk"), expected)


@pytest.mark.parametrize("company", [A, B])
def test_r3_upper_tiers_see_roster(
    policies: PolicyEngine, database: Engine, company: str
) -> None:
    expect_disclosures(policies, database, example_world(), staff(company), by_roster())


@pytest.mark.parametrize("company", [C, E])
def test_r3_same_tier_or_outside_sees_nothing(
    policies: PolicyEngine, database: Engine, company: str
) -> None:
    expect_disclosures(policies, database, example_world(), staff(company), set())


@pytest.mark.parametrize("status", ["upcoming", "ended"])
def test_r3_site_not_live_shows_nothing(
    policies: PolicyEngine, database: Engine, status: str
) -> None:
    site = replace(example_world().sites[0], status=status)
    world = example_world(sites=(site,))
    expect_disclosures(policies, database, world, staff(A), set())


def test_r3_roster_ends_after_exit_date(
    policies: PolicyEngine, database: Engine
) -> None:
    entry = replace(example_world().roster_entries[0], exit_date=TODAY)
    expect_disclosures(
        policies,
        database,
        example_world(roster_entries=(entry,)),
        staff(A),
        by_roster(),
    )
    entry = replace(entry, exit_date=TODAY - timedelta(days=1))
    expect_disclosures(
        policies, database, example_world(roster_entries=(entry,)), staff(A), set()
    )


def test_r4_approved_consent_discloses(
    policies: PolicyEngine, database: Engine
) -> None:
    world = example_world(consents=(consent(),))
    expect_disclosures(
        policies, database, world, staff(A), by_roster() | by_consent(["health"])
    )
    expect_disclosures(policies, database, world, staff(E), set())


def test_r4_consent_to_every_company(policies: PolicyEngine, database: Engine) -> None:
    every = consent(recipient_company_id=None, employer_company_id=None)
    world = example_world(consents=(every,))
    expect_disclosures(policies, database, world, staff(E), by_consent(["health"]))


@pytest.mark.parametrize(
    "changes",
    [
        {"worker_decision": None},
        {"worker_decision": "rejected"},
        {"employer_decision": None},
        {"employer_decision": "rejected"},
        {"employer_company_id": None, "employer_decision": "rejected"},
        {"revoked": True},
        {"expires_at": NOON_JST},
        {"employer_company_id": D},
        {"recipient_company_id": B},
    ],
    ids=lambda changes: ",".join(f"{k}={v}" for k, v in changes.items()),
)
def test_r4_consent_not_holding_shows_nothing(
    policies: PolicyEngine, database: Engine, changes: dict[str, Any]
) -> None:
    world = example_world(consents=(consent(**changes),))
    expect_disclosures(policies, database, world, staff(A), by_roster())


def test_r4_expiry_is_strict(policies: PolicyEngine, database: Engine) -> None:
    later = consent(expires_at=NOON_JST + timedelta(microseconds=1))
    world = example_world(consents=(later,))
    expect_disclosures(
        policies, database, world, staff(A), by_roster() | by_consent(["health"])
    )


@pytest.mark.parametrize("actor", [REGULATOR, OPERATOR, DEVICE], ids=lambda a: a.kind)
def test_r5_other_actors_see_nothing(
    policies: PolicyEngine, database: Engine, actor: Actor
) -> None:
    world = example_world(consents=(consent(recipient_company_id=None),))
    expect_disclosures(policies, database, world, actor, set())


def test_r5_erased_worker_shows_nothing(
    policies: PolicyEngine, database: Engine
) -> None:
    erased = reference.Worker(W, erased=True, contact_replaced=False)
    world = example_world(workers=(erased,), consents=(consent(),))
    for actor in (WORKER, staff(C, "administrator"), staff(A)):
        expect_disclosures(policies, database, world, actor, set())
    with open_service(policies, database, world) as service:
        assert not service.exists(W)
        assert not service.may_erase(WORKER, W)


def test_r5_unknown_worker_shows_nothing(
    policies: PolicyEngine, database: Engine
) -> None:
    unknown = Actor("worker", UNKNOWN_WORKER_ID)
    world = example_world()
    expect_disclosures(policies, database, world, unknown, set(), UNKNOWN_WORKER_ID)
    with open_service(policies, database, world) as service:
        assert not service.exists(UNKNOWN_WORKER_ID)


@pytest.mark.parametrize(
    ("actor", "replaced", "expected"),
    [
        (staff(A), True, True),
        (staff(D, "administrator"), True, True),
        (staff(C, "administrator"), True, False),
        (staff(A), False, False),
        (WORKER, True, False),
    ],
    ids=["upper", "past employer", "employer", "not replaced", "worker"],
)
def test_r6_company_contact(
    policies: PolicyEngine,
    database: Engine,
    actor: Actor,
    replaced: bool,
    expected: bool,
) -> None:
    employers = (C,)
    assert reference.shows_company_contact(actor, employers, replaced) is expected
    with open_service(policies, database, example_world()) as service:
        assert service.shows_company_contact(actor, employers, replaced) is expected


@pytest.mark.parametrize(
    ("company", "subtree"),
    [(A, {A, B, C}), (B, {B, C}), (C, {C})],
)
def test_r7_roster_lists_subtree(
    policies: PolicyEngine, database: Engine, company: str, subtree: set[str]
) -> None:
    world = example_world()
    scope = ("subtree", "site_tree", S)
    assert reference.roster_scope(world, staff(company), S) == scope
    assert reference.subtree_company_ids(world, S, company) == subtree
    with open_service(policies, database, world) as service:
        assert service.roster_scope(staff(company), S) == scope
        assert service.subtree_company_ids(S, company) == subtree


@pytest.mark.parametrize("status", ["live", "upcoming", "ended"])
def test_r7_no_roster_outside_tree_or_live(
    policies: PolicyEngine, database: Engine, status: str
) -> None:
    site = replace(example_world().sites[0], status=status)
    world = example_world(sites=(site,))
    actors = [staff(E, "administrator"), WORKER, REGULATOR, DEVICE]
    if status != "live":
        actors.append(staff(A, "administrator"))
    with open_service(policies, database, world) as service:
        for actor in actors:
            assert reference.roster_scope(world, actor, S) is None
            assert service.roster_scope(actor, S) is None
        assert service.subtree_company_ids(S, E) == frozenset()


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (WORKER, True),
        (staff(C, "administrator"), True),
        (staff(C, "clerk"), False),
        (staff(D, "administrator"), False),
        (staff(A, "administrator"), False),
        (REGULATOR, False),
    ],
    ids=[
        "worker",
        "employer admin",
        "employer clerk",
        "past employer",
        "upper",
        "regulator",
    ],
)
def test_r8_erasure(
    policies: PolicyEngine, database: Engine, actor: Actor, expected: bool
) -> None:
    world = example_world()
    assert reference.may_erase(world, actor, W) is expected
    with open_service(policies, database, world) as service:
        assert service.may_erase(actor, W) is expected


@pytest.mark.parametrize(
    ("actor", "view", "decide"),
    [
        (WORKER, True, True),
        (Actor("worker", worker_id(2)), False, False),
        (staff(C, "administrator"), True, True),
        (staff(C, "clerk"), True, False),
        (staff(C, "site_manager"), False, False),
        (staff(A), True, False),
        (staff(A, "administrator"), True, False),
        (staff(E, "administrator"), False, False),
        (REGULATOR, False, False),
    ],
    ids=[
        "worker",
        "other worker",
        "employer admin",
        "employer clerk",
        "employer site manager",
        "recipient",
        "recipient admin",
        "outsider",
        "regulator",
    ],
)
def test_r9_consent_parties(
    policies: PolicyEngine,
    database: Engine,
    actor: Actor,
    view: bool,
    decide: bool,
) -> None:
    parties = reference.ConsentParties(W, C, A)
    assert reference.may_view_consent(actor, parties) is view
    assert reference.may_decide_consent(actor, parties) is decide
    with open_service(policies, database, example_world()) as service:
        assert service.may_view_consent(actor, parties) is view
        assert service.may_decide_consent(actor, parties) is decide


def test_r9_every_company_is_no_recipient(
    policies: PolicyEngine, database: Engine
) -> None:
    parties = reference.ConsentParties(W, None, None)
    actor = staff(E, "administrator")
    assert not reference.may_view_consent(actor, parties)
    with open_service(policies, database, example_world()) as service:
        assert not service.may_view_consent(actor, parties)
        assert not service.may_decide_consent(actor, parties)


def test_r10_device_writes_own_site_only(
    policies: PolicyEngine, database: Engine
) -> None:
    other_site = reference.Site(
        site_id(2), "live", (reference.SubcontractNode(E, None),)
    )
    world = example_world(sites=(*example_world().sites, other_site))
    with open_service(policies, database, world) as service:
        assert service.may_write_touches(DEVICE, S)
        assert not service.may_write_touches(DEVICE, other_site.site_id)
        assert not service.may_write_touches(staff(A, "administrator"), S)


@pytest.mark.parametrize(
    ("actor", "audit_log", "directory"),
    [
        (REGULATOR, True, False),
        (staff(C, "administrator"), False, True),
        (staff(C, "clerk"), False, True),
        (staff(C, "site_manager"), False, False),
        (WORKER, False, False),
        (DEVICE, False, False),
        (OPERATOR, False, False),
    ],
    ids=["regulator", "admin", "clerk", "site manager", "worker", "device", "operator"],
)
def test_r10_audit_log_and_directory(
    policies: PolicyEngine,
    database: Engine,
    actor: Actor,
    audit_log: bool,
    directory: bool,
) -> None:
    assert reference.may_read_audit_log(actor) is audit_log
    assert reference.may_use_directory(actor, C) is directory
    with open_service(policies, database, example_world()) as service:
        assert service.may_read_audit_log(actor) is audit_log
        for action in DIRECTORY_ACTIONS:
            assert service.may_use_directory(actor, C, action) is directory
