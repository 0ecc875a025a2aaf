"""ASGI entry point for ``uvicorn commission.adapters.http.asgi:app``."""

from commission.adapters.http.app import create_app

app = create_app()
