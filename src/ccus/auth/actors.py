"""The actors a verified token can stand for.

Each kind of actor is its own class so that policies can match on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Actor:
    """Common fields of every actor.

    ``subject`` is the worker id, staff id, regulator id or device client id;
    ``client_id`` is the software the request came through.
    """

    subject: str
    client_id: str
    scopes: frozenset[str] = field(default_factory=frozenset)

    kind = "actor"
    company_id: str | None = None


@dataclass(frozen=True, slots=True)
class WorkerActor(Actor):
    """A worker acting for themself; ``subject`` is their worker id."""

    kind = "worker"

    @property
    def worker_id(self) -> str:
        return self.subject


@dataclass(frozen=True, slots=True)
class StaffActor(Actor):
    """A person acting for a company, with the roles the company gave."""

    roles: tuple[str, ...] = ()
    kind = "staff"


@dataclass(frozen=True, slots=True)
class RegulatorActor(Actor):
    """An auditor of the regulator: reads the audit log only."""

    kind = "regulator"


@dataclass(frozen=True, slots=True)
class DeviceActor(Actor):
    """An entry/exit system bound to one site: writes card touches only."""

    site_id: str = ""
    kind = "device"


@dataclass(frozen=True, slots=True)
class OperatorActor(Actor):
    """A person running a ``ccus`` command on the server, named by login."""

    kind = "operator"
