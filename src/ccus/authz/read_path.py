"""The one read path for personal data.

Every read goes: facts from the database, policy decision, decryption of
the permitted groups only, audit rows committed, then the response. A
resource the actor may not read answers 404, so that no caller learns whether it exists.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from ccus.audit.log import AccessContext, AuditDraft, record_read
from ccus.auth.actors import StaffActor
from ccus.authz.engine import Grant, PolicyEngine
from ccus.authz.facts import ContactChoice, WorkerRecord
from ccus.authz.loaders import (
    active_employment_filter,
    discloses_filter,
    employers_by_worker,
    load_site_facts,
    load_worker_record,
    on_roster_filter,
    subtree_company_ids,
)
from ccus.clock import jst_date
from ccus.consent.models import Consent
from ccus.crypto.envelope import DecryptionError, sealed_key_version
from ccus.errors import not_found
from ccus.history.queries import HISTORY_GRANTS, history_rows
from ccus.registry.groups import ALL_GROUPS, ROSTER_SOURCE_GROUPS
from ccus.registry.models import Company, Employment, Worker, WorkerKey
from ccus.registry.vault import ENCRYPTED_GROUPS, WorkerVault, column_of
from ccus.registry.views import company_contact, roster_fields, to_builtins
from ccus.sites.models import RosterEntry


def _basis(grants: list[Grant]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str], list[str]] = {}
    for grant in grants:
        seen.setdefault((grant.basis_kind, grant.basis_ref), []).append(grant.name)
    return [
        {"kind": kind, "ref": ref, "groups": groups}
        for (kind, ref), groups in seen.items()
    ]


class ReadPath:
    """Policy-checked, audited reads of workers and rosters."""

    def __init__(self, engine: PolicyEngine, vault: WorkerVault) -> None:
        self._engine = engine
        self._vault = vault

    def _open_groups(
        self, worker: Worker, keys: dict[int, WorkerKey], groups: set[str]
    ) -> dict[str, Any]:
        """Decrypt ``groups`` of a worker, each under the key version it names.

        Values sealed under different data key versions coexist while a
        re-encryption runs, so the version comes from each value's header.
        """
        data_keys: dict[int, AESGCM] = {}
        opened: dict[str, Any] = {}
        for group in ENCRYPTED_GROUPS:
            if group not in groups:
                continue
            blob = getattr(worker, column_of(group))
            version = sealed_key_version(blob)
            if version not in data_keys:
                key_row = keys.get(version)
                if key_row is None:
                    raise DecryptionError()
                data_keys[version] = AESGCM(self._vault.data_key(key_row))
            opened[group] = self._vault.open_group(
                worker.worker_id, data_keys[version], group, blob
            )
        return opened

    def _deny(
        self, session: Session, context: AccessContext, draft: AuditDraft, kind: str
    ) -> Exception:
        record_read(session, context, [draft])
        return not_found(kind)

    def read_worker(
        self, session: Session, context: AccessContext, worker_id: str
    ) -> dict[str, Any]:
        """Return the field groups of a worker the actor may see.

        Raises:
            ProblemError: 404 when the worker is unknown or nothing is visible.
        """
        exists, record = load_worker_record(session, worker_id, context.now)
        # The policy runs for unknown ids too, so that the time of a 404 does
        # not tell whether the worker exists.
        grants = self._engine.disclosures(context.actor, record)
        if not exists or not grants:
            draft = AuditDraft("read_worker", "worker", "deny", worker_id=worker_id)
            raise self._deny(session, context, draft, "worker")

        body = self._worker_body(session, context, worker_id, record, grants)
        draft = AuditDraft(
            "read_worker",
            "worker",
            "allow",
            worker_id=worker_id,
            field_groups=body["field_groups"],
            basis=_basis(grants),
        )
        record_read(session, context, [draft])
        return body

    def explain(
        self, session: Session, context: AccessContext, worker_id: str
    ) -> dict[str, Any]:
        """Return which groups of a worker the actor may see, and on what basis.

        Nothing of the record itself is read. A worker the actor may see
        nothing of answers 404, like ``read_worker``.

        Raises:
            ProblemError: 404 when the worker is unknown or nothing is visible.
        """
        exists, record = load_worker_record(session, worker_id, context.now)
        grants = self._engine.disclosures(context.actor, record)
        if not exists or not grants:
            draft = AuditDraft("explain_access", "worker", "deny", worker_id=worker_id)
            raise self._deny(session, context, draft, "worker")
        grouped: dict[tuple[str, str | None], list[dict[str, str]]] = {}
        for grant in grants:
            group, scope = _response_group(grant.name)
            grouped.setdefault((group, scope), []).append(
                {"kind": grant.basis_kind, "ref": grant.basis_ref}
            )
        items = [
            {"group": group, "scope": scope, "basis": basis}
            for name in ALL_GROUPS
            for (group, scope), basis in grouped.items()
            if group == name
        ]
        draft = AuditDraft(
            "explain_access",
            "worker",
            "allow",
            worker_id=worker_id,
            basis=_basis(grants),
        )
        record_read(session, context, [draft])
        return {"worker_id": worker_id, "groups": items}

    def read_consented(
        self, session: Session, context: AccessContext, after: str, limit: int
    ) -> dict[str, Any]:
        """Return a page of the workers disclosed to the actor's company by consent.

        The candidates come from SQL with the conditions of the consent rule;
        each is then decided by the policy like a single read, and only the
        groups granted by a consent are shown.
        """
        company_id = context.actor.company_id
        if not isinstance(context.actor, StaffActor) or company_id is None:
            return {"items": [], "next_cursor": None}
        worker_ids = session.scalars(
            consented_workers_query(company_id, context.now, after, limit + 1)
        ).all()
        page, more = list(worker_ids[:limit]), len(worker_ids) > limit
        items, drafts = [], []
        for worker_id in page:
            exists, record = load_worker_record(session, worker_id, context.now)
            grants = [
                grant
                for grant in self._engine.disclosures(context.actor, record)
                if grant.basis_kind == "consent"
            ]
            if not exists or not grants:
                continue
            body = self._worker_body(session, context, worker_id, record, grants)
            items.append(body)
            drafts.append(
                AuditDraft(
                    "list_consented",
                    "worker",
                    "allow",
                    worker_id=worker_id,
                    field_groups=body["field_groups"],
                    basis=_basis(grants),
                )
            )
        record_read(session, context, drafts)
        next_cursor = page[-1] if more and page else None
        return {"items": items, "next_cursor": next_cursor}

    def _worker_body(
        self,
        session: Session,
        context: AccessContext,
        worker_id: str,
        record: WorkerRecord,
        grants: list[Grant],
    ) -> dict[str, Any]:
        """Build the response of a worker from the groups ``grants`` name."""
        today = jst_date(context.now)
        names = {grant.name for grant in grants}
        needed = set(names) | (
            set(ROSTER_SOURCE_GROUPS) if "roster" in names else set()
        )
        worker = session.get(Worker, worker_id)
        keys = _data_keys(session, [worker_id]).get(worker_id, {})
        assert worker is not None
        opened = self._open_groups(worker, keys, needed)
        employments = _employments(session, worker_id)
        active = [e for e in employments if e.end_date is None or e.end_date >= today]
        contact = self._contact_for(
            context, record.employer_ids, record.contact_replaced, opened, session
        )

        history_scopes = names & set(HISTORY_GRANTS)
        body: dict[str, Any] = {"worker_id": worker_id}
        for name in ALL_GROUPS:
            if name == "history" and history_scopes:
                body["history"] = history_rows(
                    session, worker_id, history_scopes, context.actor.company_id
                )
            elif name not in names:
                continue
            elif name == "contact":
                body["contact"] = contact
            elif name in opened:
                body[name] = to_builtins(opened[name])
            elif name == "employment":
                body["employment"] = _employment_view(session, active)
            elif name == "past_employers":
                past = [
                    e
                    for e in employments
                    if e.end_date is not None and e.end_date < today
                ]
                body["past_employers"] = _past_view(session, past)
            elif name == "roster":
                hire = min((e.start_date for e in active), default=None)
                links = {
                    g.basis_ref
                    for g in grants
                    if g.name == "roster" and g.basis_kind == "roster"
                }
                body["roster"] = roster_fields(opened, hire, today, contact)
                body["roster"]["entries"] = _roster_entries(session, links)
        body["field_groups"] = [name for name in ALL_GROUPS if name in body]
        return body

    def _contact_for(
        self,
        context: AccessContext,
        employer_ids: tuple[str, ...],
        replaced: bool,
        opened: dict[str, Any],
        session: Session,
        decided: dict[ContactChoice, bool] | None = None,
    ) -> dict[str, Any]:
        """Return the contact to show: the worker's own or the employer's.

        ``decided`` caches the policy's decision per choice within one list,
        since a page of one site has few distinct employers.
        """
        own = to_builtins(opened["contact"]) if "contact" in opened else {}
        choice = ContactChoice(employer_ids, replaced)
        cache = {} if decided is None else decided
        if choice not in cache:
            cache[choice] = self._engine.shows_company_contact(context.actor, choice)
        if not cache[choice]:
            return dict(own)
        company = session.get(Company, employer_ids[0]) if employer_ids else None
        if company is None:
            return {"postal_code": None, "address": None, "phone": None, "email": None}
        return company_contact(own, company)

    def read_roster(
        self,
        session: Session,
        context: AccessContext,
        site_id: str,
        after: int,
        limit: int,
    ) -> dict[str, Any]:
        """Return one page of the roster entries the actor may list.

        Raises:
            ProblemError: 404 when the site is unknown or not listable.
        """
        today = jst_date(context.now)
        site = load_site_facts(session, site_id)
        scope = self._engine.roster_scope(context.actor, site) if site else None
        if site is None or scope is None or context.actor.company_id is None:
            draft = AuditDraft("list_roster", "roster", "deny", site_id=site_id)
            raise self._deny(session, context, draft, "site roster")

        companies = subtree_company_ids(session, site_id, context.actor.company_id)
        entries = session.scalars(
            select(RosterEntry)
            .where(
                RosterEntry.site_id == site_id,
                RosterEntry.company_id.in_(companies),
                RosterEntry.id > after,
                on_roster_filter(today),
                or_(
                    RosterEntry.company_id == context.actor.company_id,
                    discloses_filter(),
                ),
                # A correlated NOT EXISTS keeps the roster's own index as the
                # driving scan, so a page stops after ``limit`` entries.
                ~exists().where(
                    Worker.worker_id == RosterEntry.worker_id,
                    Worker.erased_at.is_not(None),
                ),
            )
            .order_by(RosterEntry.id)
            .limit(limit + 1)
        ).all()
        page, more = entries[:limit], len(entries) > limit
        worker_ids = [entry.worker_id for entry in page]
        workers = {
            w.worker_id: w
            for w in session.scalars(
                select(Worker).where(Worker.worker_id.in_(worker_ids))
            )
        }
        keys = _data_keys(session, worker_ids)
        employers = employers_by_worker(session, worker_ids, today)
        hires = _hire_dates(session, worker_ids, today)
        items, drafts = [], []
        decided: dict[ContactChoice, bool] = {}
        for entry in page:
            worker = workers[entry.worker_id]
            opened = self._open_groups(
                worker, keys.get(entry.worker_id, {}), set(ROSTER_SOURCE_GROUPS)
            )
            contact = self._contact_for(
                context,
                employers.get(entry.worker_id, ()),
                worker.contact_replaced,
                opened,
                session,
                decided,
            )
            item = {
                "entry_id": entry.id,
                "worker_id": entry.worker_id,
                "company_id": entry.company_id,
                "trade": entry.trade,
                "position": entry.position,
                "entry_date": entry.entry_date.isoformat(),
                "induction_date": entry.induction_date.isoformat(),
            }
            item.update(
                roster_fields(opened, hires.get(entry.worker_id), today, contact)
            )
            items.append(item)
            drafts.append(
                AuditDraft(
                    "list_roster",
                    "roster",
                    "allow",
                    worker_id=entry.worker_id,
                    site_id=site_id,
                    field_groups=["roster"],
                    basis=[
                        {"kind": "roster", "ref": str(entry.id), "groups": ["roster"]},
                        {
                            "kind": scope.basis_kind,
                            "ref": scope.basis_ref,
                            "groups": ["roster"],
                        },
                    ],
                )
            )
        record_read(session, context, drafts)
        next_cursor = str(page[-1].id) if more and page else None
        return {"site_id": site_id, "items": items, "next_cursor": next_cursor}


def _response_group(grant: str) -> tuple[str, str | None]:
    """Return the response group a grant fills, and its scope if narrowed."""
    if grant in HISTORY_GRANTS and grant != "history":
        return "history", grant.removeprefix("history_")
    return grant, None


def consented_workers_query(
    company_id: str, now: datetime, after: str, limit: int
) -> Select[str]:
    """Select workers with a consent in force for ``company_id``, by worker id.

    The conditions are those of the consent rule in the policies; the rule
    still decides each row.
    """
    today = jst_date(now)
    employer_agrees = or_(
        Consent.employer_company_id.is_(None),
        and_(
            Consent.employer_decision == "approved",
            exists().where(
                Employment.worker_id == Consent.worker_id,
                Employment.company_id == Consent.employer_company_id,
                active_employment_filter(today),
            ),
        ),
    )
    return (
        select(Consent.worker_id)
        .join(Worker, Worker.worker_id == Consent.worker_id)
        .where(
            or_(
                Consent.recipient_company_id == company_id,
                Consent.recipient_company_id.is_(None),
            ),
            Consent.worker_id > after,
            Consent.worker_decision == "approved",
            Consent.revoked_at.is_(None),
            Consent.expires_at > now,
            employer_agrees,
            Worker.erased_at.is_(None),
            ~exists().where(
                Employment.worker_id == Consent.worker_id,
                Employment.company_id == company_id,
                active_employment_filter(today),
            ),
        )
        .group_by(Consent.worker_id)
        .order_by(Consent.worker_id)
        .limit(limit)
    )


def _data_keys(
    session: Session, worker_ids: list[str]
) -> dict[str, dict[int, WorkerKey]]:
    """Return every data key version of the given workers."""
    keys: dict[str, dict[int, WorkerKey]] = {}
    rows = session.scalars(select(WorkerKey).where(WorkerKey.worker_id.in_(worker_ids)))
    for row in rows:
        keys.setdefault(row.worker_id, {})[row.version] = row
    return keys


def _employments(session: Session, worker_id: str) -> list[Employment]:
    return list(
        session.scalars(
            select(Employment)
            .where(Employment.worker_id == worker_id)
            .order_by(Employment.start_date)
        )
    )


def _hire_dates(
    session: Session, worker_ids: list[str], today: date
) -> dict[str, date]:
    rows = session.execute(
        select(Employment.worker_id, Employment.start_date).where(
            Employment.worker_id.in_(worker_ids),
            (Employment.end_date.is_(None)) | (Employment.end_date >= today),
        )
    ).all()
    hires: dict[str, date] = {}
    for worker_id, start in rows:
        hires[worker_id] = min(start, hires.get(worker_id, start))
    return hires


def _company_names(session: Session, ids: list[str]) -> dict[str, str]:
    rows = session.execute(
        select(Company.company_id, Company.name).where(Company.company_id.in_(ids))
    )
    return {company_id: name for company_id, name in rows}


def _employment_view(
    session: Session, active: list[Employment]
) -> dict[str, Any] | None:
    if not active:
        return None
    current = active[-1]
    names = _company_names(session, [current.company_id])
    return {
        "employer_id": current.company_id,
        "employer_name": names.get(current.company_id),
        "hire_date": current.start_date.isoformat(),
    }


def _past_view(session: Session, past: list[Employment]) -> list[dict[str, Any]]:
    names = _company_names(session, [e.company_id for e in past])
    return [
        {
            "company_id": e.company_id,
            "company_name": names.get(e.company_id),
            "start_date": e.start_date.isoformat(),
            "end_date": e.end_date.isoformat() if e.end_date else None,
        }
        for e in past
    ]


def _roster_entries(session: Session, entry_ids: set[str]) -> list[dict[str, Any]]:
    ids = [int(entry_id) for entry_id in entry_ids]
    entries = session.scalars(
        select(RosterEntry).where(RosterEntry.id.in_(ids)).order_by(RosterEntry.id)
    )
    return [
        {
            "entry_id": entry.id,
            "site_id": entry.site_id,
            "company_id": entry.company_id,
            "trade": entry.trade,
            "position": entry.position,
            "entry_date": entry.entry_date.isoformat(),
            "induction_date": entry.induction_date.isoformat(),
        }
        for entry in entries
    ]
