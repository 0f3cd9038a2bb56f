"""Build the published statistics of a company from its raw counts.

Every table goes through ``ccus.stats.disclosure``. A company with fewer than
``THRESHOLD`` workers gets its head count suppressed and every table
withheld, because any cell of so small a workforce would describe a few
known people. Otherwise the head count is published and:

- each trade is a partition of its workers by level, and the trades together
  cover the workers with a trade, whose number a reader may know (it is
  usually the head count);
- each qualification code and each kind is a count of workers among the
  head count, so it and its complement must pass the threshold, and the
  codes of a kind cover the workers with that kind;
- each insurance is a partition of the head count by status. Its enrolment
  rate needs the enrolled and the not enrolled each 0 or at least
  ``THRESHOLD``, and together at least ``THRESHOLD``. The rate must also be
  computed from published counts, or be exactly 0 or 1 with the zero count
  published, because a rate next to one published count gives the other
  back.

A table that cannot be protected is withheld: it is empty and named in
``withheld``.

NOTE: trade names and qualification codes and names are free text from the
registering employer, checked against no catalogue. A row and its label are
listed whenever one worker has it, even when its count is suppressed.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import msgspec

from ccus.stats.disclosure import (
    THRESHOLD,
    CoverCount,
    Partition,
    binary_domain,
    binary_publishable,
    is_small,
    protect_cover,
    protect_partition,
)
from ccus.stats.tally import (
    INSURANCE_STATUS_FIELDS,
    INSURANCE_STATUSES,
    QUALIFICATION_KINDS,
    CompanyCounts,
)

# CCUS skill levels; each trade lists all four, zeros included.
LEVELS = (1, 2, 3, 4)
TABLES = ("trades", "qualifications", "qualification_kinds", "insurance")
RATE_DIGITS = 4


class Count(msgspec.Struct):
    """A count of workers: null with ``suppressed`` true when suppressed."""

    count: int | None
    suppressed: bool


class Rate(msgspec.Struct):
    """A share from 0 to 1: null with ``suppressed`` true when suppressed.

    Null with ``suppressed`` false means that no worker is in the denominator.
    """

    rate: float | None
    suppressed: bool


class LevelCount(msgspec.Struct):
    level: int
    workers: Count


class TradeLevels(msgspec.Struct):
    """The workers of one trade, in total and by their level in it."""

    trade: str
    workers: Count
    levels: list[LevelCount]


class QualificationHolders(msgspec.Struct):
    """The workers who hold one verified qualification."""

    kind: str
    code: str
    name: str
    workers: Count


class QualificationKindHolders(msgspec.Struct):
    """The workers who hold any verified qualification of one kind."""

    kind: str
    workers: Count


class InsuranceEnrolment(msgspec.Struct):
    """The workers by status in one insurance, and the enrolment rate.

    The rate is the enrolled over the workers who are not exempt.
    """

    insurance: str
    enrolled: Count
    not_enrolled: Count
    exempt: Count
    enrolment_rate: Rate


class WorkforceStatistics(msgspec.Struct):
    """A company's workforce statistics under disclosure control."""

    company_id: str
    as_of: date
    threshold: int
    head_count: Count
    withheld: list[str]
    trades: list[TradeLevels]
    qualifications: list[QualificationHolders]
    qualification_kinds: list[QualificationKindHolders]
    insurance: list[InsuranceEnrolment]


def publish_statistics(
    company_id: str, as_of: date, counts: CompanyCounts
) -> WorkforceStatistics:
    """Apply the disclosure control to ``counts`` and build the body."""
    population = counts.head_count
    if is_small(population):
        return WorkforceStatistics(
            company_id=company_id,
            as_of=as_of,
            threshold=THRESHOLD,
            head_count=Count(None, True),
            withheld=list(TABLES),
            trades=[],
            qualifications=[],
            qualification_kinds=[],
            insurance=[],
        )
    withheld: list[str] = []
    trades = _trade_rows(counts)
    if trades is None:
        withheld.append("trades")
    qualifications, kinds = _qualification_rows(counts)
    if qualifications is None:
        withheld.append("qualifications")
    return WorkforceStatistics(
        company_id=company_id,
        as_of=as_of,
        threshold=THRESHOLD,
        head_count=Count(population, False),
        withheld=withheld,
        trades=trades or [],
        qualifications=qualifications or [],
        qualification_kinds=kinds,
        insurance=[
            _insurance_row(name, counts.insurance[name], population)
            for name in INSURANCE_STATUS_FIELDS
        ],
    )


def _count(value: int, published: bool) -> Count:
    return Count(value, False) if published else Count(None, True)


def _trade_rows(counts: CompanyCounts) -> list[TradeLevels] | None:
    """Return the trade rows, or None when the trades must be withheld."""
    with_trade = counts.workers_with_trade
    plans: list[tuple[str, list[int], list[int], Partition, CoverCount]] = []
    for trade in sorted(counts.trades):
        by_level = counts.trades[trade]
        levels = sorted(set(LEVELS) | set(by_level))
        cells = [by_level.get(level, 0) for level in levels]
        total = sum(cells)
        partition = protect_partition(total, cells)
        domain = (1, THRESHOLD - 1) if is_small(total) else (THRESHOLD, with_trade)
        cover = CoverCount(total, (domain,), not partition.total_published)
        plans.append((trade, levels, cells, partition, cover))
    # The workers with a trade are not published, but they usually are all
    # the workers, so they are treated as known.
    known = CoverCount(with_trade, (), suppressed=False, may_suppress=False)
    if not protect_cover(known, [plan[4] for plan in plans]):
        return None
    rows = []
    for trade, levels, cells, partition, cover in plans:
        total_published = not cover.suppressed
        rows.append(
            TradeLevels(
                trade=trade,
                workers=_count(cover.value, total_published),
                levels=[
                    LevelCount(level, _count(cell, total_published and published))
                    for level, cell, published in zip(
                        levels, cells, partition.published, strict=True
                    )
                ],
            )
        )
    return rows


def _qualification_rows(
    counts: CompanyCounts,
) -> tuple[list[QualificationHolders] | None, list[QualificationKindHolders]]:
    """Return the code rows, or None when they must be withheld, and the kinds."""
    population = counts.head_count

    def binary(value: int) -> CoverCount:
        return CoverCount(
            value,
            binary_domain(value, population),
            not binary_publishable(value, population),
        )

    kinds = {kind: binary(counts.kinds[kind]) for kind in QUALIFICATION_KINDS}
    codes = {key: binary(value) for key, value in counts.qualifications.items()}
    order = sorted(codes, key=lambda key: (QUALIFICATION_KINDS.index(key[0]), key))
    protected = True
    for kind in QUALIFICATION_KINDS:
        members = [codes[key] for key in order if key[0] == kind]
        protected = protect_cover(kinds[kind], members) and protected
    if not protected:
        # Without the code rows no cover remains, so each kind needs only
        # its own threshold.
        return None, [
            QualificationKindHolders(
                kind,
                _count(
                    counts.kinds[kind],
                    binary_publishable(counts.kinds[kind], population),
                ),
            )
            for kind in QUALIFICATION_KINDS
        ]
    code_rows = [
        QualificationHolders(
            kind=kind,
            code=code,
            name=_common_name(counts.qualification_names[(kind, code)]),
            workers=_count(codes[kind, code].value, not codes[kind, code].suppressed),
        )
        for kind, code in order
    ]
    kind_rows = [
        QualificationKindHolders(kind, _count(count.value, not count.suppressed))
        for kind, count in kinds.items()
    ]
    return code_rows, kind_rows


def _common_name(names: Counter[str]) -> str:
    """Return the name most holders gave, the first in order on a tie."""
    return min(names.items(), key=lambda item: (-item[1], item[0]))[0]


def _insurance_row(
    name: str, statuses: Counter[str], population: int
) -> InsuranceEnrolment:
    cells = [statuses[status] for status in INSURANCE_STATUSES]
    partition = protect_partition(population, cells)
    published = dict(zip(INSURANCE_STATUSES, partition.published, strict=True))
    enrolled, not_enrolled = statuses["enrolled"], statuses["not_enrolled"]
    return InsuranceEnrolment(
        insurance=name,
        enrolled=_count(enrolled, published["enrolled"]),
        not_enrolled=_count(not_enrolled, published["not_enrolled"]),
        exempt=_count(statuses["exempt"], published["exempt"]),
        enrolment_rate=_rate(
            enrolled, not_enrolled, published["enrolled"], published["not_enrolled"]
        ),
    )


def _rate(
    enrolled: int, not_enrolled: int, enrolled_shown: bool, not_enrolled_shown: bool
) -> Rate:
    denominator = enrolled + not_enrolled
    both_shown = enrolled_shown and not_enrolled_shown
    if both_shown and denominator == 0:
        return Rate(None, False)
    large = not is_small(enrolled) and not is_small(not_enrolled)
    # A rate of exactly 0 or 1 only repeats the published zero.
    from_published = (
        both_shown
        or (enrolled_shown and enrolled == 0)
        or (not_enrolled_shown and not_enrolled == 0)
    )
    if large and denominator >= THRESHOLD and from_published:
        return Rate(round(enrolled / denominator, RATE_DIGITS), False)
    return Rate(None, True)
