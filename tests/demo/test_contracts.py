"""The demo sites' orderers and the inter-company agreements."""

from __future__ import annotations

import pytest

from ccus.demo.dataset import Dataset, build_dataset


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_dataset()


def tree_ids(dataset: Dataset, site_id: str) -> set[str]:
    return {node.company_id for node in dataset.subcontracts if node.site_id == site_id}


def test_every_site_has_own_orderer(dataset: Dataset) -> None:
    names = {company.company_id: company.name for company in dataset.companies}
    orderers = [site.orderer_company_id for site in dataset.sites]
    assert None not in orderers
    assert len(set(orderers)) == len(dataset.sites)
    for site in dataset.sites:
        assert site.orderer_company_id is not None
        assert names[site.orderer_company_id] == site.orderer_name


def test_orderers_outside_trees(dataset: Dataset) -> None:
    in_trees = {node.company_id for node in dataset.subcontracts}
    employers = {worker.employer_id for worker in dataset.workers}
    past = {job.company_id for w in dataset.workers for job in w.past_employers}
    for site in dataset.sites:
        assert site.orderer_company_id not in in_trees
        assert site.orderer_company_id not in employers
        assert site.orderer_company_id not in past


def test_orderer_persona_is_live_orderer(dataset: Dataset) -> None:
    personas = dataset.personas()
    live = next(site for site in dataset.sites if site.site_id == personas["site_id"])
    member = next(m for m in dataset.staff if m.staff_id == personas["orderer"])
    assert member.company_id == live.orderer_company_id
    assert member.roles == ("administrator",)


def test_agreements_join_live_tree(dataset: Dataset) -> None:
    live = next(site for site in dataset.sites if site.status == "live")
    companies = tree_ids(dataset, live.site_id)
    assert len(dataset.agreements) == 4
    for agreement in dataset.agreements:
        assert agreement.upper_company_id in companies
        assert agreement.lower_company_id in companies
        assert agreement.upper_company_id != agreement.lower_company_id
        assert agreement.ended_on is None or agreement.ended_on >= agreement.signed_on


def test_one_agreement_has_ended(dataset: Dataset) -> None:
    window_end = max(touch.touched_at.date() for touch in dataset.touches)
    ended = [a for a in dataset.agreements if a.ended_on is not None]
    assert len(ended) == 1
    assert ended[0].ended_on is not None
    assert ended[0].ended_on < window_end


def test_employer_agreement_with_upper(dataset: Dataset) -> None:
    personas = dataset.personas()
    staff = {member.staff_id: member.company_id for member in dataset.staff}
    pair = (staff[personas["upper"]], staff[personas["employer"]])
    pairs = {(a.upper_company_id, a.lower_company_id) for a in dataset.agreements}
    assert pair in pairs


def test_earlier_records_unchanged(dataset: Dataset) -> None:
    # The ids that README.md shows were drawn before the orderers existed.
    personas = dataset.personas()
    assert personas["worker"] == "06721840783962"
    assert personas["site_id"] == "04534645760700"
    assert personas["past_site_id"] == "10975677893845"
    assert personas["upcoming_site_id"] == "90696804568465"
