"""A consumer process the tests kill with SIGKILL: argv = database URL, bootstrap servers,
topic, group id. Slow on purpose (10 ms per event), so a kill lands mid-batch."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

sys.path.insert(0, str(Path(__file__).parent))

import support

from eventfeed import Consumer, KafkaSource, LedgerEvent


async def slow(conn: AsyncConnection, event: LedgerEvent) -> None:
    await support.handle(conn, event)
    await asyncio.sleep(0.01)


async def main(url: str, bootstrap: str, topic: str, group: str) -> None:
    engine = create_async_engine(url)
    source = KafkaSource(
        bootstrap, topic=topic, group_id=group, session_timeout_ms=6000, heartbeat_interval_ms=1000
    )
    await Consumer("test", engine, slow, source, max_batch=100, poll_wait=0.2).run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
