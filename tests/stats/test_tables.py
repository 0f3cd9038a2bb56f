"""The published tables built from raw counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import msgspec

from ccus.registry.groups import Career, Insurance, Qualification
from ccus.stats.disclosure import THRESHOLD
from ccus.stats.tables import publish_statistics
from ccus.stats.tally import WorkerGroups, tally

COMPANY = "12345678901234"
DAY = date(2026, 11, 30)
ALL_TABLES = ["trades", "qualifications", "qualification_kinds", "insurance"]


def worker(
    trades: Sequence[tuple[str, int]] = (("rebar", 1),),
    qualifications: Sequence[tuple[str, str, bool]] = (),
    statuses: tuple[str, str, str] = ("enrolled", "enrolled", "enrolled"),
) -> WorkerGroups:
    """Build one worker's groups; ``statuses`` are health, pension, employment."""
    health, pension, employment = statuses
    career = {
        "trades": [
            {"trade": trade, "level": level, "work_days": 0, "foreman_days": 0}
            for trade, level in trades
        ],
        "awards": [],
    }
    items = [
        {
            "kind": kind,
            "code": code,
            "name": f"name of {code}",
            "acquired_on": "2020-04-01",
            "verified": verified,
        }
        for kind, code, verified in qualifications
    ]
    insurance = {
        "health_insurance_kind": "kyokai_kenpo",
        "health_insurance_status": health,
        "pension_kind": "kosei_nenkin",
        "pension_status": pension,
        "employment_insurance_status": employment,
        "employment_insurance_number_last4": None,
        "kentaikyo_member": False,
        "kentaikyo_member_number": None,
        "chutaikyo_member": False,
    }
    return WorkerGroups(
        career=msgspec.convert(career, Career),
        qualifications=msgspec.convert(items, list[Qualification]),
        insurance=msgspec.convert(insurance, Insurance),
    )


def publish(workers: list[WorkerGroups]) -> dict[str, Any]:
    body = publish_statistics(COMPANY, DAY, tally(workers))
    result: dict[str, Any] = msgspec.to_builtins(body)
    return result


def shown(value: int) -> dict[str, Any]:
    return {"count": value, "suppressed": False}


HIDDEN = {"count": None, "suppressed": True}


def trade_row(body: dict[str, Any], trade: str) -> dict[str, Any]:
    rows = [row for row in body["trades"] if row["trade"] == trade]
    assert len(rows) == 1, f"{trade} listed {len(rows)} times"
    return rows[0]


def insurance_row(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(row for row in body["insurance"] if row["insurance"] == name)


def test_small_company_shows_nothing() -> None:
    body = publish([worker()] * (THRESHOLD - 1))
    assert body == {
        "company_id": COMPANY,
        "as_of": "2026-11-30",
        "threshold": THRESHOLD,
        "head_count": HIDDEN,
        "withheld": ALL_TABLES,
        "trades": [],
        "qualifications": [],
        "qualification_kinds": [],
        "insurance": [],
    }


def test_empty_company_shows_zeros() -> None:
    body = publish([])
    assert body["head_count"] == shown(0)
    assert body["withheld"] == []
    assert body["trades"] == []
    assert body["qualifications"] == []
    assert all(row["workers"] == shown(0) for row in body["qualification_kinds"])
    for row in body["insurance"]:
        assert row["enrolled"] == shown(0)
        assert row["enrolment_rate"] == {"rate": None, "suppressed": False}


def test_trade_levels_with_complement() -> None:
    workers = (
        [worker([("rebar", 1)])] * 12
        + [worker([("rebar", 2)])] * 21
        + [worker([("rebar", 4)])] * 3
    )
    rebar = trade_row(publish(workers), "rebar")
    assert rebar["workers"] == shown(36)
    levels = {row["level"]: row["workers"] for row in rebar["levels"]}
    # Level 4 is small; level 1, the smallest other non-zero cell, hides it.
    assert levels == {1: HIDDEN, 2: shown(21), 3: shown(0), 4: HIDDEN}


def test_worker_counts_once_per_trade() -> None:
    workers = [worker([("rebar", 1), ("rebar", 3), ("formwork", 1)])] * 6
    body = publish(workers)
    rebar = {row["level"]: row["workers"] for row in trade_row(body, "rebar")["levels"]}
    assert rebar[3] == shown(6)
    assert rebar[1] == shown(0)
    assert trade_row(body, "formwork")["workers"] == shown(6)


def test_small_trade_hides_every_level() -> None:
    workers = [worker([("rebar", 2)])] * 10 + [worker([("painting", 1)])] * 3
    painting = trade_row(publish(workers), "painting")
    assert painting["workers"] == HIDDEN
    assert all(row["workers"] == HIDDEN for row in painting["levels"])


def test_head_count_pins_small_trade() -> None:
    # Every worker has a trade: 26 + 4 = 30, so 30 - 26 would give the 4.
    workers = [worker([("rebar", 2)])] * 26 + [worker([("welding", 1)])] * 4
    body = publish(workers)
    assert body["head_count"] == shown(30)
    assert trade_row(body, "welding")["workers"] == HIDDEN
    rebar = trade_row(body, "rebar")
    assert rebar["workers"] == HIDDEN
    assert all(row["workers"] == HIDDEN for row in rebar["levels"])


def test_loose_small_trade_keeps_others() -> None:
    # 27 + 3 = 30 leaves the small trade between 3 and 4.
    workers = [worker([("rebar", 2)])] * 27 + [worker([("welding", 1)])] * 3
    body = publish(workers)
    assert trade_row(body, "welding")["workers"] == HIDDEN
    assert trade_row(body, "rebar")["workers"] == shown(27)


def test_two_small_trades_withheld() -> None:
    # 4 + 4 = 8 workers, each trade below 5: each would be pinned at 4.
    workers = [worker([("rebar", 1)])] * 4 + [worker([("painting", 1)])] * 4
    body = publish(workers)
    assert body["head_count"] == shown(8)
    assert body["withheld"] == ["trades"]
    assert body["trades"] == []


def test_qualifications_count_verified_only() -> None:
    workers = [worker(qualifications=[("licence", "crane", True)])] * 6 + [
        worker(qualifications=[("licence", "crane", False)])
    ] * 6
    body = publish(workers)
    assert body["qualifications"] == [
        {
            "kind": "licence",
            "code": "crane",
            "name": "name of crane",
            "workers": shown(6),
        }
    ]


def test_holders_hidden_when_nonholders_small() -> None:
    workers = [worker(qualifications=[("licence", "crane", True)])] * 8 + [worker()] * 2
    body = publish(workers)
    assert body["qualifications"][0]["workers"] == HIDDEN
    kinds = {row["kind"]: row["workers"] for row in body["qualification_kinds"]}
    assert kinds["licence"] == HIDDEN
    assert kinds["skill_training"] == shown(0)


def test_kind_count_pins_codes() -> None:
    # 8 of 25 workers hold a licence, 4 each of two codes: licence = 8 would
    # force both codes, each below 5, to 4.
    workers = (
        [worker(qualifications=[("licence", "crane", True)])] * 4
        + [worker(qualifications=[("licence", "forklift", True)])] * 4
        + [worker()] * 17
    )
    body = publish(workers)
    kinds = {row["kind"]: row["workers"] for row in body["qualification_kinds"]}
    assert kinds["licence"] == HIDDEN
    assert [row["workers"] for row in body["qualifications"]] == [HIDDEN, HIDDEN]


def test_codes_pin_kind_count() -> None:
    # 20 + 6 = 26 of 30 would pin the suppressed licence count (26, with 4
    # non-holders) unless a code is hidden too.
    workers = (
        [worker(qualifications=[("licence", "crane", True)])] * 20
        + [worker(qualifications=[("licence", "forklift", True)])] * 6
        + [worker()] * 4
    )
    body = publish(workers)
    kinds = {row["kind"]: row["workers"] for row in body["qualification_kinds"]}
    assert kinds["licence"] == HIDDEN
    codes = {row["code"]: row["workers"] for row in body["qualifications"]}
    assert codes["forklift"] == HIDDEN
    assert codes["crane"] == shown(20)


def test_rate_one_with_hidden_exempt() -> None:
    workers = [worker(statuses=("enrolled", "enrolled", "enrolled"))] * 32 + [
        worker(statuses=("exempt", "enrolled", "enrolled"))
    ] * 4
    health = insurance_row(publish(workers), "health_insurance")
    assert health["enrolled"] == HIDDEN
    assert health["not_enrolled"] == shown(0)
    assert health["exempt"] == HIDDEN
    assert health["enrolment_rate"] == {"rate": 1.0, "suppressed": False}


def test_rate_hidden_when_complement_small() -> None:
    workers = [worker()] * 33 + [
        worker(statuses=("enrolled", "enrolled", "not_enrolled"))
    ] * 3
    employment = insurance_row(publish(workers), "employment_insurance")
    assert employment["not_enrolled"] == HIDDEN
    assert employment["enrolled"] == HIDDEN
    assert employment["enrolment_rate"] == {"rate": None, "suppressed": True}


def test_rate_hidden_beside_published_count() -> None:
    # 20 enrolled, 8 not enrolled, 2 exempt: the rate 20/28 with the
    # published 20 would give back the 8, then the 2.
    workers = (
        [worker()] * 20
        + [worker(statuses=("enrolled", "enrolled", "not_enrolled"))] * 8
        + [worker(statuses=("enrolled", "enrolled", "exempt"))] * 2
    )
    employment = insurance_row(publish(workers), "employment_insurance")
    assert employment["enrolled"] == shown(20)
    assert employment["not_enrolled"] == HIDDEN
    assert employment["exempt"] == HIDDEN
    assert employment["enrolment_rate"] == {"rate": None, "suppressed": True}


def test_rate_from_published_counts() -> None:
    workers = [worker()] * 20 + [
        worker(statuses=("enrolled", "enrolled", "not_enrolled"))
    ] * 10
    employment = insurance_row(publish(workers), "employment_insurance")
    assert employment["enrolled"] == shown(20)
    assert employment["not_enrolled"] == shown(10)
    assert employment["exempt"] == shown(0)
    assert employment["enrolment_rate"] == {"rate": 0.6667, "suppressed": False}


def test_unprotectable_insurance_hides_cells() -> None:
    # 5 + 1 = 6: the 1 could be recovered whatever is chosen, so the
    # statuses are all hidden while the head count stays.
    workers = [worker()] * 5 + [
        worker(statuses=("enrolled", "enrolled", "not_enrolled"))
    ]
    body = publish(workers)
    assert body["head_count"] == shown(6)
    employment = insurance_row(body, "employment_insurance")
    assert employment["enrolled"] == HIDDEN
    assert employment["not_enrolled"] == HIDDEN
    assert employment["exempt"] == HIDDEN
    assert employment["enrolment_rate"] == {"rate": None, "suppressed": True}
