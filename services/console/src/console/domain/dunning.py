"""Dunning's answers in words for the pages."""

from __future__ import annotations

from typing import Any


def next_step(action: Any) -> str:
    """Dunning's ``next_action`` (``{"kind": "level", "level": 2, "name": "Final notice",
    "due_on": ...}``, ``paused``, ``end_of_ladder`` or ``none``) as a phrase; empty when
    nothing is next."""
    if not isinstance(action, dict):
        return str(action or "")
    kind = action.get("kind")
    if kind == "level":
        name = f" ({action['name']})" if action.get("name") else ""
        return f"level {action.get('level')}{name} from {action.get('due_on')}"
    if kind == "paused":
        return f"paused until {action.get('until')}"
    if kind == "end_of_ladder":
        return f"none: level {action.get('level')} is the last"
    return ""
