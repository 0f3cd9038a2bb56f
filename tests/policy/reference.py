"""A plain-Python reference model of the disclosure and authorization rules.

The model is written from the rules as stated below, independently of the
Polar policies, and decides over a ``World``: a plain description of
companies, sites, workers, employments, roster entries, consents and actors.
It imports nothing of the service, so that a test can compare the two.

Rules, where "today" is the date in Japan Standard Time (UTC+9) of the
decision moment ``now``. An employment is active when its end date is None
or on or after today. A roster entry is current when its exit date is None
or on or after today.

- R1: a worker sees every group of their own record, with basis
  ("self", worker id).
- R2: staff of a company with an active employment of the worker see, with
  role administrator or clerk, the base screen (every group except
  ``past_employers`` and ``history``, plus ``history_own_employment``). With
  role site_manager and neither of the others, they see ``roster`` and
  ``history_own_employment``. The basis is ("employment", employment id),
  once per active employment by that company. Other roles get nothing.
- R3: staff of any role of a company strictly above a current roster
  entry's company in the subcontract tree of a live site see ``roster`` and
  ``history_own_sites``, with basis ("roster", entry id) for each such entry.
- R4: staff of any role of company C see each group of a consent about the
  worker with basis ("consent", consent id) when its recipient is C or None,
  the worker approved it, nobody revoked it, it expires strictly after
  ``now``, and either it names no employer (and the employer side did not
  reject it) or that employer approved it and still actively employs the
  worker.
- R5: nobody else sees anything, and an erased or unknown worker gives
  nothing to anyone.
- R6: the employer's contact replaces the worker's when the worker chose so
  and the actor's company is not one of the worker's active employers. An
  actor without a company (anyone but staff) has no company to compare, so
  it sees the worker's own contact.
- R7: staff whose company is in a live site's tree list the roster of their
  own company and every company below it, with scope "subtree" and basis
  ("site_tree", site id).
- R8: the worker themself and administrators of an active employer may
  erase a worker.
- R9: a consent may be viewed by its worker, by administrators and clerks
  of its employer company and by any staff of its recipient company. It may
  be decided by its worker and by administrators of its employer company.
- R10: a device writes card touches only for its own site, a regulator
  reads the audit log, and staff with role administrator or clerk register
  and search workers in their own company's directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")

ALL_GROUPS = (
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
BASE_SCREEN = (
    "identity",
    "contact",
    "emergency_contact",
    "insurance",
    "health",
    "qualifications",
    "career",
    "employment",
    "history_own_employment",
)
SITE_MANAGER_GROUPS = ("roster", "history_own_employment")
UPPER_TIER_GROUPS = ("roster", "history_own_sites")
# Every name a disclosure can grant: each (actor, worker) pair decides all.
GRANTABLE_NAMES = (*ALL_GROUPS, "roster", "history_own_employment", "history_own_sites")

ROLES = ("administrator", "clerk", "site_manager")
SITE_STATUSES = ("upcoming", "live", "ended")
DECISIONS = ("approved", "rejected")

# A disclosure: (group name, basis kind, basis reference).
Disclosure = tuple[str, str, str]


@dataclass(frozen=True)
class Actor:
    """The actor of a request: a worker, staff, regulator, device or operator.

    ``subject`` is the worker id for a worker. Only staff have a
    ``company_id`` and ``roles``, and only devices a ``site_id``.
    """

    kind: str
    subject: str
    company_id: str | None = None
    roles: tuple[str, ...] = ()
    site_id: str | None = None

    def describe(self) -> str:
        if self.kind == "staff":
            roles = ",".join(self.roles) or "no roles"
            return f"staff {self.subject} of {self.company_id} ({roles})"
        if self.kind == "device":
            return f"device {self.subject} of site {self.site_id}"
        return f"{self.kind} {self.subject}"


@dataclass(frozen=True)
class SubcontractNode:
    """A company's place in a site's tree; the prime has no parent."""

    company_id: str
    parent_company_id: str | None


@dataclass(frozen=True)
class Site:
    """A site with its status and tree, parents listed before children."""

    site_id: str
    status: str
    nodes: tuple[SubcontractNode, ...]

    @property
    def prime_company_id(self) -> str:
        return self.nodes[0].company_id

    @property
    def company_ids(self) -> tuple[str, ...]:
        return tuple(node.company_id for node in self.nodes)

    def parent_of(self, company_id: str) -> str | None:
        for node in self.nodes:
            if node.company_id == company_id:
                return node.parent_company_id
        return None

    def ancestors_of(self, company_id: str) -> list[str]:
        """Return the companies strictly above ``company_id``, nearest first."""
        ancestors = []
        parent = self.parent_of(company_id)
        while parent is not None:
            ancestors.append(parent)
            parent = self.parent_of(parent)
        return ancestors


@dataclass(frozen=True)
class Worker:
    worker_id: str
    erased: bool
    contact_replaced: bool


@dataclass(frozen=True)
class Employment:
    employment_id: int
    worker_id: str
    company_id: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class RosterEntry:
    entry_id: int
    site_id: str
    worker_id: str
    company_id: str
    entry_date: date
    exit_date: date | None


@dataclass(frozen=True)
class Consent:
    """A consent about a worker; ``revoked`` means revoked before ``now``."""

    consent_id: int
    worker_id: str
    recipient_company_id: str | None
    employer_company_id: str | None
    groups: tuple[str, ...]
    worker_decision: str | None
    employer_decision: str | None
    revoked: bool
    expires_at: datetime


@dataclass(frozen=True)
class World:
    """Everything the rules decide over, at the decision moment ``now``.

    ``unknown_worker_id`` and ``unknown_site_id`` are ids of no worker and
    no site, asked about like the others.
    """

    now: datetime
    company_ids: tuple[str, ...]
    sites: tuple[Site, ...]
    workers: tuple[Worker, ...]
    employments: tuple[Employment, ...]
    roster_entries: tuple[RosterEntry, ...]
    consents: tuple[Consent, ...]
    actors: tuple[Actor, ...]
    unknown_worker_id: str
    unknown_site_id: str

    @property
    def today(self) -> date:
        return self.now.astimezone(JST).date()

    @property
    def worker_ids(self) -> tuple[str, ...]:
        return (*(w.worker_id for w in self.workers), self.unknown_worker_id)

    @property
    def site_ids(self) -> tuple[str, ...]:
        return (*(s.site_id for s in self.sites), self.unknown_site_id)

    def site(self, site_id: str) -> Site | None:
        return next((s for s in self.sites if s.site_id == site_id), None)

    def describe(self) -> str:
        """Render the world as indented lines, for failure messages."""
        return "\n".join(self._description_lines())

    def _description_lines(self) -> Iterator[str]:
        yield f"now {self.now.isoformat()} (JST date {self.today})"
        yield f"companies {', '.join(self.company_ids)}"
        for site in self.sites:
            tree = ", ".join(
                f"{node.company_id}<{node.parent_company_id or 'prime'}"
                for node in site.nodes
            )
            yield f"site {site.site_id} {site.status}: {tree}"
        for worker in self.workers:
            flags = [
                flag
                for flag, on in (
                    ("erased", worker.erased),
                    ("contact_replaced", worker.contact_replaced),
                )
                if on
            ]
            yield f"worker {worker.worker_id} {' '.join(flags)}".rstrip()
        for e in self.employments:
            yield (
                f"employment {e.employment_id}: worker {e.worker_id} by "
                f"{e.company_id} from {e.start_date} to {e.end_date}"
            )
        for r in self.roster_entries:
            yield (
                f"roster entry {r.entry_id}: worker {r.worker_id} on site "
                f"{r.site_id} for {r.company_id}, entered {r.entry_date}, "
                f"exit {r.exit_date}"
            )
        for c in self.consents:
            yield (
                f"consent {c.consent_id}: worker {c.worker_id} to "
                f"{c.recipient_company_id or 'every company'}, employer "
                f"{c.employer_company_id}, groups {list(c.groups)}, worker "
                f"{c.worker_decision}, employer {c.employer_decision}, revoked "
                f"{c.revoked}, expires {c.expires_at.isoformat()}"
            )
        for actor in self.actors:
            yield f"actor {actor.describe()}"
        yield f"unknown worker {self.unknown_worker_id}"
        yield f"unknown site {self.unknown_site_id}"


def visible_worker(world: World, worker_id: str) -> Worker | None:
    """Return the worker if it exists and is not erased (R5)."""
    for worker in world.workers:
        if worker.worker_id == worker_id and not worker.erased:
            return worker
    return None


def active_employments(world: World, worker_id: str) -> list[Employment]:
    today = world.today
    return [
        e
        for e in world.employments
        if e.worker_id == worker_id and (e.end_date is None or e.end_date >= today)
    ]


def active_employer_ids(world: World, worker_id: str) -> frozenset[str]:
    return frozenset(e.company_id for e in active_employments(world, worker_id))


def disclosures(world: World, actor: Actor, worker_id: str) -> frozenset[Disclosure]:
    """Return every (group, basis kind, basis reference) ``actor`` may see."""
    if visible_worker(world, worker_id) is None:
        return frozenset()
    if actor.kind == "worker":
        if actor.subject != worker_id:
            return frozenset()
        return frozenset((group, "self", worker_id) for group in ALL_GROUPS)
    if actor.kind != "staff" or actor.company_id is None:
        return frozenset()
    return frozenset(
        [
            *_employer_disclosures(world, actor, worker_id),
            *_upper_tier_disclosures(world, actor, worker_id),
            *_consent_disclosures(world, actor, worker_id),
        ]
    )


def _employer_disclosures(
    world: World, actor: Actor, worker_id: str
) -> Iterator[Disclosure]:
    """Apply R2: the employer's base screen, or a site manager's roster."""
    groups: tuple[str, ...]
    if "administrator" in actor.roles or "clerk" in actor.roles:
        groups = BASE_SCREEN
    elif "site_manager" in actor.roles:
        groups = SITE_MANAGER_GROUPS
    else:
        return
    for employment in active_employments(world, worker_id):
        if employment.company_id == actor.company_id:
            for group in groups:
                yield group, "employment", str(employment.employment_id)


def _upper_tier_disclosures(
    world: World, actor: Actor, worker_id: str
) -> Iterator[Disclosure]:
    """Apply R3: companies above a current roster entry on a live site."""
    today = world.today
    for entry in world.roster_entries:
        if entry.worker_id != worker_id:
            continue
        if entry.exit_date is not None and entry.exit_date < today:
            continue
        site = world.site(entry.site_id)
        if site is None or site.status != "live":
            continue
        if actor.company_id in site.ancestors_of(entry.company_id):
            for group in UPPER_TIER_GROUPS:
                yield group, "roster", str(entry.entry_id)


def consent_holds(world: World, consent: Consent) -> bool:
    """Apply R4's conditions on the consent itself, for any recipient."""
    if consent.worker_decision != "approved":
        return False
    if consent.revoked or consent.expires_at <= world.now:
        return False
    if consent.employer_company_id is None:
        return consent.employer_decision != "rejected"
    return (
        consent.employer_decision == "approved"
        and consent.employer_company_id in active_employer_ids(world, consent.worker_id)
    )


def _consent_disclosures(
    world: World, actor: Actor, worker_id: str
) -> Iterator[Disclosure]:
    """Apply R4: the groups of every consent that holds for the actor."""
    for consent in world.consents:
        if consent.worker_id != worker_id:
            continue
        if consent.recipient_company_id not in (None, actor.company_id):
            continue
        if consent_holds(world, consent):
            for group in consent.groups:
                yield group, "consent", str(consent.consent_id)


def shows_company_contact(
    actor: Actor, employer_ids: tuple[str, ...], contact_replaced: bool
) -> bool:
    """Apply R6: whether the employer's contact replaces the worker's.

    Only an actor with a company (staff) has a company to compare. Any other
    actor, the worker included, sees the worker's own contact.
    """
    if actor.company_id is None:
        return False
    return contact_replaced and actor.company_id not in employer_ids


def roster_scope(world: World, actor: Actor, site_id: str) -> Disclosure | None:
    """Apply R7: the roster scope of a site, or None for none."""
    site = world.site(site_id)
    if site is None or site.status != "live" or actor.kind != "staff":
        return None
    if actor.company_id not in site.company_ids:
        return None
    return "subtree", "site_tree", site_id


def subtree_company_ids(world: World, site_id: str, company_id: str) -> frozenset[str]:
    """Return ``company_id`` and every company below it, or nothing if absent."""
    site = world.site(site_id)
    if site is None or company_id not in site.company_ids:
        return frozenset()
    return frozenset(
        c
        for c in site.company_ids
        if c == company_id or company_id in site.ancestors_of(c)
    )


def may_erase(world: World, actor: Actor, worker_id: str) -> bool:
    """Apply R8, after R5: the worker themself or an employer's administrator."""
    if visible_worker(world, worker_id) is None:
        return False
    if actor.kind == "worker":
        return actor.subject == worker_id
    return (
        actor.kind == "staff"
        and "administrator" in actor.roles
        and actor.company_id in active_employer_ids(world, worker_id)
    )


@dataclass(frozen=True)
class ConsentParties:
    worker_id: str
    employer_company_id: str | None
    recipient_company_id: str | None


def may_view_consent(actor: Actor, parties: ConsentParties) -> bool:
    """Apply R9 to viewing a consent."""
    if actor.kind == "worker":
        return actor.subject == parties.worker_id
    if actor.kind != "staff" or actor.company_id is None:
        return False
    if actor.company_id == parties.recipient_company_id:
        return True
    return actor.company_id == parties.employer_company_id and (
        "administrator" in actor.roles or "clerk" in actor.roles
    )


def may_decide_consent(actor: Actor, parties: ConsentParties) -> bool:
    """Apply R9 to approving or rejecting a consent."""
    if actor.kind == "worker":
        return actor.subject == parties.worker_id
    return (
        actor.kind == "staff"
        and actor.company_id is not None
        and actor.company_id == parties.employer_company_id
        and "administrator" in actor.roles
    )


def may_write_touches(actor: Actor, site_id: str) -> bool:
    """Apply R10: a device writes card touches of its own site only."""
    return actor.kind == "device" and actor.site_id == site_id


def may_read_audit_log(actor: Actor) -> bool:
    """Apply R10: only regulators read the audit log."""
    return actor.kind == "regulator"


def may_use_directory(actor: Actor, company_id: str) -> bool:
    """Apply R10: administrators and clerks use their own company's directory."""
    return (
        actor.kind == "staff"
        and actor.company_id == company_id
        and ("administrator" in actor.roles or "clerk" in actor.roles)
    )
