"""``uvicorn billing.adapters.http.asgi:app`` -- the app built from the environment."""

from __future__ import annotations

from billing.adapters.http.app import create_app

app = create_app()
