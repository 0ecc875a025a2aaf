"""The app's own lifespan (``ledger serve``): what start-up leaves behind."""

from __future__ import annotations

import gc

from ledger.adapters.http.app import YOUNG_GENERATION, create_app
from ledger.settings import Settings


async def test_start_up_takes_its_heap_out_of_the_collectors_scans(
    ledger_settings: Settings,
) -> None:
    """A full collection would otherwise scan every module, model and route of the
    process to find nothing, with the event loop stopped (about 0.1 s under load)."""
    threshold = gc.get_threshold()
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    settings = ledger_settings.model_copy(update={"checkpoint_interval": 0})
    app = create_app(settings=settings)
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 50_000  # the modules, models and routes
            assert gc.get_threshold()[0] == YOUNG_GENERATION
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
