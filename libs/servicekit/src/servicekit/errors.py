"""The root every service's error tree grows from: a detail, the input at fault, a rule.

Standard library only, so the services' pure domains may use it (the import contracts
allow ``*.domain -> servicekit.errors`` beside ``servicekit.identity``). Each service
subclasses it once (``LedgerError``, ``BillingError`` …) with its own ``rule`` slug and
documents its tree there; :class:`servicekit.Problems` maps the tree to problem+json.
"""

from __future__ import annotations


class ServiceError(Exception):
    """``rule`` is a stable slug (a class's, or one given for this error), ``detail`` says
    why in words a caller can act on, ``field`` names the input at fault (None: the whole
    request)."""

    rule = "service-error"

    def __init__(self, detail: str, *, field: str | None = None, rule: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        if rule is not None:
            self.rule = rule
