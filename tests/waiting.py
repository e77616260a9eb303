"""Waiting in tests on a condition, never on the clock.

A test that sleeps for a fixed time, or gives up after a few seconds, passes on an idle laptop and
fails on a loaded CI machine. `wait_for` polls a condition and returns as soon as it holds; its
deadline is only a hang guard, generous enough for a machine running several times more work than
it has cores (the scale tests were run 10 times under `stress-ng --cpu 4` on two cores).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

PATIENCE = 300.0  # seconds before a wait gives up: a hang guard, not a measurement
SLOW_TEST_TIMEOUT = 1200  # pytest-timeout for a test that waits several times (default 300 s)


def wait_for(check: Callable[[], T], what: str, timeout: float = PATIENCE) -> T:
    """Poll `check` until it returns something truthy, and return that.

    Polls quickly at first, then up to once a second, so a loaded machine is not loaded more by
    the polling (a check may read a log or query the store)."""
    deadline = time.monotonic() + timeout
    pause = 0.02
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(pause)
        pause = min(pause * 1.5, 1.0)
