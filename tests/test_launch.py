"""The `thidua` command sets polars' allocator to give freed memory back soon (thidua/__main__.py),
and never over the user's own setting."""

from __future__ import annotations

import os
import sys

import pytest

from thidua.__main__ import ALLOCATOR, RETURN_SOON, main


def run_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["thidua", "--version"])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 0


def test_the_command_asks_the_allocator_to_return_memory_soon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOCATOR, raising=False)
    run_version(monkeypatch)
    assert os.environ[ALLOCATOR] == RETURN_SOON == "dirty_decay_ms:300,muzzy_decay_ms:0"


def test_a_users_own_allocator_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOCATOR, "narenas:1")
    run_version(monkeypatch)
    assert os.environ[ALLOCATOR] == "narenas:1"
