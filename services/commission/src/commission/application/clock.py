"""Time arrives from a clock the composition root injects (tests pass a fixed one, and
settling as of a known time does too)."""

from __future__ import annotations

from servicekit.clock import Clock, FixedClock, SystemClock

__all__ = ["Clock", "FixedClock", "SystemClock"]
