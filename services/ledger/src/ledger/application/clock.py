"""The clock of the application; the domain never reads time, commands carry it."""

from __future__ import annotations

from servicekit.clock import Clock, FixedClock, SystemClock

__all__ = ["Clock", "FixedClock", "SystemClock"]
