"""Disclosure control for published counts of workers.

A count from 1 to ``THRESHOLD - 1`` could single out a worker, so it is
suppressed: published as null with ``suppressed: true``. Zero counts are
published. Complementary suppression then hides further counts until no
suppressed count can be worked out from what is published.

The model reader has every published count, the relations between the
counts, and the reason each count is suppressed: it fails the threshold, or
it is a complement. Two relations occur:

- A partition: the cells of a table sum to its total, such as the workers of
  a trade by level, or the head count by insurance status.
- A cover: one count is the number of workers in any of several member
  counts, so it lies between the largest member and the sum of the members.
  Examples are the workers with any qualification of a kind, over the workers
  with each qualification code of that kind.

Under that knowledge every suppressed count keeps at least two possible
values. In a partition with a published total, the suppressed cells together
also contain at least ``THRESHOLD`` workers, so that no small group of
workers is shown as such. When no choice of complementary cells achieves this, the
whole table is withheld: every cell is suppressed, zeros included.

NOTE: a reader who replays the choice of complementary cells (the smallest
published cells first) can narrow the possible values beyond this model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5

Span = tuple[int, int]
"""An inclusive range of counts."""


def is_small(count: int) -> bool:
    """Return whether ``count`` is from 1 to ``THRESHOLD - 1``."""
    return 0 < count < THRESHOLD


@dataclass(frozen=True, slots=True)
class Partition:
    """The publication flags of one partition's total and cells.

    ``withheld`` is true when every cell is suppressed because no choice of
    complementary cells protects the small ones.
    """

    total_published: bool
    published: tuple[bool, ...]
    withheld: bool = False


def protect_partition(total: int, cells: Sequence[int]) -> Partition:
    """Choose the cells of a table to publish, given that they sum to ``total``.

    A small total is suppressed with every cell. Otherwise the total is
    published, small cells are suppressed, and further cells are suppressed,
    smallest first, until the suppressed cells are safe (see the module
    docstring). Zero cells are never chosen, so every suppressed cell of a
    table with a published total is non-zero, unless the table is withheld.

    Raises:
        ValueError: a cell is negative, or the cells do not sum to ``total``.
    """
    if any(cell < 0 for cell in cells) or sum(cells) != total:
        raise ValueError(f"cells {list(cells)} do not partition the total {total}")
    if is_small(total):
        return Partition(False, (False,) * len(cells))
    suppressed = {index for index, cell in enumerate(cells) if is_small(cell)}
    if not suppressed:
        return Partition(True, (True,) * len(cells))
    complements = iter(
        index for _, index in sorted((cell, index) for index, cell in enumerate(cells))
    )
    while not _partition_is_safe(cells, suppressed):
        index = next(complements, None)
        if index is None:
            return Partition(True, (False,) * len(cells), withheld=True)
        if cells[index] >= THRESHOLD:
            suppressed.add(index)
    published = tuple(index not in suppressed for index in range(len(cells)))
    return Partition(True, published)


def _partition_is_safe(cells: Sequence[int], suppressed: set[int]) -> bool:
    residual = sum(cells[index] for index in suppressed)
    if residual < THRESHOLD:
        return False
    # A small cell lies in 1..THRESHOLD-1 and a complementary one in
    # THRESHOLD..residual; the cells sum to the residual.
    spans = [
        (1, THRESHOLD - 1) if is_small(cells[index]) else (THRESHOLD, residual)
        for index in suppressed
    ]
    low_sum = sum(low for low, _ in spans)
    high_sum = sum(high for _, high in spans)
    for low, high in spans:
        feasible_min = max(low, residual - (high_sum - high))
        feasible_max = min(high, residual - (low_sum - low))
        if feasible_min >= feasible_max:
            return False
    return True


def binary_domain(count: int, population: int) -> tuple[Span, ...]:
    """Return the counts a reader cannot tell apart from a suppressed ``count``.

    ``count`` is a number of workers among ``population``. The reader has the
    population and the reason the count is suppressed. A count that fails
    the threshold may be any non-zero count that fails it. A count suppressed
    as a complement may be any non-zero count that passes it.
    """
    publishable = binary_publishable(count, population)
    spans: list[Span] = []
    for value in range(1, population + 1):
        if binary_publishable(value, population) != publishable:
            continue
        if spans and spans[-1][1] == value - 1:
            spans[-1] = (spans[-1][0], value)
        else:
            spans.append((value, value))
    return tuple(spans)


def binary_publishable(count: int, population: int) -> bool:
    """Return whether ``count`` and ``population - count`` are each 0 or large.

    A count of workers among a published population is also a count of the
    workers outside it, so both must pass the threshold.
    """
    return not is_small(count) and not is_small(population - count)


@dataclass(slots=True)
class CoverCount:
    """A count in a cover relation and what a reader knows of it.

    ``domain`` contains the values a reader considers possible once the count
    is suppressed. A count with ``may_suppress`` false is taken as known.
    """

    value: int
    domain: tuple[Span, ...]
    suppressed: bool
    may_suppress: bool = True


def protect_cover(union: CoverCount, members: Sequence[CoverCount]) -> bool:
    """Suppress further counts until no suppressed count of a cover is pinned.

    ``union`` counts the workers in any of ``members``. A member pinned by a
    published union gets the union suppressed first. Otherwise the smallest
    published member is suppressed, until no suppressed count is left with a
    single possible value. Sets ``suppressed`` on the counts it hides.

    Returns:
        False when even suppressing every count leaves one pinned, so the
        caller must withhold the members.
    """
    while True:
        union_pinned, member_pinned = _cover_pins(union, members)
        if not union_pinned and not member_pinned:
            return True
        union_free = union.may_suppress and not union.suppressed
        if member_pinned and union_free:
            union.suppressed = True
            continue
        candidates = [
            member
            for member in members
            if member.may_suppress and not member.suppressed
        ]
        if candidates:
            min(candidates, key=lambda member: member.value).suppressed = True
        elif union_free:
            union.suppressed = True
        else:
            return False


def _cover_pins(union: CoverCount, members: Sequence[CoverCount]) -> tuple[bool, bool]:
    """Return whether the union, and whether any member, is pinned."""
    domains = [
        member.domain if member.suppressed else ((member.value, member.value),)
        for member in members
    ]
    union_values = _values(union.domain) if union.suppressed else [union.value]
    union_feasible = 0
    lowest: list[int | None] = [None] * len(members)
    highest: list[int | None] = [None] * len(members)
    for union_value in union_values:
        # Every member is at most the union, and the members sum to at
        # least the union, so the others take their largest values.
        tops = [_largest_at_most(domain, union_value) for domain in domains]
        if any(top is None for top in tops):
            continue
        top_sum = sum(top for top in tops if top is not None)
        if top_sum < union_value:
            continue
        union_feasible += 1
        for index, domain in enumerate(domains):
            top = tops[index]
            assert top is not None
            floor = union_value - (top_sum - top)
            low = _smallest_at_least(domain, floor)
            if low is None or low > union_value:
                continue
            old_low, old_high = lowest[index], highest[index]
            lowest[index] = low if old_low is None else min(old_low, low)
            highest[index] = top if old_high is None else max(old_high, top)
    union_pinned = union.suppressed and union_feasible < 2
    member_pinned = any(
        member.suppressed and (lowest[index] is None or lowest[index] == highest[index])
        for index, member in enumerate(members)
    )
    return union_pinned, member_pinned


def _values(domain: tuple[Span, ...]) -> list[int]:
    return [value for low, high in domain for value in range(low, high + 1)]


def _largest_at_most(domain: tuple[Span, ...], limit: int) -> int | None:
    best = None
    for low, high in domain:
        if low <= limit:
            best = min(high, limit)
    return best


def _smallest_at_least(domain: tuple[Span, ...], floor: int) -> int | None:
    for low, high in domain:
        if high >= floor:
            return max(low, floor)
    return None
