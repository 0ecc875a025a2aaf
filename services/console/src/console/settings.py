"""Settings of the console, from ``CONSOLE_*`` environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore")

    ledger_url: str = Field(default="http://127.0.0.1:8000", description="The ledger's HTTP API")
    dunning_url: str = Field(
        default="http://127.0.0.1:8001", description="The dunning service's HTTP API"
    )
    commission_url: str = Field(
        default="http://127.0.0.1:8002", description="The commission service's HTTP API"
    )
    host: str = "127.0.0.1"
    port: int = 8005
    session_secret: SecretStr = Field(
        default=SecretStr("change-me: development session secret"),
        description="Signs the session cookie (the signed-in name and access token); set "
        "your own outside development.",
    )
    session_https_only: bool = Field(
        default=False, description="Send the session cookie over HTTPS only (production)."
    )
    demo_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token `console demo` sends to the services (an admin that may "
        "name the users it acts for; `make run` mints one)",
    )
    backend_timeout: float = Field(default=15.0, gt=0, description="Seconds per backend call")
    log_level: str = "INFO"
    access_log: bool = Field(default=True, description="Log every HTTP request (uvicorn).")
