"""The cyclic garbage collector paused while a job makes many objects at once.

A job that holds tens of thousands of short-lived, acyclic objects alive (a batch of
commands with their events, rows and answers; a scan of the whole event store) pays for
the collector's passes over all of them again and again, while reference counting frees
them anyway. ``paused_collector()`` turns the collector off for the job and back on when
the last job that paused it ends: jobs may overlap (two batches on one event loop), and a
collector someone else turned off stays off.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_paused = 0  # jobs running with the collector paused
_resume = False  # whether the collector was on when the first of them began


@contextlib.contextmanager
def paused_collector() -> Iterator[None]:
    global _paused, _resume
    if _paused == 0:
        _resume = gc.isenabled()
        gc.disable()
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1
        if _paused == 0 and _resume:
            gc.enable()
