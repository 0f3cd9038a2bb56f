"""Import every table so that ``Base.metadata`` is complete."""

from ccus.audit.alerts import AuditAlert, AuditAlertWorker
from ccus.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from ccus.consent.models import Consent
from ccus.db.base import Base
from ccus.demo.models import DemoPersona
from ccus.history.models import CardTouch, WorkHistory
from ccus.oauth.models import OAuthClient
from ccus.registry.models import (
    Company,
    Employment,
    KeyOperation,
    Staff,
    Worker,
    WorkerIndex,
    WorkerKey,
)
from ccus.sites.models import (
    CompanyAgreement,
    RosterEntry,
    Site,
    Subcontract,
    SubcontractPath,
)

__all__ = [
    "AuditAlert",
    "AuditAlertWorker",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "Base",
    "CardTouch",
    "Company",
    "CompanyAgreement",
    "Consent",
    "DemoPersona",
    "Employment",
    "KeyOperation",
    "OAuthClient",
    "RosterEntry",
    "Site",
    "Staff",
    "Subcontract",
    "SubcontractPath",
    "WorkHistory",
    "Worker",
    "WorkerIndex",
    "WorkerKey",
]
