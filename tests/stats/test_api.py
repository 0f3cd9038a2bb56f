"""GET /companies/{company_id}/statistics against the demo data set."""

from __future__ import annotations

from typing import Any

import pytest

from ccus.auth.actors import StaffActor
from ccus.clock import jst_date
from ccus.demo.dataset import Dataset
from ccus.stats.disclosure import THRESHOLD, is_small
from tests.conftest import FIXED_NOW, LiveServer, LogCapture
from tests.e2e.helpers import actor_of, assert_problem
from tests.stats.expected import Expected, expected_counts, head_counts

K = THRESHOLD
TODAY = jst_date(FIXED_NOW)
ALL_TABLES = ["trades", "qualifications", "qualification_kinds", "insurance"]


def staff_actor(dataset: Dataset, company_id: str) -> StaffActor:
    member = next(m for m in dataset.staff if m.company_id == company_id)
    return StaffActor(
        subject=member.staff_id,
        client_id="test-client",
        company_id=company_id,
        roles=member.roles,
    )


def statistics(server: LiveServer, company_id: str) -> dict[str, Any]:
    with server.client(actor_of(server.services, "outsider")) as client:
        response = client.get(f"/companies/{company_id}/statistics")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def largest_company(dataset: Dataset) -> str:
    return head_counts(dataset, TODAY).most_common(1)[0][0]


def companies_of_size(dataset: Dataset, large: bool) -> list[str]:
    sizes = head_counts(dataset, TODAY)
    return sorted(c for c, size in sizes.items() if (size >= K) == large and size)


def check_cell(cell: dict[str, Any], expected: int, where: str) -> None:
    """Assert a published cell is exact and a small cell is suppressed."""
    if cell["suppressed"]:
        assert cell["count"] is None, where
    else:
        assert cell["count"] == expected, where
    if is_small(expected):
        assert cell["suppressed"], f"{where}: {expected} is below {K}"


def check_against_dataset(body: dict[str, Any], expected: Expected) -> int:
    """Check every cell of ``body``; return how many expected cells are small."""
    population = expected.head_count
    small = 0
    assert body["head_count"] == {"count": population, "suppressed": False}

    assert "trades" not in body["withheld"]
    assert sorted(row["trade"] for row in body["trades"]) == sorted(expected.trades)
    for row in body["trades"]:
        levels = expected.trades[row["trade"]]
        check_cell(row["workers"], sum(levels.values()), row["trade"])
        for level in row["levels"]:
            value = levels.get(level["level"], 0)
            small += is_small(value)
            check_cell(level["workers"], value, f"{row['trade']} {level['level']}")

    assert "qualifications" not in body["withheld"]
    listed = {(row["kind"], row["code"]) for row in body["qualifications"]}
    assert listed == set(expected.qualifications)
    for row in body["qualifications"]:
        value = expected.qualifications[row["kind"], row["code"]]
        small += is_small(value) or is_small(population - value)
        check_cell(row["workers"], value, row["code"])
        if is_small(population - value):
            assert row["workers"]["suppressed"], f"{row['code']} non-holders"

    for row in body["qualification_kinds"]:
        value = expected.kinds[row["kind"]]
        check_cell(row["workers"], value, row["kind"])
        if is_small(population - value):
            assert row["workers"]["suppressed"], f"{row['kind']} non-holders"

    for row in body["insurance"]:
        statuses = expected.insurance[row["insurance"]]
        for status in ("enrolled", "not_enrolled", "exempt"):
            small += is_small(statuses[status])
            check_cell(row[status], statuses[status], f"{row['insurance']} {status}")
        rate = row["enrolment_rate"]
        if not rate["suppressed"] and rate["rate"] is not None:
            denominator = statuses["enrolled"] + statuses["not_enrolled"]
            assert rate["rate"] == round(statuses["enrolled"] / denominator, 4)
            assert denominator >= K
            assert not is_small(statuses["enrolled"])
            assert not is_small(statuses["not_enrolled"])
    return small


def test_statistics_match_dataset(server: LiveServer, dataset: Dataset) -> None:
    company = largest_company(dataset)
    expected = expected_counts(dataset, company, TODAY)
    body = statistics(server, company)
    assert body["company_id"] == company
    assert body["as_of"] == TODAY.isoformat()
    assert body["threshold"] == K
    small = check_against_dataset(body, expected)
    assert small > 0, "the largest company should have small cells to suppress"


def test_every_large_company_matches(server: LiveServer, dataset: Dataset) -> None:
    companies = companies_of_size(dataset, large=True)
    assert len(companies) >= 10
    for company in companies:
        body = statistics(server, company)
        check_against_dataset(body, expected_counts(dataset, company, TODAY))


def suppressed_cells_safe(total: int, cells: list[dict[str, Any]]) -> bool:
    """Return whether ``total`` minus the published cells hides 2+ cells of K+."""
    hidden = [cell for cell in cells if cell["suppressed"]]
    residual = total - sum(cell["count"] for cell in cells if not cell["suppressed"])
    if not hidden:
        return residual == 0
    return len(hidden) >= 2 and residual >= K


def test_no_cell_recoverable_by_subtraction(
    server: LiveServer, dataset: Dataset
) -> None:
    for company in companies_of_size(dataset, large=True):
        body = statistics(server, company)
        population = body["head_count"]["count"]
        for row in body["trades"]:
            cells = [level["workers"] for level in row["levels"]]
            if row["workers"]["suppressed"]:
                assert all(cell["suppressed"] for cell in cells), row["trade"]
            else:
                total = row["workers"]["count"]
                assert suppressed_cells_safe(total, cells), (company, row)
        for row in body["insurance"]:
            cells = [row[status] for status in ("enrolled", "not_enrolled", "exempt")]
            assert suppressed_cells_safe(population, cells), (company, row)
            if not row["enrolment_rate"]["suppressed"]:
                rate = row["enrolment_rate"]["rate"]
                # A rate strictly between 0 and 1 needs both counts shown.
                if rate not in (0.0, 1.0, None):
                    assert not row["enrolled"]["suppressed"]
                    assert not row["not_enrolled"]["suppressed"]


def test_small_company_reveals_nothing(server: LiveServer, dataset: Dataset) -> None:
    companies = companies_of_size(dataset, large=False)
    assert companies, "the demo data set has companies of fewer than K workers"
    for company in companies:
        assert statistics(server, company) == {
            "company_id": company,
            "as_of": TODAY.isoformat(),
            "threshold": K,
            "head_count": {"count": None, "suppressed": True},
            "withheld": ALL_TABLES,
            "trades": [],
            "qualifications": [],
            "qualification_kinds": [],
            "insurance": [],
        }


def test_own_company_staff_allowed(server: LiveServer, dataset: Dataset) -> None:
    company = largest_company(dataset)
    with server.client(staff_actor(dataset, company)) as client:
        response = client.get(f"/companies/{company}/statistics")
    assert response.status_code == 200
    assert response.json() == statistics(server, company)


@pytest.mark.parametrize("persona", ["worker", "regulator", "device"])
def test_non_staff_get_403(server: LiveServer, dataset: Dataset, persona: str) -> None:
    company = largest_company(dataset)
    with server.client(actor_of(server.services, persona)) as client:
        response = client.get(f"/companies/{company}/statistics")
    body = assert_problem(response, 403)
    assert "staff" in str(body["detail"])


def test_missing_token_gets_401(server: LiveServer, dataset: Dataset) -> None:
    with server.client() as client:
        response = client.get(f"/companies/{largest_company(dataset)}/statistics")
    assert_problem(response, 401)


@pytest.mark.parametrize("company_id", ["123", "1234567890123x", "123456789012345"])
def test_invalid_company_id_gets_400(server: LiveServer, company_id: str) -> None:
    with server.client(actor_of(server.services, "outsider")) as client:
        response = client.get(f"/companies/{company_id}/statistics")
    body = assert_problem(response, 400)
    assert body["parameter"] == "company_id"


def test_unknown_company_gets_404(server: LiveServer, dataset: Dataset) -> None:
    unknown = "99999999999999"
    assert unknown not in {company.company_id for company in dataset.companies}
    with server.client(actor_of(server.services, "outsider")) as client:
        response = client.get(f"/companies/{unknown}/statistics")
    assert_problem(response, 404)


def test_nothing_personal_sent_or_logged(
    server: LiveServer, dataset: Dataset, log_capture: LogCapture
) -> None:
    company = largest_company(dataset)
    workers = [
        worker
        for worker in dataset.workers
        if worker.worker_id in expected_counts(dataset, company, TODAY).worker_ids
    ]
    logged_before = len(log_capture.text())
    with server.client(actor_of(server.services, "outsider")) as client:
        text = client.get(f"/companies/{company}/statistics").text
    logged = log_capture.text()[logged_before:]
    assert company in logged, "the request is logged"
    for worker in workers:
        identity = worker.groups["identity"]
        for value in (worker.worker_id, identity["name"], identity["name_kana"]):
            assert value not in text
            assert value not in logged
