"""The command line: keys, start-up without keys, demo commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ccus.cli import main


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "CCUS_KEYS_DIR": str(tmp_path / "keys"),
        "CCUS_DATABASE_URL": f"sqlite:///{tmp_path / 'ccus.sqlite3'}",
    }


def test_keys_init_creates_once(env: dict[str, str]) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["keys", "init"], env=env)
    second = runner.invoke(main, ["keys", "init"], env=env)
    assert first.exit_code == 0
    assert "created" in first.output
    assert "already present" in second.output


def test_keys_init_refused_in_production(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["keys", "init"], env={**env, "CCUS_MODE": "production"}
    )
    assert result.exit_code == 1
    assert "refusing to create keys in production mode" in result.output
    assert not Path(env["CCUS_KEYS_DIR"]).exists()


@pytest.mark.parametrize("mode", ["development", "production"])
def test_serve_without_keys_names_keyring(env: dict[str, str], mode: str) -> None:
    result = CliRunner().invoke(main, ["serve"], env={**env, "CCUS_MODE": mode})
    assert result.exit_code == 1
    assert "keyring.json is missing" in result.output
    assert not Path(env["CCUS_KEYS_DIR"]).exists()


def test_unknown_mode_rejected(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["keys", "init"], env={**env, "CCUS_MODE": "prod"}
    )
    assert result.exit_code == 1
    assert "set it to 'development' or 'production'" in result.output


def test_demo_commands_need_loaded_demo(env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(main, ["keys", "init"], env=env)
    assert runner.invoke(main, ["migrate"], env=env).exit_code == 0
    personas = runner.invoke(main, ["demo", "personas"], env=env)
    assert personas.exit_code == 1
    assert "ccus demo load" in personas.output


def test_demo_token_rejects_unknown_persona(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["demo", "token", "admin"], env=env)
    assert result.exit_code == 2
    assert "unknown persona 'admin'" in result.output
