"""``console demo`` (``make demo``) with services that are not there: it says which are
not reachable and how to start them, and exits non-zero before loading anything."""

from __future__ import annotations

import argparse
import socket
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from console.demo import cli
from console.settings import Settings
from servicekit.apitest import serving


def _free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy() -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


@pytest.fixture
def ledger_up() -> Iterator[str]:
    with serving(_healthy) as url:
        yield url


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(["--policies", "10"])


def test_nothing_listening_names_each_service_and_make_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    urls = [f"http://127.0.0.1:{_free_port()}" for _ in range(3)]
    settings = Settings(ledger_url=urls[0], dunning_url=urls[1], commission_url=urls[2])

    assert cli.main(settings, _args()) == 2

    out, err = capsys.readouterr()
    assert out == ""  # no portfolio planned, no summary
    lines = err.splitlines()
    for name, url in zip(("ledger", "dunning service", "commission service"), urls, strict=True):
        assert f"the {name} is not reachable at {url} (no connection: nothing listens" in err
    assert "`make run`" in lines[-1]
    assert "make demo" in lines[-1]


def test_only_the_services_that_are_down_are_named(
    ledger_up: str, capsys: pytest.CaptureFixture[str]
) -> None:
    down = f"http://127.0.0.1:{_free_port()}"
    settings = Settings(ledger_url=ledger_up, dunning_url=down, commission_url=down)

    assert cli.main(settings, _args()) == 2

    err = capsys.readouterr().err
    assert "the ledger" not in err
    assert f"the dunning service is not reachable at {down}" in err
    assert f"the commission service is not reachable at {down}" in err


async def test_a_service_that_accepts_but_never_answers_is_not_reachable(
    ledger_up: str,
) -> None:
    with socket.socket() as silent:  # the kernel accepts connections; nobody answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        found = await cli.unreachable({"ledger": ledger_up, "dunning service": url}, 0.2)
    assert found == [f"the dunning service is not reachable at {url} (no answer in 0.2 s)"]
