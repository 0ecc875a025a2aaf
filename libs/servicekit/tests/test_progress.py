"""servicekit.progress: a bar only on a terminal, a summary line always (unless the job failed)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from servicekit.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _clock(*times: float) -> Iterator[float]:
    return iter(times)


def test_off_a_terminal_only_the_summary_is_written() -> None:
    out = io.StringIO()
    ticks = _clock(100.0, 103.25)
    with Progress("verify", unit="account", stream=out, clock=lambda: next(ticks)) as p:
        for n in range(1, 2001):
            p.reach(n, events=n * 24)
    assert out.getvalue() == "verify: 2,000 accounts, 48,000 events in 3.2 s\n"
    assert p.updates == 2000
    assert not p.shown


def test_on_a_terminal_a_bar_is_drawn_with_its_total() -> None:
    out = _Terminal()
    with Progress("billing run", unit="policy", units="policies", stream=out, total=10) as p:
        for n in range(1, 11):
            p.reach(n, total=10)
    assert p.shown
    drawn = out.getvalue()
    assert "billing run:   0%|" in drawn
    assert "0/10 [" in drawn
    assert drawn.split("\r")[-1].startswith("billing run: 10 policies in ")


def test_advance_adds_and_counts_every_report() -> None:
    out = io.StringIO()
    with Progress("import", unit="line", stream=out, show=False) as p:
        p.advance(posted=1)
        p.advance(3, posted=2, suspense=1)
        p.advance()
    assert (p.done, p.updates) == (5, 3)
    assert p.counts == {"posted": 3, "suspense": 1}
    assert out.getvalue().startswith("import: 5 lines, 3 posted, 1 suspense in ")


def test_one_item_is_singular() -> None:
    out = io.StringIO()
    with Progress("rebuild", unit="account", stream=out) as p:
        p.advance()
    assert out.getvalue().startswith("rebuild: 1 account in ")


def _failing_job(out: io.StringIO) -> None:
    with Progress("verify", stream=out) as p:
        p.advance()
        raise RuntimeError("database went away")


def test_a_failed_job_writes_no_summary() -> None:
    out = io.StringIO()
    with pytest.raises(RuntimeError, match="went away"):
        _failing_job(out)
    assert out.getvalue() == ""
