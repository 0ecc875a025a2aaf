"""docker-compose.yml sets only environment variables the services' settings know, and the
stack has what the design asks for (no Docker engine runs here: the file is checked)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {
    "LEDGER_": "ledger.settings",
    "DUNNING_": "dunning.settings",
    "COMMISSION_": "commission.settings",
    "BILLING_": "billing.settings",
    "CASH_": "cash.settings",
    "CONSOLE_": "console.settings",
}


def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return doc


def app_services(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services run from our image (infrastructure images have their own variables)."""
    return {n: s for n, s in doc["services"].items() if s.get("image") == "receivables:latest"}


def test_every_variable_exists_in_the_settings() -> None:
    checked = 0
    for name, service in app_services(compose()).items():
        for var in service.get("environment", {}):
            prefix = next((p for p in SETTINGS if var.startswith(p)), None)
            assert prefix is not None, f"{name}: {var} belongs to no service"
            try:
                module = importlib.import_module(SETTINGS[prefix])
            except ModuleNotFoundError:
                continue  # that service is not installed yet
            fields = module.Settings.model_fields
            assert var[len(prefix) :].lower() in fields, f"{name}: {var} is no setting"
            checked += 1
    assert checked >= 10


def _settings_of(prefix: str) -> Any:
    try:
        return importlib.import_module(SETTINGS[prefix]).Settings
    except ModuleNotFoundError:
        return None  # that service is not installed yet


def test_every_service_verifies_tokens_and_holds_a_ledger_credential() -> None:
    """Keys are provisioned: each service that authenticates callers is given the issuer
    and its JWKS; each that calls the ledger a token and an API key setting (either works)."""
    checked = 0
    for name, service in app_services(compose()).items():
        env = service.get("environment", {})
        prefix = name.upper() + "_"
        settings = _settings_of(prefix) if prefix in SETTINGS else None
        if settings is None:
            continue
        fields = settings.model_fields
        if "auth_jwks" in fields:
            assert {f"{prefix}AUTH_ISSUER", f"{prefix}AUTH_JWKS"} <= set(env), name
            checked += 1
        if "ledger_token" in fields and name != "ledger":
            assert {f"{prefix}LEDGER_TOKEN", f"{prefix}LEDGER_API_KEY"} <= set(env), name
            checked += 1
    assert checked >= 9  # five services verify tokens, four call the ledger


_DEFAULTED = re.compile(r"\$\{[A-Z0-9_]+:-([^}]*)\}")


@pytest.mark.parametrize("name", ["ledger", "dunning", "commission", "billing", "cash", "console"])
def test_the_settings_start_with_the_files_defaults(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no variable of the host set, each ``${VAR:-default}`` is its default (often
    empty): every service's settings still load from that environment."""
    service = compose()["services"][name]
    settings = _settings_of(name.upper() + "_")
    if settings is None:
        pytest.skip(f"{name} is not installed")
    for var, value in service.get("environment", {}).items():
        monkeypatch.setenv(var, _DEFAULTED.sub(lambda m: m.group(1), str(value)))
    settings()

    doc = compose()
    services = doc["services"]
    assert {"postgres", "kafka", "migrate", "ledger", "relay", "dunning", "commission"} <= set(
        services
    )
    assert services["kafka"]["image"].startswith("apache/kafka")
    assert "controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    for name in ("postgres", "kafka", "ledger", "relay", "dunning", "commission"):
        assert "healthcheck" in services[name], name
    for name in ("ledger", "relay"):
        deps = services[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
    assert services["relay"]["command"][:2] == ["ledger", "relay"]


@pytest.mark.parametrize("line", ["USER 10001:10001", "AS build", "AS runtime", "-slim"])
def test_the_image_is_multi_stage_slim_and_unprivileged(line: str) -> None:
    assert line in (ROOT / "deploy" / "Dockerfile").read_text()
