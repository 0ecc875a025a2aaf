"""Operator routes: ledger events commission could not process, and their retry after a fix."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from commission.adapters.http.deps import CommissionDep
from commission.adapters.http.problems import problem
from eventfeed import DeadLetterList, DeadLetterView, RetryView

router = APIRouter(prefix="/v1/dead-letters", tags=["operations"])

EventId = Annotated[UUID, Path(description="the dead-lettered event's id")]


def _not_found(event_id: UUID) -> JSONResponse:
    return problem(
        404,
        "dead-letter-not-found",
        "DeadLetterNotFound",
        f"no dead letter for event {event_id}",
        field="event_id",
    )


@router.get("", summary="Ledger events the consumer parked, with their error and attempts")
async def list_dead_letters(
    service: CommissionDep,
    include_resolved: Annotated[bool, Query(description="also those retried successfully")] = False,
) -> DeadLetterList:
    letters = service.dead_letters()
    found = await letters.list(include_resolved=include_resolved)
    return DeadLetterList(
        count=await letters.count(), dead_letters=[DeadLetterView.of(d) for d in found]
    )


@router.get(
    "/{event_id}",
    response_model=DeadLetterView,
    summary="One dead letter",
    responses={404: {"description": "No dead letter for this event"}},
)
async def get_dead_letter(service: CommissionDep, event_id: EventId) -> Any:
    letter = await service.dead_letters().get(event_id)
    if letter is None:
        return _not_found(event_id)
    return DeadLetterView.of(letter)


@router.post(
    "/{event_id}/retry",
    response_model=RetryView,
    summary="Run the handler again on a dead letter (after a fix); resolved on success",
    description="200 with `outcome` `resolved` (the event is applied, once) or `failed` (it "
    "raised again: the new error and one more attempt are recorded).",
    responses={
        404: {"description": "No dead letter for this event"},
        409: {"description": "Already resolved: nothing was run again"},
    },
)
async def retry_dead_letter(service: CommissionDep, event_id: EventId) -> Any:
    result = await service.dead_letters().retry(event_id)
    if result.letter is None:
        return _not_found(event_id)
    if result.outcome == "already_resolved":
        return problem(
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
