"""FastAPI dependencies: the composition root's objects, handed to routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from dunning.bootstrap import Dunning


def get_dunning(request: Request) -> Dunning:
    dunning: Dunning = request.app.state.dunning
    return dunning


DunningDep = Annotated[Dunning, Depends(get_dunning)]
Actor = Annotated[str, Header(alias="X-Actor", description="who acts (collector id)")]


def actor_or_default(dunning: DunningDep, x_actor: Annotated[str | None, Header()] = None) -> str:
    return x_actor or dunning.settings.default_actor


ActorDep = Annotated[str, Depends(actor_or_default)]
