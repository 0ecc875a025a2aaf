"""Loading the dunning policy file (YAML, or TOML by extension) with clear errors."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dunning.domain.errors import PolicyFileError
from dunning.domain.policies import PolicySet


def default_policy_text() -> str:
    return resources.files("dunning").joinpath("policies.yaml").read_text(encoding="utf-8")


_INNER = re.compile(r"^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*): ")


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "tagged-union")):
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def parse_policies(text: str, source: str = "<policies>", *, toml: bool = False) -> PolicySet:
    """Parse and validate; a :class:`PolicyFileError` lists every problem with its place."""
    try:
        data = tomllib.loads(text) if toml else yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as e:
        raise PolicyFileError(f"{source}: not valid {'TOML' if toml else 'YAML'}: {e}") from None
    if not isinstance(data, dict):
        raise PolicyFileError(f"{source}: expected a mapping with a `policies` list")
    try:
        return PolicySet.model_validate(data)
    except ValidationError as e:
        errors = [x for x in e.errors() if x["type"] != "too_short"] or e.errors()
        places = []
        for err in errors:
            where = _where(tuple(err["loc"]))
            msg = str(err["msg"]).removeprefix("Value error, ")
            inner = _INNER.match(msg)
            if inner:  # a policy-level rule that names its own field inside the policy
                where, msg = f"{where}.{inner[1]}", msg[inner.end() :]
            places.append((where, msg))
        lines = "\n".join(f"  {w}: {m}" for w, m in places)
        raise PolicyFileError(
            f"{source}: {len(places)} problem(s) in the dunning policies:\n{lines}",
            field=places[0][0],
        ) from None


def load_policies(path: Path | None) -> PolicySet:
    """The policies of ``path``, or the packaged defaults when no file is configured."""
    if path is None:
        return parse_policies(default_policy_text(), "default policies.yaml")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PolicyFileError(f"{path}: cannot read the dunning policy file: {e}") from None
    return parse_policies(text, str(path), toml=path.suffix == ".toml")
