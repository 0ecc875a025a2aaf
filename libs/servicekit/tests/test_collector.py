"""The collector is paused for overlapping jobs and back as it was after the last."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from servicekit.collector import paused_collector


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_overlapping_jobs_resume_the_collector_after_the_last(collector_on: None) -> None:
    first, second = paused_collector(), paused_collector()
    first.__enter__()
    assert not gc.isenabled()
    second.__enter__()
    first.__exit__(None, None, None)  # the jobs need not end in the order they began
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_job_that_fails_resumes_the_collector(collector_on: None) -> None:
    with pytest.raises(RuntimeError), paused_collector():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off(collector_on: None) -> None:
    gc.disable()
    with paused_collector():
        assert not gc.isenabled()
    assert not gc.isenabled()
