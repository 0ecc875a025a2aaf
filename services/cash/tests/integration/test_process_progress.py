"""Processing an imported file reports the outcomes of each page of lines as it goes (the
CLI's bar)."""

from __future__ import annotations

from collections import Counter

from .conftest import World
from .samples import Entry, camt053


async def test_processing_reports_every_line_with_its_outcome(world: World) -> None:
    acc = await world.account("A", "Harbour Freight Pte Ltd")
    inv = await world.invoice(acc, "INV-1", "1250.00")
    await world.sync()
    raw = camt053(
        [
            Entry(world.id("E1"), "1250.00", "HARBOUR FREIGHT", f"Invoice {inv}"),
            Entry(world.id("E2"), "77.00", "SOMEONE UNKNOWN", "no reference"),
            Entry(world.id("E3"), "12.00", "ANOTHER STRANGER", "misc"),
        ]
    )
    r = await world.upload(raw, process="false")
    assert r.status_code == 201, r.text

    seen: list[Counter[str]] = []
    outcomes = await world.service.app.process(batch=2, progress=seen.append)

    assert [page.total() for page in seen] == [2, 1]  # two pages of new lines
    assert sum(seen, Counter()) == outcomes
    assert await world.service.app.process(progress=seen.append) == Counter()
    assert len(seen) == 2  # nothing left to do: no more reports
