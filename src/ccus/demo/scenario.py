"""Scripted access for the demo: a week of site work and a poaching pattern.

Both run through the service's read path with the times given here, so the
demo's audit log and alerts come from the same code as live requests:

- ordinary site work, Monday 2026-11-16 to Saturday 2026-11-21. By day the
  employer opens the records of up to 20 of its workers, and the live
  site's prime contractor lists the roster twice. It raises no alert.
- the poaching pattern, on the night of Saturday 2026-11-21: the prime's
  staff open the profiles of 120 other companies' workers on the roster,
  one every 20 seconds from 23:00 JST, and an unrelated company tries six
  times to read the target worker. It raises ``bulk_views``,
  ``contact_harvest`` and ``night_bulk`` for the prime and
  ``after_end_attempts`` for the unrelated company.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from ccus.audit.log import AccessContext
from ccus.auth.actors import Actor
from ccus.demo.load import read_personas
from ccus.demo.personas import persona_actor
from ccus.errors import ProblemError
from ccus.registry.models import Employment
from ccus.services import Services
from ccus.sites.models import RosterEntry

WEEK_START = datetime.fromisoformat("2026-11-16T09:00:00+09:00")
POACHING_NIGHT = datetime.fromisoformat("2026-11-21T23:00:00+09:00")
POACHED_PROFILES = 120
DENIED_ATTEMPTS = 6
SCENARIO_CLIENT = "demo-contractor-app"


def _context(services: Services, actor: Actor, at: datetime) -> AccessContext:
    return AccessContext(
        actor=actor,
        request_id=f"demo-{uuid.uuid4().hex}",
        now=at,
        chain=services.audit_chain,
        purpose="demo_scenario",
        detectors=services.detectors,
    )


def _read(services: Services, actor: Actor, worker_id: str, at: datetime) -> bool:
    with services.session() as session:
        try:
            services.read_path.read_worker(
                session, _context(services, actor, at), worker_id
            )
        except ProblemError:
            return False
    return True


def ordinary_week(services: Services) -> int:
    """Replay six working days of ordinary site work; return the reads made."""
    with services.session() as session:
        personas = read_personas(session)
        employer = persona_actor(session, personas, "employer")
        prime = persona_actor(session, personas, "prime")
        own = list(
            session.scalars(
                select(Employment.worker_id).where(
                    Employment.company_id == employer.company_id,
                    Employment.end_date.is_(None),
                )
            )
        )
    reads = 0
    for day in range(6):
        morning = WEEK_START + timedelta(days=day)
        for number, worker_id in enumerate(own[:20]):
            reads += _read(
                services, employer, worker_id, morning + timedelta(minutes=number)
            )
        for hour in (0, 4):
            after = 0
            while True:
                with services.session() as session:
                    context = _context(services, prime, morning + timedelta(hours=hour))
                    page = services.read_path.read_roster(
                        session, context, personas["site_id"], after, 50
                    )
                reads += len(page["items"])
                if page["next_cursor"] is None:
                    break
                after = int(page["next_cursor"])
    return reads


def poaching_pattern(services: Services) -> int:
    """Replay the scripted poaching pattern; return the profiles opened."""
    with services.session() as session:
        personas = read_personas(session)
        prime = persona_actor(session, personas, "prime")
        outsider = persona_actor(session, personas, "outsider")
        others = list(
            session.scalars(
                select(RosterEntry.worker_id)
                .where(
                    RosterEntry.site_id == personas["site_id"],
                    RosterEntry.company_id != prime.company_id,
                    RosterEntry.exit_date.is_(None),
                )
                .order_by(RosterEntry.id)
                .limit(POACHED_PROFILES)
            )
        )
    opened = 0
    for number, worker_id in enumerate(others):
        at = POACHING_NIGHT + timedelta(seconds=20 * number)
        opened += _read(services, prime, worker_id, at)
    for attempt in range(DENIED_ATTEMPTS):
        at = POACHING_NIGHT + timedelta(minutes=5 * attempt)
        _read(services, outsider, personas["worker"], at)
    return opened
