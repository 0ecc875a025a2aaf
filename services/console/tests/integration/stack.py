"""The whole stack on real ports for the console's tests: the ledger, dunning, commission
and the console, each a uvicorn server on 127.0.0.1, all on one event loop in a thread,
over real PostgreSQL databases; the demo portfolio (small) loaded through their APIs."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI

T = TypeVar("T")


def listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@dataclass
class Served:
    name: str
    sock: socket.socket
    server: uvicorn.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"


@dataclass
class LiveStack:
    """Start with :meth:`start`, serve apps with :meth:`serve`, stop with :meth:`stop`."""

    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    served: dict[str, Served] = field(default_factory=dict)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def reserve(self, name: str) -> str:
        """A port for ``name`` (known before its app is built, so others can point at it)."""
        self.served[name] = Served(name, listening_socket())
        return self.served[name].url

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 600) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout)

    def serve(self, name: str, app: FastAPI) -> None:
        served = self.served[name]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        served.server = uvicorn.Server(config)
        server = served.server

        async def start() -> None:
            self.loop.create_task(server.serve(sockets=[served.sock]))
            while not server.started:
                if server.should_exit:
                    raise RuntimeError(f"{name} did not start")
                await asyncio.sleep(0.02)

        self.run(start(), timeout=60)

    def stop(self) -> None:
        async def shutdown() -> None:
            for served in reversed(list(self.served.values())):
                if served.server is not None:
                    served.server.should_exit = True
            for _ in range(200):
                if all(s.server is None or not s.server.started for s in self.served.values()):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)

        try:
            self.run(shutdown(), timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            if self._thread is not None:
                self._thread.join(10)
            if not self.loop.is_running():
                self.loop.close()
            for served in self.served.values():
                served.sock.close()


def outbox(tmp: Path) -> Path:
    path = tmp / "outbox"
    path.mkdir(parents=True, exist_ok=True)
    return path
