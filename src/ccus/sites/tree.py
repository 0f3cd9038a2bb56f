"""Maintain the closure of a site's subcontract tree."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccus.sites.models import Subcontract, SubcontractPath


def add_subcontract(
    session: Session, site_id: str, company_id: str, parent_company_id: str | None
) -> Subcontract:
    """Place ``company_id`` under ``parent_company_id`` in a site's tree.

    Raises:
        ValueError: the parent is not in the tree, or a root already exists.
    """
    if parent_company_id is None:
        tier = 0
        existing_root = session.scalar(
            select(Subcontract).where(
                Subcontract.site_id == site_id, Subcontract.tier == 0
            )
        )
        if existing_root is not None:
            raise ValueError(f"site {site_id} already has a prime contractor")
        ancestors: list[tuple[str, int]] = []
    else:
        parent = session.get(Subcontract, (site_id, parent_company_id))
        if parent is None:
            raise ValueError(
                f"company {parent_company_id} is not in the tree of site {site_id}"
            )
        tier = parent.tier + 1
        ancestors = [
            (row.ancestor_company_id, row.depth + 1)
            for row in session.scalars(
                select(SubcontractPath).where(
                    SubcontractPath.site_id == site_id,
                    SubcontractPath.descendant_company_id == parent_company_id,
                )
            )
        ]
    node = Subcontract(
        site_id=site_id,
        company_id=company_id,
        tier=tier,
        parent_company_id=parent_company_id,
    )
    session.add(node)
    session.add(
        SubcontractPath(
            site_id=site_id,
            ancestor_company_id=company_id,
            descendant_company_id=company_id,
            depth=0,
        )
    )
    for ancestor_id, depth in ancestors:
        session.add(
            SubcontractPath(
                site_id=site_id,
                ancestor_company_id=ancestor_id,
                descendant_company_id=company_id,
                depth=depth,
            )
        )
    session.flush()
    return node
