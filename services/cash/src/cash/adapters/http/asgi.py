"""ASGI entry point for ``uvicorn cash.adapters.http.asgi:app``."""

from cash.adapters.http.app import create_app

app = create_app()
