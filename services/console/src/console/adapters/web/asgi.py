"""``uvicorn console.adapters.web.asgi:app`` (what ``console serve`` runs)."""

from console.adapters.web.app import create_app

app = create_app()
