"""Engine construction: the pool acts as the writer role that cannot alter events."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def make_engine(url: str, *, role: str = "", pool_size: int = 20) -> AsyncEngine:
    connect_args: dict[str, Any] = {}
    if role:
        connect_args["server_settings"] = {"role": role}
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        json_serializer=_dumps,
        connect_args=connect_args,
    )
