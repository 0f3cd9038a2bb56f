"""Bad input gets a 4xx problem body that names the problem and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from ccus.history.models import CardTouch
from ccus.registry.mynumber import check_digit
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, assert_problem, personas


def touch_count(server: LiveServer) -> int:
    with server.services.session() as session:
        return int(session.scalar(select(func.count()).select_from(CardTouch)) or 0)


def valid_touch(server: LiveServer, **changes: object) -> dict[str, object]:
    touch: dict[str, object] = {
        "touch_id": "bad-input-1",
        "worker_id": personas(server.services)["worker"],
        "touched_at": "2026-11-27T08:00:00+09:00",
        "direction": "in",
    }
    touch.update(changes)
    return touch


def post_raw(server: LiveServer, content: bytes) -> object:
    site_id = personas(server.services)["site_id"]
    with server.client(actor_of(server.services, "device")) as client:
        return client.post(
            f"/sites/{site_id}/touches",
            content=content,
            headers={"Content-Type": "application/json"},
        )


BAD_BODIES = {
    "malformed json": b'{"touches": [',
    "not an object": b"[1, 2, 3]",
    "empty batch": b'{"touches": []}',
    "unknown top field": b'{"touches": [], "extra": true}',
    "deep nesting": b'{"touches": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "invalid utf-8": b'{"touches": [{"touch_id": "\xff\xfe"}]}',
    "lone surrogate": b'{"touches": [{"touch_id": "\\ud800", "worker_id": '
    b'"00000000000001", "touched_at": "2026-11-27T08:00:00+09:00", '
    b'"direction": "in"}]}',
}


@pytest.mark.parametrize("content", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_body_changes_nothing(server: LiveServer, content: bytes) -> None:
    before = touch_count(server)
    assert_problem(post_raw(server, content), 400)  # type: ignore[arg-type]
    assert touch_count(server) == before


BAD_TOUCHES = {
    "unknown field": {"colour": "red"},
    "wrong type": {"direction": 5},
    "bad direction": {"direction": "sideways"},
    "short worker id": {"worker_id": "12345"},
    "integer worker id": {"worker_id": 12345678901234},
    "full-width worker id": {"worker_id": "１２３４５６７８９０１２３４"},
    "worker id with newline": {"worker_id": "1234567890123\n"},
    "not a time": {"touched_at": "yesterday"},
    "empty touch id": {"touch_id": ""},
    "long touch id": {"touch_id": "x" * 65},
    "touch id with NUL": {"touch_id": "a\u0000b"},
    "touch id with space": {"touch_id": "a b"},
}


@pytest.mark.parametrize("changes", BAD_TOUCHES.values(), ids=BAD_TOUCHES.keys())
def test_bad_touch_rejects_batch(
    server: LiveServer, changes: dict[str, object]
) -> None:
    before = touch_count(server)
    good = valid_touch(server, touch_id="bad-input-good")
    body = {"touches": [good, valid_touch(server, **changes)]}
    response = post_raw(server, json.dumps(body).encode())
    problem = assert_problem(response, 400)  # type: ignore[arg-type]
    assert "touches" in json.dumps(problem)
    assert touch_count(server) == before


def test_oversized_body_gets_413(server: LiveServer) -> None:
    before = touch_count(server)
    touches = [valid_touch(server, touch_id=f"big-{i}") for i in range(1000)]
    padding = {"touches": touches, "pad": "x" * (2 * 1024 * 1024)}
    response = post_raw(server, json.dumps(padding).encode())
    assert_problem(response, 413)  # type: ignore[arg-type]
    assert touch_count(server) == before


def test_too_many_touches_rejected(server: LiveServer) -> None:
    touches = [valid_touch(server, touch_id=f"many-{i}") for i in range(1001)]
    response = post_raw(server, json.dumps({"touches": touches}).encode())
    assert_problem(response, 400)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "path",
    [
        "/workers/123",
        "/workers/abcdefghijklmn",
        "/workers/１２３４５６７８９０１２３４",
        "/workers/123456789012345",
        "/sites/12/roster",
    ],
)
def test_invalid_ids_get_400(server: LiveServer, path: str) -> None:
    with server.client(actor_of(server.services, "prime")) as client:
        body = assert_problem(client.get(path), 400)
    assert "14 digits" in str(body["detail"])


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"after": "x"}])
def test_bad_roster_paging_gets_400(
    server: LiveServer, params: dict[str, object]
) -> None:
    site_id = personas(server.services)["site_id"]
    with server.client(actor_of(server.services, "prime")) as client:
        assert_problem(client.get(f"/sites/{site_id}/roster", params=params), 400)


def test_unknown_route_gets_404(server: LiveServer) -> None:
    with server.client() as client:
        body = assert_problem(client.get("/no/such/route"), 404)
    assert body["request_id"]


def test_wrong_method_gets_405(server: LiveServer) -> None:
    with server.client() as client:
        assert_problem(client.delete("/health"), 405)


def test_bad_purpose_gets_400(server: LiveServer) -> None:
    target = personas(server.services)["worker"]
    with server.client(actor_of(server.services, "worker")) as client:
        response = client.get(
            f"/workers/{target}", headers={"X-CCUS-Purpose": "Robert'); DROP"}
        )
    assert_problem(response, 400)


def test_audit_filters_reject_bad_values(server: LiveServer) -> None:
    with server.client(actor_of(server.services, "regulator")) as client:
        assert_problem(client.get("/audit/events", params={"worker_id": "1"}), 400)
        assert_problem(client.get("/audit/events", params={"decision": "x"}), 400)
        naive = {"since": "2026-11-01T00:00:00"}
        assert_problem(client.get("/audit/events", params=naive), 400)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/audit/events", {"before": 2**63}),
        ("/audit/events", {"since": "9999-12-31T23:59:59-14:00"}),
        ("/audit/events", {"until": "0001-01-01T00:00:00+14:00"}),
        ("/audit/events", {"since": "1990-01-01T00:00:00+09:00"}),
    ],
)
def test_out_of_range_audit_filters_get_400(
    server: LiveServer, path: str, params: dict[str, object]
) -> None:
    with server.client(actor_of(server.services, "regulator")) as client:
        assert_problem(client.get(path, params=params), 400)


def test_huge_roster_cursor_gets_400(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    with server.client(actor_of(server.services, "prime")) as client:
        response = client.get(f"/sites/{site_id}/roster", params={"after": 2**63})
    assert_problem(response, 400)


def test_validation_error_hides_value(server: LiveServer) -> None:
    touch = valid_touch(server, direction="secret-value-xyz")
    response = post_raw(server, json.dumps({"touches": [touch]}).encode())
    assert_problem(response, 400)  # type: ignore[arg-type]
    assert "secret-value-xyz" not in response.text  # type: ignore[attr-defined]


def test_empty_body_named_missing(server: LiveServer) -> None:
    body = assert_problem(post_raw(server, b""), 400)  # type: ignore[arg-type]
    assert "missing" in json.dumps(body)


def test_responses_are_not_cacheable(server: LiveServer) -> None:
    target = personas(server.services)["worker"]
    with server.client(actor_of(server.services, "worker")) as client:
        response = client.get(f"/workers/{target}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "Authorization" in response.headers["vary"]


def test_purpose_with_individual_number_rejected(server: LiveServer) -> None:
    from ccus.registry.mynumber import check_digit

    number = "98765432109" + str(check_digit("98765432109"))
    target = personas(server.services)["worker"]
    with server.client(actor_of(server.services, "worker")) as client:
        response = client.get(
            f"/workers/{target}", headers={"X-CCUS-Purpose": f"p{number}"}
        )
    problem = assert_problem(response, 400)
    assert problem["type"].endswith("/individual-number")
    assert number not in response.text


def test_personal_values_in_path_masked(server: LiveServer, log_capture) -> None:  # type: ignore[no-untyped-def]
    # Other tests scan the whole log for the number their helper builds, so
    # this test uses another valid one.
    number = "98765432109" + str(check_digit("98765432109"))
    phone = "09012345678"
    with server.client(actor_of(server.services, "employer")) as client:
        for value in (number, phone, "山田太郎"):
            response = client.get(f"/workers/{value}")
            assert response.status_code == 400
            assert response.json()["instance"] == "/workers/*"
            assert value not in response.text
    # The test's own HTTP client logs the URLs it requests; only the
    # service's lines count.
    service_lines = [
        line
        for line in log_capture.text().splitlines()
        if '"logger": "httpx"' not in line and '"logger": "httpcore' not in line
    ]
    for value in (number, phone, "山田太郎"):
        assert not [line for line in service_lines if value in line]
