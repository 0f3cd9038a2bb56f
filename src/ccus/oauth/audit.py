"""Audit events of the authorization server.

Every client authentication (allowed or denied), every issued token and
every revocation becomes an audit entry. The entries name the client by id
and never a worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ccus.audit.log import AuditDraft
from ccus.auth.actors import Actor

CLIENT_AUTHENTICATION = "client_authentication"
ISSUE_TOKEN = "issue_token"  # noqa: S105 - an audit action name
REVOKE_TOKEN = "revoke_token"  # noqa: S105 - an audit action name
AUTHORIZE = "authorize"
REVOKE_GRANT = "revoke_grant"
RESOURCES = {
    CLIENT_AUTHENTICATION: "oauth_client",
    ISSUE_TOKEN: "access_token",
    REVOKE_TOKEN: "access_token",
    AUTHORIZE: "oauth_grant",
    REVOKE_GRANT: "oauth_grant",
}
# The actor id of entries whose client id names no registered client. The
# client id sent is not stored, because it is unverified input that may
# contain anything.
UNKNOWN_CLIENT = "unknown"


@dataclass(frozen=True, slots=True)
class ClientActor(Actor):
    """An OAuth client calling the authorization server, named by client id.

    It is the actor of audit entries only, and no policy decides for it.
    """

    kind = "client"


@dataclass(frozen=True, slots=True)
class OAuthEvent:
    """One audit entry of an OAuth request, before it is written.

    ``client_id`` is None when the request named no registered client.
    ``person`` is the actor of entries a person caused, such as approving a
    client on the consent page; the client is the actor of the others.
    """

    action: str
    decision: str
    client_id: str | None
    basis: list[dict[str, str]] = field(default_factory=list)
    site_id: str | None = None
    person: Actor | None = None

    @property
    def actor(self) -> Actor:
        if self.person is not None:
            return self.person
        name = self.client_id or UNKNOWN_CLIENT
        return ClientActor(subject=name, client_id=name)

    def draft(self) -> AuditDraft:
        return AuditDraft(
            self.action,
            RESOURCES[self.action],
            self.decision,
            site_id=self.site_id,
            basis=[dict(item) for item in self.basis],
        )


def registry_draft(action: str, client_id: str, site_id: str | None) -> AuditDraft:
    """Build the audit entry of a change to the client registry by an operator."""
    return AuditDraft(
        action,
        "oauth_client",
        "allow",
        site_id=site_id,
        basis=[{"kind": "client", "ref": client_id}],
    )
