"""Shared fixtures and Hypothesis profiles (HYPOTHESIS_PROFILE=ci|explore|dev|fuzz; ci by
default)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# ci: the same 60 examples of each property on every run and machine (derandomize), so that what
# passed here passes in CI, and a failure there is the one seen here; new ground is searched by
# `explore` (the same size, a new draw each run, failures kept in the local database) and fuzz
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=20, deadline=None)
settings.register_profile("fuzz", max_examples=20_000, deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite's exact texts are the English ones (the message ids), except in the tests that
    are about the language (tests/test_i18n.py, the README's session), which ask for Vietnamese
    with the `vietnamese` fixture. Every test starts in English, whatever the one before chose."""
    from thidua import i18n

    monkeypatch.setenv(i18n.ENVIRONMENT, "en")
    i18n.use("en")


@pytest.fixture
def vietnamese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default: no THIDUA_LANG, so Vietnamese."""
    from thidua import i18n

    monkeypatch.delenv(i18n.ENVIRONMENT, raising=False)
    i18n.use(i18n.DEFAULT)


@pytest.fixture
def shared() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not beside this checkout")
    return SHARED
