"""No personal value of the demo workers is stored or logged in plaintext."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from ccus.demo.dataset import Dataset
from tests.conftest import Backend, LiveServer, LogCapture
from tests.e2e.helpers import actor_of, personas


def personal_values(dataset: Dataset) -> set[str]:
    """Names, katakana names, phones, addresses and emails of every worker."""
    values: set[str] = set()
    for worker in dataset.workers:
        identity = worker.groups["identity"]
        contact = worker.groups["contact"]
        emergency = worker.groups["emergency_contact"]
        values.update(
            [
                identity["name"],
                identity["name_kana"],
                contact["address"],
                contact["phone"],
                emergency["name"],
                emergency["address"],
                emergency["phone"],
            ]
        )
        if contact["email"]:
            values.add(contact["email"])
    return values


def found_in(blob: bytes, values: set[str]) -> list[str]:
    return sorted(value for value in values if value.encode() in blob)


def test_values_are_long_enough(dataset: Dataset) -> None:
    values = personal_values(dataset)
    assert len(values) > 1000
    # The shortest are names such as 林　茂: nine bytes in UTF-8, too long to
    # turn up by chance in ciphertext.
    assert min(len(value) for value in values) >= 3


def test_database_holds_no_plaintext(
    server: LiveServer, backend: Backend, dataset: Dataset
) -> None:
    values = personal_values(dataset)
    if backend.kind == "sqlite":
        database = Path(str(make_url(backend.url).database))
        files = sorted(database.parent.glob(database.name + "*"))
        assert database in files
        blob = b"".join(path.read_bytes() for path in files)
    else:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            pytest.fail("pg_dump is not installed; install Debian's postgresql-client")
        url = make_url(backend.url).set(drivername="postgresql")
        blob = subprocess.run(  # noqa: S603 - fixed program, URL from the test config
            [pg_dump, "--data-only", url.render_as_string(hide_password=False)],
            check=True,
            capture_output=True,
        ).stdout
        assert b"COPY public.workers" in blob
    assert found_in(blob, values) == []


def test_responses_and_logs_hold_no_plaintext(
    server: LiveServer, dataset: Dataset, log_capture: LogCapture
) -> None:
    target = personas(server.services)["worker"]
    site_id = personas(server.services)["site_id"]
    names = ["worker", "employer", "prime", "upper", "outsider", "regulator"]
    disclosed = 0
    for name in names:
        with server.client(actor_of(server.services, name)) as client:
            disclosed += client.get(f"/workers/{target}").status_code == 200
            client.get(f"/sites/{site_id}/roster")
            client.get("/workers/0000000000000x")
    assert disclosed == 4
    text = log_capture.text()
    assert "ccus.access" in text
    assert found_in(text.encode(), personal_values(dataset)) == []
    token = server.services.tokens.issue(actor_of(server.services, "prime"))
    assert token.split(".")[2] not in text
    assert '"logger": "uvicorn.access"' not in text, "client addresses were logged"
