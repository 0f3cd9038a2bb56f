"""Poaching detectors: rules over the audit entries as they are written.

Each rule counts one company's reads of other companies' workers in a time
window and raises an alert when the count reaches the rule's threshold:

- ``bulk_views``: profile reads of many workers within an hour. Roster
  pages do not count: listing its site's roster is a site company's daily
  work, and its basis (the site's tree) explains it.
- ``contact_harvest``: profile reads that disclose roster or contact fields
  of many workers within a day.
- ``after_end_attempts``: repeated denied reads within a day.
- ``night_bulk``: many reads at night (22:00-05:00 JST) or on a Sunday or
  Japanese public holiday.
- ``proxy_browsing``: one read, allowed or denied, of a worker's profile by
  a company that put that worker on a site's roster under an
  inter-company agreement (proxy registration) in the previous 90 days.
  The agreement grants no reading, and using it to open lower-tier
  workers' records is an abuse of a dominant position, so a single read
  fires. The alert's evidence includes the registration entries.

An alert fires once per rule, company and window. Counts live in a
``DetectorStore``: Redis when several API processes run, so that they share
one window, or an in-process store for the single-process embedded default.
Stores hold company ids, worker ids and audit entry sequence numbers only.

NOTE: searches across other companies' workers by trade, level or
qualification would be a further signal of poaching, but no feature of the
service produces them yet.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import redis
from sqlalchemy.orm import Session

from ccus.audit.alerts import AuditAlert
from ccus.authz.loaders import employers_by_worker
from ccus.clock import JST, jst_date
from ccus.holidays import HOLIDAYS

logger = logging.getLogger(__name__)

READ_ACTIONS = frozenset({"read_worker", "list_roster"})
PROXY_REGISTRATION_ACTION = "register_roster_entry"
# Field groups whose disclosure gives a way to reach the worker directly.
CONTACT_GROUPS = frozenset({"roster", "contact"})

# Site management opens a few workers' profiles at a time. More than 100
# other companies' workers' profiles in one hour is a sweep.
BULK_VIEWS_MIN_WORKERS = 101
BULK_VIEWS_WINDOW = timedelta(hours=1)
# A prime checks a few subcontractors' workers one by one per day, so 31 or
# more individual profiles with contact data in a day is a harvest.
CONTACT_HARVEST_MIN_WORKERS = 31
CONTACT_HARVEST_WINDOW = timedelta(hours=24)
# A mistyped id or a just-ended roster entry gives one or two denials. Five in
# a day is probing for workers the company has no basis to see.
AFTER_END_MIN_DENIALS = 5
AFTER_END_WINDOW = timedelta(hours=24)
# Site work happens by day on working days. More than 20 reads of other
# companies' workers in one night or day off is a bulk read out of sight.
NIGHT_BULK_MIN_READS = 21
NIGHT_BULK_WINDOW = timedelta(hours=24)
NIGHT_STARTS_HOUR = 22
NIGHT_ENDS_HOUR = 5
# An agreement never grants reading, so one read of a proxy-registered worker
# fires, and the alert repeats at most once a day per company. A registration
# counts for 90 days, so that browsing weeks after the entry still links to it.
# NOTE: the 90 days are a chosen value, not one derived from observed abuse.
PROXY_BROWSING_MIN_WORKERS = 1
PROXY_BROWSING_WINDOW = timedelta(hours=24)
PROXY_REGISTRATION_MEMORY = timedelta(days=90)
# An alert keeps the latest entries as evidence, so its row stays small.
EVIDENCE_LIMIT = 200
# Keys outlive their window by this margin so that late entries still count.
EXPIRY_MARGIN_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Rule:
    """A named rule: the count that fires it, over how long, and of what."""

    name: str
    min_count: int
    window: timedelta
    counts_workers: bool


BULK_VIEWS = Rule("bulk_views", BULK_VIEWS_MIN_WORKERS, BULK_VIEWS_WINDOW, True)
CONTACT_HARVEST = Rule(
    "contact_harvest", CONTACT_HARVEST_MIN_WORKERS, CONTACT_HARVEST_WINDOW, True
)
AFTER_END_ATTEMPTS = Rule(
    "after_end_attempts", AFTER_END_MIN_DENIALS, AFTER_END_WINDOW, False
)
NIGHT_BULK = Rule("night_bulk", NIGHT_BULK_MIN_READS, NIGHT_BULK_WINDOW, False)
PROXY_BROWSING = Rule(
    "proxy_browsing", PROXY_BROWSING_MIN_WORKERS, PROXY_BROWSING_WINDOW, True
)
RULES = (BULK_VIEWS, CONTACT_HARVEST, AFTER_END_ATTEMPTS, NIGHT_BULK, PROXY_BROWSING)
RULE_NAMES = tuple(rule.name for rule in RULES)


@dataclass(frozen=True, slots=True)
class WindowView:
    """The start of a window and its latest members with their scores."""

    first_score: float
    latest: list[tuple[str, float]]


class DetectorStoreError(Exception):
    """The detector store failed; the message names the operation."""


class DetectorStore(Protocol):
    """Sliding windows of members scored by time, and alert claims.

    Scores are POSIX timestamps of the audit entries, not of the wall clock,
    so windows follow the time the reads happened. Expiry uses the wall clock
    and only frees keys that no longer receive entries.
    """

    def record(
        self,
        key: str,
        members: Mapping[str, float],
        window_start: float,
        ttl_seconds: int,
    ) -> int:
        """Add members, drop those scored before ``window_start``, return the count.

        A member added again keeps the later of its two scores.
        """
        ...

    def window(self, key: str, window_start: float, limit: int) -> WindowView | None:
        """Return the first score and the latest ``limit`` members, oldest first."""
        ...

    def claim(
        self, key: str, at: float, window_seconds: float, ttl_seconds: int
    ) -> bool:
        """Record an alert at ``at`` unless one was recorded within the window."""
        ...


class MemoryStore:
    """A thread-safe store inside one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sets: dict[str, dict[str, float]] = {}
        self._claims: dict[str, float] = {}
        self._expires: dict[str, float] = {}

    def record(
        self,
        key: str,
        members: Mapping[str, float],
        window_start: float,
        ttl_seconds: int,
    ) -> int:
        with self._lock:
            self._expire()
            scores = self._sets.setdefault(key, {})
            for member, score in members.items():
                scores[member] = max(score, scores.get(member, score))
            for member in [m for m, score in scores.items() if score < window_start]:
                del scores[member]
            self._expires[key] = time.monotonic() + ttl_seconds
            return len(scores)

    def window(self, key: str, window_start: float, limit: int) -> WindowView | None:
        with self._lock:
            scores = self._sets.get(key, {})
            inside = sorted(
                (score, member)
                for member, score in scores.items()
                if score >= window_start
            )
        if not inside:
            return None
        latest = [(member, score) for score, member in inside[-limit:]]
        return WindowView(inside[0][0], latest)

    def claim(
        self, key: str, at: float, window_seconds: float, ttl_seconds: int
    ) -> bool:
        with self._lock:
            self._expire()
            last = self._claims.get(key)
            if last is not None and at < last + window_seconds:
                return False
            self._claims[key] = at
            self._expires[key] = time.monotonic() + ttl_seconds
            return True

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, deadline in self._expires.items() if deadline < now]:
            del self._expires[key]
            self._sets.pop(key, None)
            self._claims.pop(key, None)


# Compares and sets in one step, so that two processes cannot both claim.
_CLAIM_SCRIPT = """
local last = redis.call('GET', KEYS[1])
if last and tonumber(ARGV[1]) < tonumber(last) + tonumber(ARGV[2]) then
    return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""


class RedisStore:
    """A store in Redis sorted sets, shared by every API process."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._claim = client.register_script(_CLAIM_SCRIPT)

    @classmethod
    def from_url(cls, url: str) -> RedisStore:
        return cls(redis.Redis.from_url(url, socket_timeout=2))

    def record(
        self,
        key: str,
        members: Mapping[str, float],
        window_start: float,
        ttl_seconds: int,
    ) -> int:
        try:
            pipeline = self._client.pipeline(transaction=True)
            if members:
                pipeline.zadd(key, dict(members), gt=True)
            pipeline.zremrangebyscore(key, "-inf", f"({window_start}")
            pipeline.zcard(key)
            pipeline.expire(key, ttl_seconds)
            results = pipeline.execute()
        except redis.RedisError as error:
            raise DetectorStoreError(f"record on {key} failed: {error}") from error
        return int(results[-2])

    def window(self, key: str, window_start: float, limit: int) -> WindowView | None:
        try:
            first = self._client.zrangebyscore(
                key, window_start, "+inf", start=0, num=1, withscores=True
            )
            latest = self._client.zrevrangebyscore(
                key, "+inf", window_start, start=0, num=limit, withscores=True
            )
        except redis.RedisError as error:
            raise DetectorStoreError(f"window on {key} failed: {error}") from error
        if not first:
            return None
        # With withscores=True each item is a (member, score) pair.
        members = [(_text(item[0]), float(item[1])) for item in latest]
        return WindowView(float(first[0][1]), members[::-1])

    def claim(
        self, key: str, at: float, window_seconds: float, ttl_seconds: int
    ) -> bool:
        try:
            result = self._claim(keys=[key], args=[at, window_seconds, ttl_seconds])
        except redis.RedisError as error:
            raise DetectorStoreError(f"claim on {key} failed: {error}") from error
        return bool(result)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(slots=True)
class AlertDraft:
    """One alert before it is written."""

    rule: str
    company_id: str
    client_id: str
    workers: int
    first_at: datetime
    last_at: datetime
    evidence: list[int]
    created_at: datetime

    def to_row(self) -> AuditAlert:
        return AuditAlert(
            rule=self.rule,
            company_id=self.company_id,
            client_id=self.client_id,
            workers=self.workers,
            first_at=self.first_at,
            last_at=self.last_at,
            evidence=self.evidence,
            created_at=self.created_at,
        )


def off_hours_period(moment: datetime) -> str | None:
    """Name the night or day off that ``moment`` falls in, or None by working day.

    A night runs from 22:00 to 05:00 JST and is named by the evening's date.
    NOTE: the holiday calendar covers 2026 and 2027 only. On other dates only
    Sundays and nights count as off hours.
    """
    local = moment.astimezone(JST)
    if local.hour >= NIGHT_STARTS_HOUR:
        return f"night-{local.date().isoformat()}"
    if local.hour < NIGHT_ENDS_HOUR:
        return f"night-{(local.date() - timedelta(days=1)).isoformat()}"
    if _day_off(local.date()):
        return f"day-{local.date().isoformat()}"
    return None


def _day_off(day: date) -> bool:
    return day.weekday() == 6 or day in HOLIDAYS


class PoachingDetectors:
    """Apply every rule to audit entries and return the alerts that fire."""

    def __init__(self, store: DetectorStore, prefix: str = "ccus:detect") -> None:
        self._store = store
        self._prefix = prefix
        self._failures = 0

    def observe(
        self, session: Session, entries: list[dict[str, Any]]
    ) -> list[AlertDraft]:
        """Count ``entries`` (as written by ``write_events``) and return new alerts.

        A failing store is logged and yields no alerts, so that detection never
        blocks a read. NOTE: counts and claims are recorded before the caller
        commits, so a read whose transaction rolls back still counts, and an
        alert rolled back with it is not raised again in that window.
        """
        staff = [
            entry
            for entry in entries
            if entry["actor_kind"] == "staff" and entry["actor_company_id"]
        ]
        reads = [entry for entry in staff if entry["action"] in READ_ACTIONS]
        registrations = [entry for entry in staff if _is_proxy_registration(entry)]
        if not reads and not registrations:
            return []
        try:
            self._remember_registrations(registrations)
        except DetectorStoreError as error:
            self._log_failure(PROXY_BROWSING, error)
            return []
        if not reads:
            return []
        worker_ids = sorted({e["worker_id"] for e in reads if e["worker_id"]})
        today = jst_date(reads[0]["occurred_at"])
        employers = employers_by_worker(session, worker_ids, today)
        batches: dict[tuple[Rule, str, str], list[dict[str, Any]]] = defaultdict(list)
        for entry in reads:
            for rule, scope in _matching_rules(entry, employers):
                batches[(rule, entry["actor_company_id"], scope)].append(entry)
        alerts: list[AlertDraft] = []
        try:
            registered = self._proxy_registered(reads, employers, batches)
        except DetectorStoreError as error:
            self._log_failure(PROXY_BROWSING, error)
            return []
        for (rule, company_id, scope), matched in batches.items():
            try:
                alert = self._count(
                    rule, company_id, scope, matched, registered.get(company_id)
                )
            except DetectorStoreError as error:
                self._log_failure(rule, error)
                return []
            if alert is not None:
                alerts.append(alert)
        return alerts

    def _log_failure(self, rule: Rule, error: DetectorStoreError) -> None:
        self._failures += 1
        logger.error(
            "poaching detector store failed",
            extra={"rule": rule.name, "failures": self._failures},
            exc_info=error,
        )

    def _registration_key(self, company_id: str, worker_id: str) -> str:
        return (
            f"{self._prefix}:{PROXY_BROWSING.name}:{company_id}:registered:{worker_id}"
        )

    def _remember_registrations(self, registrations: list[dict[str, Any]]) -> None:
        """Store each proxy registration's entry under its company and worker."""
        memory = PROXY_REGISTRATION_MEMORY.total_seconds()
        ttl = int(memory) + EXPIRY_MARGIN_SECONDS
        for entry in registrations:
            at = entry["occurred_at"].timestamp()
            key = self._registration_key(entry["actor_company_id"], entry["worker_id"])
            self._store.record(key, {str(entry["seq"]): at}, at - memory, ttl)

    def _proxy_registered(
        self,
        reads: list[dict[str, Any]],
        employers: Mapping[str, tuple[str, ...]],
        batches: dict[tuple[Rule, str, str], list[dict[str, Any]]],
    ) -> dict[str, dict[str, float]]:
        """Add the profile reads of proxy-registered workers to ``batches``.

        A read of the company's own worker does not count. Returns, by
        company, the registration entries of the workers read, scored by time,
        for the alert's evidence.
        """
        memory = PROXY_REGISTRATION_MEMORY.total_seconds()
        registered: dict[str, dict[str, float]] = defaultdict(dict)
        for entry in reads:
            company_id, worker_id = entry["actor_company_id"], entry["worker_id"]
            if entry["action"] != "read_worker" or worker_id is None:
                continue
            if company_id in employers.get(worker_id, ()):
                continue
            at = entry["occurred_at"].timestamp()
            view = self._store.window(
                self._registration_key(company_id, worker_id),
                at - memory,
                EVIDENCE_LIMIT,
            )
            if view is None:
                continue
            batches[(PROXY_BROWSING, company_id, "")].append(entry)
            registered[company_id].update(view.latest)
        return registered

    def _count(
        self,
        rule: Rule,
        company_id: str,
        scope: str,
        entries: list[dict[str, Any]],
        cause: Mapping[str, float] | None = None,
    ) -> AlertDraft | None:
        """Count ``entries`` in the rule's window and return an alert if it fires.

        ``cause`` contains earlier entries (sequence number to time) that explain
        why the entries count, such as the proxy registrations behind
        ``proxy_browsing``. They join the evidence without being counted.
        """
        key = f"{self._prefix}:{rule.name}:{company_id}"
        window_seconds = rule.window.total_seconds()
        latest = max(entry["occurred_at"] for entry in entries)
        at = latest.timestamp()
        if scope:
            # A night or day off is its own window, counted from its start.
            key = f"{key}:{scope}"
            window_start = 0.0
        else:
            window_start = at - window_seconds
        ttl = int(window_seconds) + EXPIRY_MARGIN_SECONDS
        workers = {
            entry["worker_id"]: entry["occurred_at"].timestamp()
            for entry in entries
            if entry["worker_id"]
        }
        seqs = {
            str(entry["seq"]): entry["occurred_at"].timestamp() for entry in entries
        }

        worker_count = self._store.record(f"{key}:workers", workers, window_start, ttl)
        entry_count = self._store.record(f"{key}:entries", seqs, window_start, ttl)
        count = worker_count if rule.counts_workers else entry_count
        if count < rule.min_count:
            return None
        if not self._store.claim(f"{key}:alert", at, window_seconds, ttl):
            return None

        view = self._store.window(f"{key}:entries", window_start, EVIDENCE_LIMIT)
        scored = dict(cause or {})
        if view is not None:
            scored.update(view.latest)
        first_score = min(
            [*(cause or {}).values(), *([] if view is None else [view.first_score])],
            default=at,
        )
        first_at = datetime.fromtimestamp(first_score, UTC)
        latest_entries = sorted(scored.items(), key=lambda item: item[1])
        evidence = [int(member) for member, _ in latest_entries[-EVIDENCE_LIMIT:]]
        client_id = next(e["client_id"] for e in entries if e["occurred_at"] == latest)
        return AlertDraft(
            rule=rule.name,
            company_id=company_id,
            client_id=client_id,
            workers=worker_count,
            first_at=first_at,
            last_at=latest,
            evidence=sorted(evidence),
            created_at=latest,
        )


def _is_proxy_registration(entry: dict[str, Any]) -> bool:
    """Return whether ``entry`` put a worker on a roster under an agreement."""
    return (
        entry["action"] == PROXY_REGISTRATION_ACTION
        and entry["decision"] == "allow"
        and entry["worker_id"] is not None
        and any(basis.get("kind") == "agreement" for basis in entry["basis"])
    )


def _matching_rules(
    entry: dict[str, Any], employers: Mapping[str, tuple[str, ...]]
) -> list[tuple[Rule, str]]:
    """Return the rules ``entry`` counts for, each with its window scope."""
    if entry["decision"] == "deny":
        return [(AFTER_END_ATTEMPTS, "")]
    worker_id = entry["worker_id"]
    if worker_id is None or entry["actor_company_id"] in employers.get(worker_id, ()):
        return []
    profile = entry["action"] == "read_worker"
    rules = [(BULK_VIEWS, "")] if profile else []
    if profile and CONTACT_GROUPS & set(entry["field_groups"]):
        rules.append((CONTACT_HARVEST, ""))
    period = off_hours_period(entry["occurred_at"])
    if period is not None:
        rules.append((NIGHT_BULK, period))
    return rules
