"""Progress of a long command-line job: a bar on a terminal, one summary line everywhere.

::

    with Progress("verify", unit="account") as progress:
        report = await verify_all(conn, key, lambda n, events: progress.reach(n, events=events))

On a terminal a tqdm bar counts the work (with a total when one is known); when the output
is a file or a pipe (cron, CI) nothing is drawn. When the job ends without an error one line
is written either way, e.g. ``verify: 2,000 accounts, 48,311 events in 3.2 s``. The job
reports through :meth:`Progress.advance` (work done since the last call) or
:meth:`Progress.reach` (work done so far), so any callback shape fits.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from tqdm import tqdm


class Progress:
    def __init__(
        self,
        label: str,
        *,
        unit: str = "item",
        units: str | None = None,
        total: int | None = None,
        stream: TextIO | None = None,
        show: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``units``: the plural (default ``unit`` + "s"); ``show``: draw the bar (default:
        when ``stream``, stderr by default, is a terminal)."""
        self.label, self.unit, self.units = label, unit, units or unit + "s"
        self.stream = stream or sys.stderr
        self.shown = self.stream.isatty() if show is None else show
        self.done = 0
        self.total = total
        self.updates = 0  # how many times the job reported
        self.counts: dict[str, int] = {}  # other totals named in the summary (events ...)
        self._clock = clock
        self._started = clock()
        self._bar = tqdm(
            total=total,
            desc=label,
            unit=unit,
            file=self.stream,
            disable=not self.shown,
            mininterval=0.5,
            leave=False,
        )

    def advance(self, n: int = 1, **counts: int) -> None:
        """``n`` more done; ``counts`` add to the other totals."""
        for name, value in counts.items():
            self.counts[name] = self.counts.get(name, 0) + value
        self._moved(self.done + n)

    def reach(self, done: int, *, total: int | None = None, **counts: int) -> None:
        """``done`` so far (of ``total`` when it is known); ``counts`` are totals so far."""
        self.counts.update(counts)
        if total is not None and total != self.total:
            self.total = self._bar.total = total
        self._moved(done)

    def _moved(self, done: int) -> None:
        self.updates += 1
        step, self.done = done - self.done, done
        if counts := self.counts:
            self._bar.set_postfix(counts, refresh=False)
        self._bar.update(step)

    def summary(self) -> str:
        seconds = self._clock() - self._started
        parts = [f"{self.done:,} {self.unit if self.done == 1 else self.units}"]
        parts += [f"{n:,} {name}" for name, n in self.counts.items()]
        return f"{self.label}: {', '.join(parts)} in {seconds:.1f} s"

    def close(self, *, summarise: bool = True) -> None:
        self._bar.close()
        if summarise:
            print(self.summary(), file=self.stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close(summarise=kind is None)
