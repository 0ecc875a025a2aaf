"""A billing run reports its progress after each policy (the CLI's bar)."""

from __future__ import annotations

from .conftest import World


async def test_a_run_reports_each_policy_it_bills(world: World) -> None:
    for name in ("A", "B", "C"):
        await world.policy(name)
    world.today("2026-02-01")
    seen: list[tuple[int, int]] = []
    report = await world.service.runs.run(
        world.clock.at.date(), "test", lambda n, total: seen.append((n, total))
    )
    assert report.status == "completed"
    total = seen[0][1]
    assert total >= 3  # the policies of this database, the other tests' too
    assert [n for n, _ in seen] == list(range(1, total + 1))
    assert {t for _, t in seen} == {total}
