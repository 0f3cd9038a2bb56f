"""The login's commands: key creation, staff linking, and the demo card holders."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from ccus.audit.models import AuditEvent
from ccus.cli import main
from ccus.config import load_settings
from ccus.demo.load import read_personas
from ccus.idp.holders import read_holders
from ccus.registry.models import Staff
from ccus.services import build_services


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A loaded demo of 20 workers with keys, behind the command line."""
    root = tmp_path_factory.mktemp("login-cli")
    variables = {
        "CCUS_KEYS_DIR": str(root / "keys"),
        "CCUS_DATABASE_URL": f"sqlite:///{root / 'ccus.sqlite3'}",
        "CCUS_DATA_DIR": str(root / "var"),
    }
    runner = CliRunner()
    for command in (["keys", "init"], ["migrate"]):
        result = runner.invoke(main, command, env=variables)
        assert result.exit_code == 0, result.output
    loaded = runner.invoke(
        main, ["demo", "load", "--workers", "20", "--no-scenario"], env=variables
    )
    assert loaded.exit_code == 0, loaded.output
    assert "wrote 9 demo card holders" in loaded.output
    return variables


def test_keys_init_creates_login_keys(env: dict[str, str]) -> None:
    keys_dir = Path(env["CCUS_KEYS_DIR"])
    for name in ("login-client.jwk", "local-idp.jwk"):
        path = keys_dir / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        document = json.loads(path.read_text())
        assert document["kty"] == "EC"
        assert document["crv"] == "P-256"
        assert "d" in document
        assert document["kid"]
    again = CliRunner().invoke(main, ["keys", "init"], env=env)
    assert again.exit_code == 0
    assert again.output.count("already present") == 3


def test_demo_holders_file(env: dict[str, str]) -> None:
    path = Path(env["CCUS_DATA_DIR"]) / "local-idp-holders.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    holders = read_holders(path)
    labels = [holder.label for holder in holders]
    assert labels == [
        "worker",
        "employer",
        "prime",
        "upper",
        "past_prime",
        "outsider",
        "orderer",
        "consented",
        "newcomer",
    ]
    assert len({holder.sub for holder in holders}) == len(holders)


def test_staff_link_sets_login_index(env: dict[str, str]) -> None:
    state = build_services(load_settings(env))
    with state.session() as session:
        staff_id = read_personas(session)["outsider"]
    result = CliRunner().invoke(
        main, ["staff", "link", staff_id], env=env, input="山田　花子\n1985-04-01\n"
    )
    assert result.exit_code == 0, result.output
    assert "山田" not in result.output
    assert "1985" not in result.output
    expected = state.staff_login_index.token("山田花子", date(1985, 4, 1))
    with state.session() as session:
        row = session.get(Staff, staff_id)
        assert row is not None
        assert row.login_index == expected
        event = session.scalars(
            select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
        ).one()
    assert event.action == "link_staff_login"
    assert event.basis == [{"kind": "staff", "ref": staff_id}]
    assert "山田" not in str(event.basis)
    state.sessions.kw["bind"].dispose()


@pytest.mark.parametrize(
    ("arguments", "stdin", "message"),
    [
        (
            ["00000000000000"],
            "山田　花子\n1985-04-01\n",
            "no staff member 00000000000000",
        ),
        (["123"], "山田　花子\n1985-04-01\n", "must be exactly 14 digits"),
        (None, "山田　花子\n", "expected two lines on stdin"),
        (None, "山田　花子\n04/01/1985\n", "write it as YYYY-MM-DD"),
        (None, "123456789018\n1985-04-01\n", "individual number"),
    ],
)
def test_staff_link_rejects_bad_input(
    env: dict[str, str], arguments: list[str] | None, stdin: str, message: str
) -> None:
    if arguments is None:
        state = build_services(load_settings(env))
        with state.session() as session:
            arguments = [read_personas(session)["orderer"]]
        state.sessions.kw["bind"].dispose()
    result = CliRunner().invoke(
        main, ["staff", "link", *arguments], env=env, input=stdin
    )
    assert result.exit_code != 0
    assert message in result.output
    assert "1985" not in result.output


def test_if_empty_writes_missing_holders(env: dict[str, str]) -> None:
    path = Path(env["CCUS_DATA_DIR"]) / "local-idp-holders.json"
    before = read_holders(path)
    path.unlink()
    result = CliRunner().invoke(main, ["demo", "load", "--if-empty"], env=env)
    assert result.exit_code == 0, result.output
    assert "database already holds data" in result.output
    after = read_holders(path)
    assert [h.name for h in after] == [h.name for h in before]
