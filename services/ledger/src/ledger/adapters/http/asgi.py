"""ASGI entry point for uvicorn: ``ledger.adapters.http.asgi:app``."""

from ledger.adapters.http.app import create_app

app = create_app()
