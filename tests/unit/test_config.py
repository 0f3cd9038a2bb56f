"""Settings read from CCUS_* variables."""

from __future__ import annotations

import pytest

from ccus.config import load_settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, True),
        ("", True),
        ("true", True),
        ("ON", True),
        ("0", False),
        ("no", False),
    ],
)
def test_group_commit_flag_values(raw: str | None, expected: bool) -> None:
    environ = {} if raw is None else {"CCUS_AUDIT_GROUP_COMMIT": raw}
    assert load_settings(environ).audit_group_commit is expected


def test_group_commit_flag_rejects_other_words() -> None:
    with pytest.raises(ValueError, match="CCUS_AUDIT_GROUP_COMMIT is 'sometimes'"):
        load_settings({"CCUS_AUDIT_GROUP_COMMIT": "sometimes"})


def test_token_rate_limit_setting() -> None:
    assert load_settings({}).token_requests_per_minute == 600
    chosen = load_settings({"CCUS_TOKEN_REQUESTS_PER_MINUTE": "50"})
    assert chosen.token_requests_per_minute == 50


@pytest.mark.parametrize("raw", ["0", "-5", "many", "1.5"])
def test_token_rate_limit_rejects_bad_values(raw: str) -> None:
    with pytest.raises(ValueError, match="CCUS_TOKEN_REQUESTS_PER_MINUTE"):
        load_settings({"CCUS_TOKEN_REQUESTS_PER_MINUTE": raw})
