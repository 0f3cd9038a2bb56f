"""Hypothesis profiles of the policy tests, and a count of what they checked.

``CCUS_HYPOTHESIS_PROFILE=long`` runs the property test on 5,000 worlds in
place of 300. The profiles apply to the policy tests only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings

PROFILE_ENV = "CCUS_HYPOTHESIS_PROFILE"
PROFILES = {
    "default": settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    ),
    "long": settings(
        max_examples=5000,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    ),
}


@dataclass
class DecisionTally:
    """Worlds and decisions the property test compared in this run.

    ``disclosures`` counts (actor, worker, group) decisions. ``others``
    counts every other decision: existence, contact, erasure, roster scope,
    subtree, consent, device, audit log and directory.
    """

    worlds: int = 0
    disclosures: int = 0
    others: int = 0


TALLY_KEY = pytest.StashKey[DecisionTally]()


@pytest.fixture(scope="session")
def policy_settings() -> settings:
    """Return the Hypothesis settings that ``CCUS_HYPOTHESIS_PROFILE`` names."""
    name = os.environ.get(PROFILE_ENV, "default") or "default"
    if name not in PROFILES:
        raise pytest.UsageError(
            f"{PROFILE_ENV}={name!r} is not a profile; use one of {sorted(PROFILES)}"
        )
    return PROFILES[name]


@pytest.fixture(scope="session")
def decision_tally(pytestconfig: pytest.Config) -> DecisionTally:
    return pytestconfig.stash.setdefault(TALLY_KEY, DecisionTally())


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    tally = config.stash.get(TALLY_KEY, None)
    if tally is None or tally.worlds == 0:
        return
    terminalreporter.write_line(
        f"policy reference: {tally.worlds} worlds, {tally.disclosures} "
        f"(actor, worker, group) decisions and {tally.others} other decisions "
        "compared"
    )
