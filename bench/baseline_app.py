"""A plaintext Litestar app that serves the service's two benchmarked reads.

It runs on the service's stack: Litestar, synchronous SQLAlchemy on SQLite
in the event-loop thread and msgspec JSON. It leaves out the privacy layers,
because the field groups are stored as plain JSON and there is no token
check, policy decision or audit row. Both reads return the same JSON as the
service returns to the employer (worker detail) and to the prime contractor
(roster page), so a benchmark of the two apps measures what the privacy
layers cost.

Run it with ``python -m bench.baseline_app --database FILE --port PORT``
after ``load_baseline`` has filled FILE.
"""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import msgspec
from litestar import Litestar, get
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from sqlalchemy import Engine, text

from ccus.clock import JST
from ccus.db.engine import make_engine
from ccus.demo.dataset import Dataset
from ccus.registry.groups import SEALED_GROUPS, Qualification

# The groups the service discloses to the employer (its base screen), in the
# service's order.
BASE_SCREEN_GROUPS = (
    "identity",
    "contact",
    "emergency_contact",
    "insurance",
    "health",
    "qualifications",
    "career",
    "employment",
    "history",
)
# The typed shapes of the stored groups, in the column order of ``workers``.
GROUP_SHAPES: dict[str, Any] = {
    "identity": SEALED_GROUPS["identity"],
    "contact": SEALED_GROUPS["contact"],
    "emergency_contact": SEALED_GROUPS["emergency_contact"],
    "insurance": SEALED_GROUPS["insurance"],
    "health": SEALED_GROUPS["health"],
    "qualifications": list[Qualification],
    "career": SEALED_GROUPS["career"],
}
ROSTER_QUALIFICATION_KINDS = frozenset(
    {"licence", "skill_training", "special_education"}
)
WORK_DAYS_PER_YEAR = 215
HISTORY_LIMIT = 400
MAX_PAGE = 200

SCHEMA = """
CREATE TABLE companies (
    company_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL
);
CREATE TABLE workers (
    worker_id TEXT PRIMARY KEY,
    identity BLOB NOT NULL,
    contact BLOB NOT NULL,
    emergency_contact BLOB NOT NULL,
    insurance BLOB NOT NULL,
    health BLOB NOT NULL,
    qualifications BLOB NOT NULL,
    career BLOB NOT NULL,
    employer_id TEXT NOT NULL REFERENCES companies (company_id),
    hire_date TEXT NOT NULL,
    contact_replaced INTEGER NOT NULL
);
CREATE TABLE roster_entries (
    id INTEGER PRIMARY KEY,
    site_id TEXT NOT NULL,
    worker_id TEXT NOT NULL REFERENCES workers (worker_id),
    company_id TEXT NOT NULL REFERENCES companies (company_id),
    trade TEXT NOT NULL,
    position TEXT,
    entry_date TEXT NOT NULL,
    induction_date TEXT NOT NULL,
    exit_date TEXT
);
CREATE INDEX ix_roster_entries_site_id ON roster_entries (site_id, id);
CREATE TABLE work_history (
    worker_id TEXT NOT NULL REFERENCES workers (worker_id),
    site_id TEXT NOT NULL,
    work_date TEXT NOT NULL,
    employer_id TEXT NOT NULL,
    tier INTEGER NOT NULL,
    trade TEXT NOT NULL,
    position TEXT,
    entry_at TEXT,
    exit_at TEXT
);
CREATE INDEX ix_work_history_worker_date ON work_history (worker_id, work_date);
"""

DETAIL_SQL = text(
    """
    SELECT w.identity, w.contact, w.emergency_contact, w.insurance, w.health,
           w.qualifications, w.career, w.employer_id, c.name AS employer_name,
           w.hire_date
    FROM workers AS w JOIN companies AS c ON c.company_id = w.employer_id
    WHERE w.worker_id = :worker_id
    """
)
HISTORY_SQL = text(
    """
    SELECT work_date, site_id, employer_id, tier, trade, position, entry_at, exit_at
    FROM work_history
    WHERE worker_id = :worker_id AND employer_id = :employer_id
    ORDER BY work_date DESC
    LIMIT :limit
    """
)
ROSTER_SQL = text(
    """
    SELECT r.id, r.worker_id, r.company_id, r.trade, r.position, r.entry_date,
           r.induction_date, w.identity, w.contact, w.emergency_contact,
           w.insurance, w.health, w.qualifications, w.career, w.hire_date,
           w.contact_replaced, c.address AS company_address,
           c.phone AS company_phone
    FROM roster_entries AS r
    JOIN workers AS w ON w.worker_id = r.worker_id
    JOIN companies AS c ON c.company_id = w.employer_id
    WHERE r.site_id = :site_id
      AND r.id > :after
      AND (r.exit_date IS NULL OR r.exit_date >= :today)
    ORDER BY r.id
    LIMIT :limit
    """
)


class HistoryRow(NamedTuple):
    """One work history record, with dates and times as ISO 8601 text."""

    worker_id: str
    site_id: str
    work_date: str
    employer_id: str
    tier: int
    trade: str
    position: str | None
    entry_at: str | None
    exit_at: str | None


# Partial shapes of the stored groups: msgspec skips the fields a roster
# item does not show, which is faster than decoding whole dicts.
class _Identity(msgspec.Struct):
    name: str
    name_kana: str
    birth_date: str


class _Contact(msgspec.Struct):
    address: str
    phone: str


class _EmergencyContact(msgspec.Struct):
    name: str
    phone: str


class _Insurance(msgspec.Struct):
    health_insurance_kind: str
    health_insurance_status: str
    pension_kind: str
    pension_status: str
    employment_insurance_status: str
    kentaikyo_member: bool
    chutaikyo_member: bool


class _Qualification(msgspec.Struct):
    kind: str
    name: str
    acquired_on: str


class _Trade(msgspec.Struct):
    work_days: int


class _Career(msgspec.Struct):
    trades: list[_Trade]


_identity = msgspec.json.Decoder(_Identity)
_contact = msgspec.json.Decoder(_Contact)
_emergency = msgspec.json.Decoder(_EmergencyContact)
_insurance = msgspec.json.Decoder(_Insurance)
_qualifications = msgspec.json.Decoder(list[_Qualification])
_career = msgspec.json.Decoder(_Career)


def _age_on(birth_date: str, today: date) -> int:
    month, day = int(birth_date[5:7]), int(birth_date[8:10])
    return (
        today.year - int(birth_date[:4]) - int((today.month, today.day) < (month, day))
    )


def _roster_item(row: Any, today: date) -> dict[str, Any]:
    identity = _identity.decode(row.identity)
    if row.contact_replaced:
        address, phone = row.company_address, row.company_phone
    else:
        contact = _contact.decode(row.contact)
        address, phone = contact.address, contact.phone
    emergency = _emergency.decode(row.emergency_contact)
    insurance = _insurance.decode(row.insurance)
    work_days = max(
        (trade.work_days for trade in _career.decode(row.career).trades), default=0
    )
    return {
        "entry_id": row.id,
        "worker_id": row.worker_id,
        "company_id": row.company_id,
        "trade": row.trade,
        "position": row.position,
        "entry_date": row.entry_date,
        "induction_date": row.induction_date,
        "name": identity.name,
        "name_kana": identity.name_kana,
        "birth_date": identity.birth_date,
        "age": _age_on(identity.birth_date, today),
        "hire_date": row.hire_date,
        "years_of_experience": work_days // WORK_DAYS_PER_YEAR,
        "address": address,
        "phone": phone,
        "emergency_contact": {"name": emergency.name, "phone": emergency.phone},
        # The stored health group has exactly the roster's fields, in order.
        "health": msgspec.Raw(row.health),
        "insurance": {
            "health_insurance_kind": insurance.health_insurance_kind,
            "health_insurance_status": insurance.health_insurance_status,
            "pension_kind": insurance.pension_kind,
            "pension_status": insurance.pension_status,
            "employment_insurance_status": insurance.employment_insurance_status,
            "kentaikyo_member": insurance.kentaikyo_member,
            "chutaikyo_member": insurance.chutaikyo_member,
        },
        "qualifications": [
            {"kind": item.kind, "name": item.name, "acquired_on": item.acquired_on}
            for item in _qualifications.decode(row.qualifications)
            if item.kind in ROSTER_QUALIFICATION_KINDS
        ],
    }


def create_app(database: Path) -> Litestar:
    """Build the baseline app over a database that ``load_baseline`` filled."""
    engine: Engine = make_engine(f"sqlite:///{database}")

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    @get("/workers/{worker_id:str}", sync_to_thread=False)
    def read_worker(worker_id: str) -> dict[str, Any]:
        with engine.connect() as connection:
            row = connection.execute(DETAIL_SQL, {"worker_id": worker_id}).first()
            if row is None:
                raise NotFoundException(f"worker {worker_id} not found")
            # The service discloses to the employer only the days worked for it.
            history = connection.execute(
                HISTORY_SQL,
                {
                    "worker_id": worker_id,
                    "employer_id": row.employer_id,
                    "limit": HISTORY_LIMIT,
                },
            ).all()
        # The group columns hold JSON already, so they go out without decoding.
        body: dict[str, Any] = {
            "worker_id": worker_id,
            "identity": msgspec.Raw(row.identity),
            "contact": msgspec.Raw(row.contact),
            "emergency_contact": msgspec.Raw(row.emergency_contact),
            "insurance": msgspec.Raw(row.insurance),
            "health": msgspec.Raw(row.health),
            "qualifications": msgspec.Raw(row.qualifications),
            "career": msgspec.Raw(row.career),
            "employment": {
                "employer_id": row.employer_id,
                "employer_name": row.employer_name,
                "hire_date": row.hire_date,
            },
            "history": [
                {
                    "date": record.work_date,
                    "site_id": record.site_id,
                    "employer_id": record.employer_id,
                    "tier": record.tier,
                    "trade": record.trade,
                    "position": record.position,
                    "entry_at": record.entry_at,
                    "exit_at": record.exit_at,
                }
                for record in history
            ],
            "field_groups": BASE_SCREEN_GROUPS,
        }
        return body

    @get("/sites/{site_id:str}/roster", sync_to_thread=False)
    def list_roster(
        site_id: str,
        after: Annotated[int, QueryParameter(ge=0)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 50,
    ) -> dict[str, Any]:
        today = datetime.now(JST).date()
        parameters = {
            "site_id": site_id,
            "after": after,
            "today": today.isoformat(),
            "limit": limit + 1,
        }
        with engine.connect() as connection:
            rows = connection.execute(ROSTER_SQL, parameters).all()
        page = rows[:limit]
        more = len(rows) > limit
        return {
            "site_id": site_id,
            "items": [_roster_item(row, today) for row in page],
            "next_cursor": str(page[-1].id) if more and page else None,
        }

    return Litestar(
        route_handlers=[health, read_worker, list_roster],
        debug=False,
        logging_config=None,
    )


def group_json(groups: dict[str, Any]) -> dict[str, bytes]:
    """Encode each group as the service's vault does before sealing it.

    The round trip through the group's typed shape fills defaults and fixes
    the key order, so the JSON equals the plaintext inside the ciphertexts.
    """
    return {
        group: msgspec.json.encode(
            msgspec.json.decode(msgspec.json.encode(groups[group]), type=shape)
        )
        for group, shape in GROUP_SHAPES.items()
    }


def load_baseline(path: Path, dataset: Dataset, history: Iterable[HistoryRow]) -> None:
    """Create the baseline database at ``path`` and fill it from ``dataset``.

    Work history records are derived from card touches by the service's
    ingestion, so the caller passes the rows it read from the service's
    database. Roster entries are inserted in the data set's order, which
    gives them the same ids as the service's load.

    Raises:
        FileExistsError: ``path`` already exists.
    """
    if path.exists():
        raise FileExistsError(f"baseline database {path} already exists")
    connection = sqlite3.connect(path)
    try:
        connection.executescript(SCHEMA)
        connection.executemany(
            "INSERT INTO companies VALUES (?, ?, ?, ?)",
            (
                (company.company_id, company.name, company.address, company.phone)
                for company in dataset.companies
            ),
        )
        connection.executemany(
            "INSERT INTO workers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    worker.worker_id,
                    *group_json(worker.groups).values(),
                    worker.employer_id,
                    worker.hire_date.isoformat(),
                    0,
                )
                for worker in dataset.workers
            ),
        )
        connection.executemany(
            "INSERT INTO roster_entries (site_id, worker_id, company_id, trade, "
            "position, entry_date, induction_date, exit_date) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    entry.site_id,
                    entry.worker_id,
                    entry.company_id,
                    entry.trade,
                    entry.position,
                    entry.entry_date.isoformat(),
                    entry.induction_date.isoformat(),
                    entry.exit_date.isoformat() if entry.exit_date else None,
                )
                for entry in dataset.roster
            ),
        )
        connection.executemany(
            "INSERT INTO work_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", history
        )
        connection.commit()
        connection.execute("ANALYZE")
    finally:
        connection.close()


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True, help="SQLite file.")
    parser.add_argument("--host", default="127.0.0.1", help="Address to bind.")
    parser.add_argument("--port", type=int, default=8001, help="TCP port to bind.")
    args = parser.parse_args()
    if not args.database.is_file():
        parser.error(f"database {args.database} not found; run bench.run to build it")
    uvicorn.run(
        create_app(args.database),
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
