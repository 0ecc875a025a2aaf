"""The console's errors. It owns no data: what it refuses is bad input to its own forms, and
what it reports is what a backend service answered.

ConsoleError                 root: .rule (a stable slug), .detail, .field (what is at fault)
├── InvalidInput             a form or query value the console cannot use (422)
├── NotFound                 the account, broker or statement does not exist (404)
├── BackendRefused           a backend refused the request: its rule, detail and field are kept
└── BackendUnavailable       a backend could not be reached or failed (502)
"""

from __future__ import annotations

from servicekit.errors import ServiceError


class ConsoleError(ServiceError):
    rule = "console-error"


class InvalidInput(ConsoleError):
    rule = "invalid-input"


class NotFound(ConsoleError):
    rule = "not-found"


class BackendRefused(ConsoleError):
    """``status`` is the backend's answer (a 4xx), carried so the page can say the same."""

    rule = "backend-refused"

    def __init__(
        self,
        backend: str,
        status: int,
        detail: str,
        *,
        rule: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(f"{backend}: {detail}", field=field, rule=rule or None)
        self.backend = backend
        self.status = status


class BackendUnavailable(ConsoleError):
    rule = "backend-unavailable"

    def __init__(self, backend: str, detail: str, *, retry_after: str | None = None) -> None:
        super().__init__(f"{backend} is not available: {detail}")
        self.backend = backend
        # the backend said it is unavailable for a while (503 with Retry-After)
        self.retry_after = retry_after
