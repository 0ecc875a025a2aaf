"""Transient database failures: told apart from defects, retried where the whole
transaction can be redone, and otherwise answered ``503`` with ``Retry-After``.

A deadlock (SQLSTATE ``40P01``), a serialization failure (``40001``), a lock not
available (``55P03``), a connection lost or refused, a server shutting down or starting
(``57P01``-``57P03``, class ``08``), too many connections (``53300``) and a pool timeout
are *transient*: the same request may well succeed a moment later, and nothing of a
rolled-back transaction was written.

:func:`retrying` runs a transaction again a bounded number of times with full jitter;
:class:`servicekit.Problems` answers what still fails (or what is not retried, e.g. a read) as
``503 application/problem+json`` with rule ``database-unavailable``. Both count in the
service's ``/metrics`` (``<service>_db_retries_total`` and
``<service>_db_unavailable_total``, by reason), through the request's
:class:`~servicekit.operations.HttpMetrics`.

A long job (a billing run, a statement import, a dunning run, a settlement) is made of
steps, each its own idempotent transaction. :class:`JobRetries` runs a step again after a
transient failure with a longer, growing wait (:data:`JOB_ATTEMPTS` runs in all), keeps the
retries by reason for the job's status, and, when the step still fails, raises
:class:`StepFailed`: the job stops with what it did kept, and running it again resumes it.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import asyncpg
from sqlalchemy import exc as sa_exc

if TYPE_CHECKING:
    from servicekit.operations import HttpMetrics

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

RETRY_AFTER_SECONDS = 2
ATTEMPTS = 4  # a transaction runs at most this many times
BASE_DELAY = 0.01  # seconds; the n-th retry sleeps up to BASE_DELAY * 2**n
MAX_DELAY = 0.25
JOB_ATTEMPTS = 5  # a long job's step runs at most this many times
JOB_BASE_DELAY = 0.25  # seconds; the n-th retry of a step sleeps up to JOB_BASE_DELAY * 2**n
JOB_MAX_DELAY = 8.0

TITLES = {
    "deadlock": "Database busy (deadlock)",
    "serialization": "Database busy (serialization failure)",
    "lock-not-available": "Database busy (lock not available)",
    "unavailable": "Database unavailable",
}

# the classes whose errors may be transient, for an exception handler
ERRORS: tuple[type[Exception], ...] = (
    sa_exc.DBAPIError,
    sa_exc.TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)

_BY_SQLSTATE = {
    "40P01": "deadlock",
    "40001": "serialization",
    "55P03": "lock-not-available",
    "53300": "unavailable",  # too many connections
    "57P01": "unavailable",  # admin shutdown (a restart, pg_terminate_backend)
    "57P02": "unavailable",  # crash shutdown
    "57P03": "unavailable",  # cannot connect now (starting up)
}

_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ETIMEDOUT, errno.EPIPE}

# The metrics of the service answering the current request (set by MetricsMiddleware).
current_metrics: ContextVar[HttpMetrics | None] = ContextVar("current_metrics", default=None)


def _chain(e: BaseException) -> list[BaseException]:
    """``e``, the DBAPI error SQLAlchemy wraps, and the driver's errors under it. A
    service's own error raised ``from`` a database error is not followed: it was handled
    (a busy stream, a conflict)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [e]
    while todo:
        x = todo.pop()
        if x is None or any(x is s for s in seen):
            continue
        seen.append(x)
        todo.append(getattr(x, "orig", None))
        if type(x).__module__.startswith(("sqlalchemy.", "asyncpg.")):
            todo += [x.__cause__, x.__context__]
    return seen


def transient_reason(e: BaseException) -> str | None:
    """Why ``e`` is a transient database failure (``deadlock``, ``serialization``,
    ``lock-not-available``, ``unavailable``), or None if it is not one."""
    for x in _chain(e):
        state = getattr(x, "sqlstate", None) or getattr(x, "pgcode", None)
        if isinstance(state, str):
            if state in _BY_SQLSTATE:
                return _BY_SQLSTATE[state]
            if state.startswith("08"):  # connection exception
                return "unavailable"
        if isinstance(x, sa_exc.DBAPIError) and x.connection_invalidated:
            return "unavailable"
        if isinstance(
            x,
            sa_exc.TimeoutError  # the pool had no connection in time
            | asyncpg.ConnectionDoesNotExistError
            | ConnectionError  # refused, reset
            | TimeoutError,  # connecting took too long
        ):
            return "unavailable"
        if isinstance(x, asyncpg.InterfaceError) and "clos" in str(x):
            return "unavailable"  # the connection is closed, the pool closing
        if isinstance(x, OSError) and x.errno in _UNREACHABLE:
            return "unavailable"
    return None


def count(reason: str, *, retried: bool) -> None:
    """Count a retry or a 503 in the current request's service's metrics."""
    metrics = current_metrics.get()
    if metrics is not None:
        (metrics.db_retries if retried else metrics.db_unavailable).labels(reason).inc()


async def retrying(
    attempt: Callable[[], Awaitable[T]],
    *,
    attempts: int = ATTEMPTS,
    what: str = "transaction",
    base_delay: float = BASE_DELAY,
    max_delay: float = MAX_DELAY,
    on_retry: Callable[[str], object] | None = None,
) -> T:
    """``await attempt()``, again after a transient failure (a random sleep of up to
    ``base_delay * 2**n``, at most ``max_delay``, first), at most ``attempts`` times in all;
    the last failure is raised. ``attempt`` must redo the whole transaction, and be safe to
    redo (idempotent, or nothing committed). ``on_retry(reason)`` before each retry."""
    for n in range(1, attempts + 1):
        try:
            return await attempt()
        except Exception as e:
            reason = transient_reason(e)
            if reason is None or n == attempts:
                raise
            count(reason, retried=True)
            if on_retry is not None:
                on_retry(reason)
            log.info("%s: %s (%s), attempt %d of %d", what, reason, e, n, attempts)
            await asyncio.sleep(random.uniform(0, min(max_delay, base_delay * 2**n)))
    raise AssertionError("unreachable")  # pragma: no cover


def retried(use_case: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """``use_case`` run again (:func:`retrying`) after a transient failure: for a use case
    that is one transaction, idempotent by an id in its request, with nothing outside the
    database done before it commits."""

    @functools.wraps(use_case)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return await retrying(lambda: use_case(*args, **kwargs), what=use_case.__qualname__)

    return run


class StepFailed(Exception):
    """A step of a long job still failed transiently after :data:`JOB_ATTEMPTS` runs: the
    job stopped; what its earlier steps did is kept, and running the job again resumes it.
    Answered like any transient failure (``503`` with ``Retry-After``), with this message."""

    def __init__(self, what: str, reason: str, attempts: int, error: Exception) -> None:
        self.what, self.reason, self.attempts = what, reason, attempts
        self.orig = error  # what transient_reason reads
        super().__init__(
            f"{what} failed {attempts} times in a row: {TITLES[reason]} "
            f"({type(error).__name__}); the job stopped there, every step before it is done "
            "and kept; run it again to resume"
        )


@dataclass
class JobRetries:
    """The transient failures a long job's steps met and outlived, by reason."""

    attempts: int = JOB_ATTEMPTS
    base_delay: float = JOB_BASE_DELAY
    max_delay: float = JOB_MAX_DELAY
    retried: Counter[str] = field(default_factory=Counter)

    async def step(self, attempt: Callable[[], Awaitable[T]], *, what: str) -> T:
        """``await attempt()`` (one idempotent transaction), again after a transient
        failure, waiting longer each time; :class:`StepFailed` once it has failed
        ``attempts`` times in a row. A failure that is not transient is raised as it is."""

        def retry(reason: str) -> None:
            self.retried[reason] += 1
            log.warning("%s: database %s, running the step again", what, reason)

        try:
            return await retrying(
                attempt,
                attempts=self.attempts,
                what=what,
                base_delay=self.base_delay,
                max_delay=self.max_delay,
                on_retry=retry,
            )
        except Exception as e:
            reason = transient_reason(e)
            if reason is None:
                raise
            raise StepFailed(what, reason, self.attempts, e) from e

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.retried.items()))
