"""Operator routes: the ledger events a service could not process, and their retry."""

from collections.abc import Callable
from typing import Annotated, Any, Protocol
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from eventfeed import DeadLetterList, DeadLetters, DeadLetterView, RetryView
from servicekit.auth.edge import requires
from servicekit.problems import Problems

EventId = Annotated[UUID, Path(description="the dead-lettered event's id")]
IncludeResolved = Annotated[bool, Query(description="also those retried successfully")]


class HasDeadLetters(Protocol):
    def dead_letters(self) -> DeadLetters: ...


def dead_letter_router(
    get_service: Callable[..., Any],
    problems: Problems,
    *,
    what: str = "the consumer",
    read_scope: str | None = None,
    retry_scope: str | None = None,
) -> APIRouter:
    """``/v1/dead-letters`` for a service whose ``get_service`` dependency gives an object
    with ``dead_letters()``; listing needs ``read_scope``, a retry ``retry_scope``."""
    router = APIRouter(prefix="/v1/dead-letters", tags=["operations"])
    reads = [requires(read_scope)] if read_scope else []
    retries = [requires(retry_scope)] if retry_scope else []
    Service = Annotated[HasDeadLetters, Depends(get_service)]

    def not_found(event_id: UUID) -> JSONResponse:
        return problems.problem(
            404,
            "dead-letter-not-found",
            "DeadLetterNotFound",
            f"no dead letter for event {event_id}",
            field="event_id",
        )

    async def list_dead_letters(
        service: Service, include_resolved: IncludeResolved = False
    ) -> DeadLetterList:
        letters = service.dead_letters()
        found = await letters.list(include_resolved=include_resolved)
        return DeadLetterList(
            count=await letters.count(), dead_letters=[DeadLetterView.of(d) for d in found]
        )

    async def get_dead_letter(service: Service, event_id: EventId) -> Any:
        letter = await service.dead_letters().get(event_id)
        if letter is None:
            return not_found(event_id)
        return DeadLetterView.of(letter)

    async def retry_dead_letter(service: Service, event_id: EventId) -> Any:
        result = await service.dead_letters().retry(event_id)
        if result.letter is None:
            return not_found(event_id)
        if result.outcome == "already_resolved":
            return problems.problem(
                409,
                "dead-letter-resolved",
                "DeadLetterResolved",
                f"the dead letter of event {event_id} was resolved at "
                f"{result.letter.resolved_at}; it is not applied again",
                field="event_id",
            )
        view = DeadLetterView.of(result.letter)
        return RetryView(
            outcome="resolved" if result.outcome == "resolved" else "failed", dead_letter=view
        )

    router.add_api_route(
        "",
        list_dead_letters,
        methods=["GET"],
        response_model=DeadLetterList,
        summary=f"Ledger events {what} parked, with their error and attempts",
        dependencies=reads,
    )
    router.add_api_route(
        "/{event_id}",
        get_dead_letter,
        methods=["GET"],
        response_model=DeadLetterView,
        summary="One dead letter",
        dependencies=reads,
        responses={404: {"description": "No dead letter for this event"}},
    )
    router.add_api_route(
        "/{event_id}/retry",
        retry_dead_letter,
        methods=["POST"],
        response_model=RetryView,
        summary="Run the handler again on a dead letter (after a fix); resolved on success",
        dependencies=retries,
        description="200 with `outcome` `resolved` (the event is applied, once) or `failed` "
        "(it raised again: the new error and one more attempt are recorded).",
        responses={
            404: {"description": "No dead letter for this event"},
            409: {"description": "Already resolved: nothing was run again"},
        },
    )
    return router
