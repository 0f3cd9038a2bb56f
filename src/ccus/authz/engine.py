"""The policy engine: the one module that talks to Oso.

Oso 0.27.3 is no longer developed, so nothing else imports it; replacing
the engine means rewriting this module and the Polar files only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oso import Oso, Variable

from ccus.auth.actors import (
    Actor,
    DeviceActor,
    RegulatorActor,
    StaffActor,
    WorkerActor,
)
from ccus.authz.facts import (
    AuditLog,
    ConsentFact,
    ConsentParties,
    ContactChoice,
    EmploymentFact,
    RosterLink,
    SiteFacts,
    WorkerDirectory,
    WorkerRecord,
)
from ccus.sites.facts import AgreementFact, RosterRegistration, SiteSummaryFacts
from ccus.stats.facts import CompanyStatistics

POLICY_DIR = Path(__file__).resolve().parents[3] / "policies"
_CLASSES = (
    WorkerActor,
    StaffActor,
    RegulatorActor,
    DeviceActor,
    WorkerRecord,
    EmploymentFact,
    RosterLink,
    SiteFacts,
    ContactChoice,
    AuditLog,
    WorkerDirectory,
    ConsentFact,
    ConsentParties,
    CompanyStatistics,
    SiteSummaryFacts,
    AgreementFact,
    RosterRegistration,
)


# Maximum cached ``shows_company_contact`` results before the cache is cleared.
CONTACT_CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Grant:
    """One field group (or list scope) granted, and the basis for it."""

    name: str
    basis_kind: str
    basis_ref: str


class PolicyEngine:
    """Load ``policies/*.polar`` and decide the questions of the read path."""

    # Requests run in worker threads, so one query at a time enters the Polar
    # VM. The lock costs no throughput because a query holds the GIL throughout.

    def __init__(self, policy_dir: Path = POLICY_DIR) -> None:
        files = sorted(policy_dir.glob("*.polar"))
        if not files:
            raise RuntimeError(f"no policy files found in {policy_dir}")
        self._oso = Oso()
        for cls in _CLASSES:
            self._oso.register_class(cls)
        self._oso.load_files([str(path) for path in files])
        self._lock = threading.Lock()
        self._contact_answers: dict[tuple[Actor, ContactChoice], bool] = {}

    def disclosures(self, actor: Actor, record: WorkerRecord) -> list[Grant]:
        """Return every field group ``actor`` may see of ``record``."""
        return self._grants("disclose", actor, record)

    def roster_scope(self, actor: Actor, site: SiteFacts) -> Grant | None:
        """Return the roster entries ``actor`` may list, or None for none."""
        grants = self._grants("roster_scope", actor, site)
        return grants[0] if grants else None

    def shows_company_contact(self, actor: Actor, choice: ContactChoice) -> bool:
        """Return whether ``actor`` sees the employer's contact for ``choice``.

        The answer depends on the actor and the choice alone, and many workers
        share one employer's choice, so answers are kept in a bounded cache.
        """
        key = (actor, choice)
        cached = self._contact_answers.get(key)
        if cached is None:
            cached = self._holds("shows_company_contact", actor, choice)
            if len(self._contact_answers) >= CONTACT_CACHE_SIZE:
                self._contact_answers.clear()
            self._contact_answers[key] = cached
        return cached

    def is_allowed(self, actor: Actor, action: str, resource: Any) -> bool:
        with self._lock:
            return bool(self._oso.is_allowed(actor, action, resource))

    def _grants(self, rule: str, actor: Actor, resource: Any) -> list[Grant]:
        """Collect the answers of ``rule``, one grant per group and basis.

        A rule's answer names one group, or a list of groups sharing a basis.
        """
        grants: dict[Grant, None] = {}
        with self._lock:
            results = self._oso.query_rule(
                rule, actor, resource, Variable("name"), Variable("basis")
            )
            for result in results:
                bindings = result["bindings"]
                kind, ref = bindings["basis"]
                names = bindings["name"]
                for name in names if isinstance(names, list | tuple) else [names]:
                    grants[Grant(name, kind, str(ref))] = None
        return list(grants)

    def _holds(self, rule: str, *args: Any) -> bool:
        with self._lock:
            return bool(self._oso.query_rule_once(rule, *args))
