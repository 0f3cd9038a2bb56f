"""Helpers for end-to-end tests: persona actors and problem-body checks."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from ccus.auth.actors import Actor
from ccus.demo.load import read_personas
from ccus.demo.personas import persona_actor
from ccus.services import Services
from ccus.sites.models import SubcontractPath


def personas(services: Services) -> dict[str, str]:
    with services.session() as session:
        return read_personas(session)


def actor_of(services: Services, name: str) -> Actor:
    with services.session() as session:
        return persona_actor(session, read_personas(session), name)


def subtree(services: Services, site_id: str, company_id: str) -> set[str]:
    with services.session() as session:
        return set(
            session.scalars(
                select(SubcontractPath.descendant_company_id).where(
                    SubcontractPath.site_id == site_id,
                    SubcontractPath.ancestor_company_id == company_id,
                )
            )
        )


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["type"].startswith("https://")
    return dict(body)
