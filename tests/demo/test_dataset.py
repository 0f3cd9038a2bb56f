"""Tests for the deterministic demo dataset in ccus.demo.dataset."""

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from ccus.demo import qualifications
from ccus.demo.career import FOREMAN_DAYS, LEVEL2_DAYS, LEVEL3_DAYS, LEVEL4_DAYS
from ccus.demo.dataset import Dataset, build_dataset

GROUPS = (
    "identity",
    "contact",
    "emergency_contact",
    "insurance",
    "health",
    "qualifications",
    "career",
)
KATAKANA_NAME = re.compile(r"^[ァ-ヶー]+(　[ァ-ヶー]+)+$")


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_dataset()


@pytest.fixture(scope="module")
def personas(dataset: Dataset) -> dict[str, str]:
    return dataset.personas()


def site_by_status(dataset: Dataset, status: str):
    return next(site for site in dataset.sites if site.status == status)


def tree(dataset: Dataset, site_id: str) -> dict:
    return {
        node.company_id: node
        for node in dataset.subcontracts
        if node.site_id == site_id
    }


def company_of_staff(dataset: Dataset, staff_id: str) -> str:
    return next(
        member.company_id for member in dataset.staff if member.staff_id == staff_id
    )


def test_same_arguments_build_equal_datasets(dataset):
    assert build_dataset() == dataset


def test_other_seed_builds_other_dataset(dataset):
    other = build_dataset(seed=7)
    assert other.workers != dataset.workers
    assert other.touches != dataset.touches


def test_default_counts(dataset):
    assert len(dataset.workers) == 300
    assert len(dataset.companies) >= 8
    assert len(dataset.sites) == 3
    assert {site.status for site in dataset.sites} == {"live", "ended", "upcoming"}


def test_live_tree_has_three_tiers(dataset):
    live_tree = tree(dataset, site_by_status(dataset, "live").site_id)
    tiers = Counter(node.tier for node in live_tree.values())
    assert set(tiers) == {0, 1, 2}
    assert tiers[0] == 1
    assert tiers[1] >= 3
    assert tiers[2] >= 4


def test_tree_parents_are_one_tier_up(dataset):
    for site in dataset.sites:
        nodes = tree(dataset, site.site_id)
        for node in nodes.values():
            if node.tier == 0:
                assert node.parent_company_id is None
                assert node.company_id == site.prime_company_id
            else:
                assert nodes[node.parent_company_id].tier == node.tier - 1


def test_site_periods_match_status(dataset):
    window_end = dataset.start + timedelta(days=dataset.days - 1)
    live, ended, upcoming = (
        site_by_status(dataset, status) for status in ("live", "ended", "upcoming")
    )
    assert live.period_start <= dataset.start
    assert live.period_end >= window_end
    assert ended.period_end < dataset.start
    assert ended.handover_date is not None
    assert upcoming.period_start > window_end


def test_ids_are_14_digits(dataset):
    id_lists = {
        "company": [company.company_id for company in dataset.companies],
        "staff": [member.staff_id for member in dataset.staff],
        "worker": [worker.worker_id for worker in dataset.workers],
        "site": [site.site_id for site in dataset.sites],
    }
    for kind, ids in id_lists.items():
        assert all(re.fullmatch(r"\d{14}", value) for value in ids), kind
        assert len(set(ids)) == len(ids), kind
    assert any(value.startswith("0") for value in id_lists["company"])
    assert any(value.startswith("0") for value in id_lists["worker"])


def test_references_point_to_existing_records(dataset):
    company_ids = {company.company_id for company in dataset.companies}
    worker_ids = {worker.worker_id for worker in dataset.workers}
    assert all(member.company_id in company_ids for member in dataset.staff)
    assert all(worker.employer_id in company_ids for worker in dataset.workers)
    assert all(
        job.company_id in company_ids
        for worker in dataset.workers
        for job in worker.past_employers
    )
    assert all(entry.worker_id in worker_ids for entry in dataset.roster)
    assert all(touch.worker_id in worker_ids for touch in dataset.touches)


def test_every_company_has_staff(dataset):
    staffed = {member.company_id for member in dataset.staff}
    assert staffed == {company.company_id for company in dataset.companies}


def test_some_companies_are_sole_proprietors(dataset):
    assert any(company.is_sole_proprietor for company in dataset.companies)
    assert any(company.permit_issuer is None for company in dataset.companies)


def test_every_worker_has_all_groups(dataset):
    for worker in dataset.workers:
        assert tuple(sorted(worker.groups)) == tuple(sorted(GROUPS))


def test_touches_inside_site_period(dataset):
    periods = {
        site.site_id: (site.period_start, site.period_end) for site in dataset.sites
    }
    for touch in dataset.touches:
        period_start, period_end = periods[touch.site_id]
        assert period_start <= touch.touched_at.date() <= period_end


def test_touches_use_jst(dataset):
    assert all(
        touch.touched_at.utcoffset() == timedelta(hours=9) for touch in dataset.touches
    )


def test_live_touches_inside_window(dataset):
    live = site_by_status(dataset, "live").site_id
    window_end = dataset.start + timedelta(days=dataset.days - 1)
    dates = [
        touch.touched_at.date() for touch in dataset.touches if touch.site_id == live
    ]
    assert min(dates) >= dataset.start
    assert max(dates) <= window_end


def test_touches_between_induction_and_exit(dataset):
    entries = {(entry.site_id, entry.worker_id): entry for entry in dataset.roster}
    for touch in dataset.touches:
        entry = entries[(touch.site_id, touch.worker_id)]
        day = touch.touched_at.date()
        assert day >= entry.induction_date
        assert entry.exit_date is None or day <= entry.exit_date


def test_some_touches_cross_midnight(dataset):
    night_ins = {
        (touch.worker_id, touch.touched_at.date())
        for touch in dataset.touches
        if touch.direction == "in" and touch.touched_at.hour >= 20
    }
    crossing = [
        touch
        for touch in dataset.touches
        if touch.direction == "out"
        and touch.touched_at.hour < 8
        and (touch.worker_id, touch.touched_at.date() - timedelta(days=1)) in night_ins
    ]
    assert crossing


def test_device_touch_ids_unique_per_site(dataset):
    ids = [(touch.site_id, touch.device_touch_id) for touch in dataset.touches]
    assert len(set(ids)) == len(ids)


def test_no_shift_starts_on_rain_days(dataset):
    live = site_by_status(dataset, "live").site_id
    in_dates = {
        touch.touched_at.date()
        for touch in dataset.touches
        if touch.site_id == live and touch.direction == "in"
    }
    assert dataset.rain_days
    assert not in_dates & set(dataset.rain_days)


def test_sundays_and_holidays_mostly_closed(dataset):
    live = site_by_status(dataset, "live").site_id
    per_day = Counter(
        touch.touched_at.date()
        for touch in dataset.touches
        if touch.site_id == live and touch.direction == "in"
    )
    window = [dataset.start + timedelta(days=offset) for offset in range(dataset.days)]
    closed_type = [
        day for day in window if day.weekday() == 6 or day in dataset.holidays
    ]
    weekdays = [
        day for day in window if day.weekday() < 5 and day not in dataset.holidays
    ]
    closed_mean = sum(per_day[day] for day in closed_type) / len(closed_type)
    weekday_mean = sum(per_day[day] for day in weekdays) / len(weekdays)
    assert closed_mean < 0.3 * weekday_mean


def test_holidays_in_default_window(dataset):
    assert dataset.holidays == (
        date(2026, 9, 21),
        date(2026, 9, 22),
        date(2026, 9, 23),
        date(2026, 10, 12),
        date(2026, 11, 3),
        date(2026, 11, 23),
    )


def test_target_is_second_tier_on_live_site(dataset, personas):
    live_tree = tree(dataset, personas["site_id"])
    entry = next(
        entry
        for entry in dataset.roster
        if entry.site_id == personas["site_id"]
        and entry.worker_id == personas["worker"]
    )
    assert live_tree[entry.company_id].tier == 2
    assert entry.exit_date is None
    assert company_of_staff(dataset, personas["employer"]) == entry.company_id


def test_upper_is_parent_of_employer(dataset, personas):
    live_tree = tree(dataset, personas["site_id"])
    employer = company_of_staff(dataset, personas["employer"])
    assert (
        company_of_staff(dataset, personas["upper"])
        == live_tree[employer].parent_company_id
    )


def test_prime_persona_is_live_site_manager(dataset, personas):
    prime = next(
        member for member in dataset.staff if member.staff_id == personas["prime"]
    )
    live = site_by_status(dataset, "live")
    assert prime.company_id == live.prime_company_id
    assert "site_manager" in prime.roles


def test_past_prime_not_in_live_tree(dataset, personas):
    past_prime = company_of_staff(dataset, personas["past_prime"])
    ended = next(
        site for site in dataset.sites if site.site_id == personas["past_site_id"]
    )
    assert past_prime == ended.prime_company_id
    assert past_prime not in tree(dataset, personas["site_id"])


def test_outsider_unrelated_to_target(dataset, personas):
    outsider = company_of_staff(dataset, personas["outsider"])
    assert outsider not in tree(dataset, personas["site_id"])
    assert outsider not in tree(dataset, personas["past_site_id"])
    assert outsider != company_of_staff(dataset, personas["employer"])


def test_target_has_history_on_ended_site(dataset, personas):
    ended_entries = [
        entry
        for entry in dataset.roster
        if entry.site_id == personas["past_site_id"]
        and entry.worker_id == personas["worker"]
    ]
    ended_touches = [
        touch
        for touch in dataset.touches
        if touch.site_id == personas["past_site_id"]
        and touch.worker_id == personas["worker"]
    ]
    live_touches = [
        touch
        for touch in dataset.touches
        if touch.site_id == personas["site_id"]
        and touch.worker_id == personas["worker"]
    ]
    assert len(ended_entries) == 1
    assert ended_entries[0].company_id in tree(dataset, personas["past_site_id"])
    assert ended_touches
    assert live_touches


def test_persona_site_ids(dataset, personas):
    assert personas["site_id"] == site_by_status(dataset, "live").site_id
    assert personas["past_site_id"] == site_by_status(dataset, "ended").site_id
    assert personas["upcoming_site_id"] == site_by_status(dataset, "upcoming").site_id


def test_roster_has_exits_and_positions(dataset, personas):
    live_entries = [
        entry for entry in dataset.roster if entry.site_id == personas["site_id"]
    ]
    positions = {entry.position for entry in live_entries}
    assert any(entry.exit_date is not None for entry in live_entries)
    assert {"foreman", "safety_officer", "team_leader"} <= positions


def test_insurance_statuses_include_all_values(dataset):
    statuses = {
        worker.groups["insurance"][field]
        for worker in dataset.workers
        for field in (
            "health_insurance_status",
            "pension_status",
            "employment_insurance_status",
        )
    }
    assert statuses == {"enrolled", "not_enrolled", "exempt"}


def test_employment_insurance_number_only_when_enrolled(dataset):
    for worker in dataset.workers:
        insurance = worker.groups["insurance"]
        enrolled = insurance["employment_insurance_status"] == "enrolled"
        assert (insurance["employment_insurance_number_last4"] is not None) == enrolled


def test_some_workers_are_foreign(dataset):
    foreign = [
        worker
        for worker in dataset.workers
        if worker.groups["identity"]["nationality"] != "JP"
    ]
    assert foreign
    for worker in foreign:
        assert KATAKANA_NAME.match(worker.groups["identity"]["name"])
        assert (
            worker.groups["identity"]["name_kana"] == worker.groups["identity"]["name"]
        )


def test_japanese_names_use_full_width_space(dataset):
    for worker in dataset.workers:
        identity = worker.groups["identity"]
        if identity["nationality"] == "JP":
            assert identity["name"].count("　") == 1
            assert KATAKANA_NAME.match(identity["name_kana"])


def test_phone_numbers_unique(dataset):
    phones = [worker.groups["contact"]["phone"] for worker in dataset.workers]
    assert len(set(phones)) == len(phones)
    assert all(re.fullmatch(r"0[789]0-\d{4}-\d{4}", phone) for phone in phones)


def test_levels_follow_days_and_qualifications(dataset):
    for worker in dataset.workers:
        verified = {
            entry["code"]
            for entry in worker.groups["qualifications"]
            if entry["verified"]
        }
        for career in worker.groups["career"]["trades"]:
            trade = qualifications.TRADES[career["trade"]]
            if career["level"] >= 2:
                assert career["work_days"] >= LEVEL2_DAYS
                assert verified >= set(trade.level2)
            if career["level"] >= 3:
                assert career["work_days"] >= LEVEL3_DAYS
                assert career["foreman_days"] >= FOREMAN_DAYS
                assert verified >= set(trade.level3)
            if career["level"] == 4:
                assert career["work_days"] >= LEVEL4_DAYS
                assert verified >= set(trade.level4)


def test_qualifications_acquired_as_adult(dataset):
    for worker in dataset.workers:
        birth_date = worker.groups["identity"]["birth_date"]
        for entry in worker.groups["qualifications"]:
            assert entry["acquired_on"] > birth_date.replace(year=birth_date.year + 15)
            assert entry["acquired_on"] < dataset.start


def test_past_employment_precedes_hire(dataset):
    for worker in dataset.workers:
        previous_end = date.min
        for job in worker.past_employers:
            assert previous_end < job.start < job.end < worker.hire_date
            assert job.company_id != worker.employer_id
            previous_end = job.end


def test_scaled_dataset_keeps_touch_count(dataset):
    scaled = build_dataset(workers=20000)
    assert len(scaled.workers) == 20000
    assert len(scaled.touches) <= 2 * len(dataset.touches)
    assert len(scaled.roster) > 10 * len(dataset.roster)


@pytest.mark.parametrize(
    "arguments",
    [
        {"workers": 5},
        {"days": 3},
        {"start": date(2030, 1, 1)},
        {"start": date(2026, 1, 15)},
    ],
)
def test_invalid_arguments_raise(arguments):
    with pytest.raises(ValueError):
        build_dataset(**arguments)
