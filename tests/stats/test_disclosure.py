"""Suppression keeps every suppressed count from being worked out.

The model reader has the published counts, the relations between them, and
the reason each count is suppressed. A count fails the threshold when it is a
cell from 1 to K-1, or a count of holders whose holders or non-holders are
from 1 to K-1. Any other suppressed count is a complement. The checks search
every completion of the suppressed counts by brute force, independently of
the interval reasoning in ccus.stats.disclosure.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from ccus.stats.disclosure import (
    THRESHOLD,
    CoverCount,
    binary_domain,
    binary_publishable,
    is_small,
    protect_cover,
    protect_partition,
)

K = THRESHOLD

cell_values = st.one_of(st.integers(0, K - 1), st.integers(0, 12))
tables = st.lists(cell_values, min_size=1, max_size=5)


def reachable_sums(domains: list[range]) -> set[int]:
    sums = {0}
    for domain in domains:
        sums = {total + value for total in sums for value in domain}
    return sums


def reader_domains(total: int, cells: list[int]) -> tuple[range, list[range]]:
    """Return the values the reader considers possible for the total and cells."""
    result = protect_partition(total, cells)
    if not result.total_published:
        return range(1, K), [range(0, K)] * len(cells)
    residual = sum(
        cell
        for cell, published in zip(cells, result.published, strict=True)
        if not published
    )
    domains = []
    for cell, published in zip(cells, result.published, strict=True):
        if published:
            domains.append(range(cell, cell + 1))
        elif result.withheld:
            domains.append(range(0, total + 1))
        elif is_small(cell):
            domains.append(range(1, K))
        else:
            domains.append(range(K, residual + 1))
    return range(total, total + 1), domains


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_suppressed_cell_recoverable(cells: list[int]) -> None:
    total = sum(cells)
    result = protect_partition(total, cells)
    totals, domains = reader_domains(total, cells)
    for index, published in enumerate(result.published):
        if published:
            continue
        others = reachable_sums(domains[:index] + domains[index + 1 :])
        possible = {
            value
            for value in domains[index]
            if any(candidate - value in others for candidate in totals)
        }
        assert cells[index] in possible
        assert len(possible) >= 2, f"cell {index} of {cells} is pinned"
    if not result.total_published:
        possible_totals = set(totals) & reachable_sums(domains)
        assert len(possible_totals) >= 2


@settings(max_examples=300, deadline=None)
@given(tables)
def test_small_cells_always_suppressed(cells: list[int]) -> None:
    result = protect_partition(sum(cells), cells)
    for cell, published in zip(cells, result.published, strict=True):
        if is_small(cell):
            assert not published
    assert result.total_published == (not is_small(sum(cells)))


@settings(max_examples=300, deadline=None)
@given(tables)
def test_suppressed_cells_hold_threshold(cells: list[int]) -> None:
    total = sum(cells)
    result = protect_partition(total, cells)
    if not result.total_published or result.withheld:
        return
    hidden = [
        cell
        for cell, published in zip(cells, result.published, strict=True)
        if not published
    ]
    assert not hidden or (len(hidden) >= 2 and sum(hidden) >= K)
    assert 0 not in hidden, "zero cells are published unless the table is withheld"


def test_two_small_cells_get_complement() -> None:
    # 4 + 4 = 8 with both below 5 would pin each at 4.
    result = protect_partition(18, [10, 4, 4])
    assert result.published == (False, False, False)
    assert not result.withheld


def test_unprotectable_table_withheld() -> None:
    # With 1 + 5 = 6, the small cell could only be 1.
    result = protect_partition(6, [1, 5, 0])
    assert result.total_published
    assert result.withheld
    assert result.published == (False, False, False)


def test_small_total_hides_zeros() -> None:
    result = protect_partition(3, [3, 0, 0])
    assert not result.total_published
    assert result.published == (False, False, False)


def test_zero_total_published() -> None:
    result = protect_partition(0, [0, 0])
    assert result.total_published
    assert result.published == (True, True)


def test_partition_rejects_wrong_total() -> None:
    try:
        protect_partition(5, [1, 2])
    except ValueError as error:
        assert "do not partition" in str(error)
    else:
        raise AssertionError("a wrong total was accepted")


def fails_threshold(count: int, population: int) -> bool:
    return is_small(count) or is_small(population - count)


def reader_binary_domain(count: int, population: int) -> list[int]:
    """Return the non-zero counts suppressed for the same reason as ``count``."""
    return [
        value
        for value in range(1, population + 1)
        if fails_threshold(value, population) == fails_threshold(count, population)
    ]


@st.composite
def holdings(draw: st.DrawFn) -> tuple[int, list[frozenset[int]]]:
    """Draw a population and the codes of one kind that each worker holds.

    Each code's holders are a run of consecutive workers, so that the draw
    controls both the counts and how much the codes overlap.
    """
    population = draw(st.integers(K, 30))
    # Three codes only in small populations keep the brute force quick.
    codes = draw(st.integers(1, 3 if population <= 15 else 2))
    codes_by_worker: list[set[int]] = [set() for _ in range(population)]
    for code in range(codes):
        count = draw(st.one_of(st.integers(1, K), st.integers(1, population)))
        start = draw(st.integers(0, population - count))
        for worker in range(start, start + count):
            codes_by_worker[worker].add(code)
    return population, [frozenset(worker_codes) for worker_codes in codes_by_worker]


@settings(max_examples=300, deadline=None)
@given(holdings())
def test_no_cover_count_recoverable(drawn: tuple[int, list[frozenset[int]]]) -> None:
    population, codes_by_worker = drawn
    code_counts = [
        sum(code in codes for codes in codes_by_worker)
        for code in sorted(set().union(*codes_by_worker))
    ]
    union_count = sum(bool(codes) for codes in codes_by_worker)

    def binary(value: int) -> CoverCount:
        return CoverCount(
            value,
            binary_domain(value, population),
            not binary_publishable(value, population),
        )

    union = binary(union_count)
    members = [binary(value) for value in code_counts]
    if not protect_cover(union, members):
        return
    union_values = (
        reader_binary_domain(union_count, population)
        if union.suppressed
        else [union_count]
    )
    member_values = [
        reader_binary_domain(member.value, population)
        if member.suppressed
        else [member.value]
        for member in members
    ]
    seen_union: set[int] = set()
    seen_members: list[set[int]] = [set() for _ in members]
    for values in itertools.product(*member_values):
        for candidate in union_values:
            if max(values, default=0) <= candidate <= min(population, sum(values)):
                seen_union.add(candidate)
                for index, value in enumerate(values):
                    seen_members[index].add(value)
    assert union_count in seen_union
    if union.suppressed:
        assert len(seen_union) >= 2, f"union {union_count} pinned in {codes_by_worker}"
    for member, seen in zip(members, seen_members, strict=True):
        assert member.value in seen
        if member.suppressed:
            assert len(seen) >= 2, (
                f"code count {member.value} pinned in {codes_by_worker}"
            )


@settings(max_examples=300, deadline=None)
@given(holdings())
def test_no_trade_total_recoverable(drawn: tuple[int, list[frozenset[int]]]) -> None:
    # The workers with a trade are taken as known, so the trade totals are
    # members of a cover with a fixed union.
    _, trades_by_worker = drawn
    with_trade = sum(bool(trades) for trades in trades_by_worker)
    totals = [
        sum(trade in trades for trades in trades_by_worker)
        for trade in sorted(set().union(*trades_by_worker))
    ]

    def reader_domain(total: int) -> list[int]:
        return list(range(1, K)) if is_small(total) else list(range(K, with_trade + 1))

    known = CoverCount(with_trade, (), suppressed=False, may_suppress=False)
    members = [
        CoverCount(
            total,
            ((min(reader_domain(total)), max(reader_domain(total))),),
            is_small(total),
        )
        for total in totals
    ]
    if not protect_cover(known, members):
        return
    seen: list[set[int]] = [set() for _ in members]
    candidates = [
        reader_domain(member.value) if member.suppressed else [member.value]
        for member in members
    ]
    for values in itertools.product(*candidates):
        if max(values, default=0) <= with_trade <= sum(values):
            for index, value in enumerate(values):
                seen[index].add(value)
    for member, values in zip(members, seen, strict=True):
        assert member.value in values
        if member.suppressed:
            assert len(values) >= 2, f"trade total {member.value} pinned in {totals}"


def test_known_union_pins_lone_small_member() -> None:
    # 30 workers with a trade, 26 in one published trade: the other trade's
    # 4 workers would be pinned at 4 unless the large trade is hidden too.
    known = CoverCount(30, (), suppressed=False, may_suppress=False)
    large = CoverCount(26, ((K, 30),), suppressed=False)
    small = CoverCount(4, ((1, K - 1),), suppressed=True)
    assert protect_cover(known, [large, small])
    assert large.suppressed


def test_known_union_leaves_loose_member() -> None:
    known = CoverCount(30, (), suppressed=False, may_suppress=False)
    large = CoverCount(27, ((K, 30),), suppressed=False)
    small = CoverCount(3, ((1, K - 1),), suppressed=True)
    assert protect_cover(known, [large, small])
    assert not large.suppressed


def test_binary_domain_matches_reader() -> None:
    for population in range(0, 15):
        for count in range(0, population + 1):
            spans = binary_domain(count, population)
            values = [v for low, high in spans for v in range(low, high + 1)]
            assert values == reader_binary_domain(count, population)
