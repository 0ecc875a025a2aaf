"""What the local servers devstack runs (PostgreSQL, the Kafka broker) have in common."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class LocalServer(ABC):
    """A server started on this machine: ``with`` starts it and stops it again."""

    @abstractmethod
    def start(self) -> str:
        """Start the server (idempotent); return the address clients connect to."""

    @abstractmethod
    def stop(self) -> None:
        """Stop the server (idempotent)."""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
