"""Request-validation errors as the fields of RFC 9457 problem details, shared by the services.

Pure functions over pydantic's error dicts (``RequestValidationError.errors()``): no FastAPI
here, so this library stays free of the web framework. Each service keeps its own
``problems.py`` (status codes, its problem type URNs) and calls :func:`field_errors`:

- malformed JSON is named ``body`` with where it broke (pydantic puts the character offset
  in ``loc``, which read as a field ``[1]``);
- a header is named as documented (``X-Actor``, not ``x-actor``);
- pydantic's validator wrappers (``function-before[...]``) are left out of the path;
- a value that does not match a pattern gets a readable message instead of the regex: the
  service names its patterns in ``formats`` (pattern -> "a period like 2026-11").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

_LOCATIONS = ("body", "query", "path", "header", "cookie")


def field_name(loc: tuple[Any, ...]) -> str:
    """``("body", "lines", 0, "amount")`` -> ``lines[0].amount``; ``("header", "x-actor")``
    -> ``X-Actor``; the body itself -> ``body``."""
    if len(loc) == 2 and loc[0] == "header":
        return "-".join(word.capitalize() for word in str(loc[1]).split("-"))
    out = ""
    for part in loc[1:] if loc and loc[0] in _LOCATIONS else loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith("function-"):
            out += f".{part}" if out else str(part)
    return out or "body"


def _message(error: Mapping[str, Any], formats: Mapping[str, str]) -> str:
    kind = error.get("type")
    ctx = error.get("ctx") or {}
    if kind == "json_invalid":
        reason = str(ctx.get("error", ""))
        return f"not valid JSON (at character {error['loc'][-1]}): {reason}".rstrip(": ")
    if kind == "string_pattern_mismatch":
        wanted = formats.get(str(ctx.get("pattern", "")), "in the expected format")
        return f"{error.get('input')!r} is not {wanted}"
    return str(error.get("msg", "invalid"))


def field_error(
    error: Mapping[str, Any], formats: Mapping[str, str] | None = None
) -> dict[str, str]:
    """One pydantic error as ``{"field", "message", "type"}``."""
    if error.get("type") == "json_invalid":  # its loc is ("body", character offset)
        field = "body"
    else:
        field = field_name(tuple(error.get("loc", ())))
    return {"field": field, "message": _message(error, formats or {}), "type": str(error["type"])}


def field_errors(
    errors: Iterable[Mapping[str, Any]], formats: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """Every pydantic error as ``{"field", "message", "type"}``, in order."""
    return [field_error(e, formats) for e in errors]
