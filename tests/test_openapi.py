"""The committed OpenAPI document matches the service."""

from __future__ import annotations

import json
from pathlib import Path

from ccus.openapi_doc import render_openapi
from tests.conftest import LiveServer

COMMITTED = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_document_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render_openapi(), (
        "openapi/openapi.json is out of date; run 'ccus openapi' and commit it"
    )


def test_served_document_matches_committed(server: LiveServer) -> None:
    with server.client() as client:
        served = client.get("/schema/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(COMMITTED.read_text(encoding="utf-8"))


def test_document_lists_every_route() -> None:
    paths = set(json.loads(COMMITTED.read_text(encoding="utf-8"))["paths"])
    assert {
        "/health",
        "/workers/me",
        "/workers/{worker_id}",
        "/sites/{site_id}/roster",
        "/sites/{site_id}/touches",
        "/audit/events",
    } <= paths
