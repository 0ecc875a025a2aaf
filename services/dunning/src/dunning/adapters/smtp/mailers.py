"""Mailers: SMTP through ``aiosmtplib``, or ``.eml`` files in the outbox directory."""

from __future__ import annotations

import asyncio
import re
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str = "",
        password: str = "",
        start_tls: bool = False,
        use_tls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port = host, port
        self.username, self.password = username or None, password or None
        self.start_tls, self.use_tls, self.timeout = start_tls, use_tls, timeout

    async def send(self, message: EmailMessage) -> str:
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            start_tls=self.start_tls,
            use_tls=self.use_tls,
            timeout=self.timeout,
        )
        return f"smtp:{self.host}:{self.port}"


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class OutboxDirMailer:
    """Writes each notice to ``<dir>/<account>/<notice id>.eml`` (same notice, same file)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> str:
        account = _SAFE.sub("_", str(message["X-Dunning-Account-Id"] or "unknown"))
        notice = _SAFE.sub("_", str(message["X-Dunning-Notice-Id"] or "notice"))
        path = self.directory / account / f"{notice}.eml"
        await asyncio.to_thread(self._write, path, message.as_bytes())
        return f"outbox:{path}"

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
