"""The interface a transport offers the consumer loop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from eventfeed.event import LedgerEvent


class Source(Protocol):
    """A transport of ledger events.

    The consumer calls ``open`` once, then ``fetch`` in a loop; after its transaction
    commits it calls ``ack`` with that batch; after a failure ``rewind`` makes the next
    ``fetch`` deliver again everything not acked (at least once).
    """

    kind: str  # "kafka" or "http"

    async def open(self, *, after: int, from_beginning: bool = False) -> None:
        """Start; ``after`` is the consumer's stored feed position (the HTTP cursor)."""
        ...

    async def fetch(self, max_events: int, wait: float) -> list[LedgerEvent]:
        """The next events (maybe none after ``wait`` seconds), in order per account."""
        ...

    async def ack(self, events: Sequence[LedgerEvent]) -> None: ...

    async def rewind(self) -> None: ...

    async def close(self) -> None: ...

    def lag(self) -> int | None:
        """Events behind the head after the last fetch (None: unknown yet)."""
        ...

    async def caught_up(self) -> bool:
        """Everything published when this was first asked (or since) has been fetched."""
        ...

    async def head(self) -> object:
        """Where the source ends now (a marker for :meth:`reached`): what has been
        published so far, whatever is published after."""
        ...

    async def reached(self, head: object) -> bool:
        """Has everything up to ``head`` (from :meth:`head`) been fetched and acked?"""
        ...
