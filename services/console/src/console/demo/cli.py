"""``console demo``: plan the portfolio, load it with a progress bar, print a summary."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime, timedelta

import httpx

from console.demo.load import Backends, Loader, Summary
from console.demo.plan import plan
from console.settings import Settings
from servicekit.progress import Progress

REACH_SECONDS = 3.0  # how long each service may take to answer /healthz before the demo


async def unreachable(urls: dict[str, str], seconds: float = REACH_SECONDS) -> list[str]:
    """What is wrong with each service (by name) that does not answer ``GET /healthz`` at
    its URL within ``seconds``: nothing listens, the host is unknown, no answer in time.
    A service that answers at all, even with an error, is reachable."""

    async def why(client: httpx.AsyncClient, url: str) -> str | None:
        try:
            await client.get(f"{url.rstrip('/')}/healthz")
        except httpx.TimeoutException:
            return f"no answer in {seconds:g} s"
        except httpx.ConnectError:
            return "no connection: nothing listens there, or the host is unknown"
        except httpx.TransportError as e:
            return str(e) or type(e).__name__
        return None

    async with httpx.AsyncClient(timeout=seconds) as client:
        found = await asyncio.gather(*(why(client, url) for url in urls.values()))
    return [
        f"the {name} is not reachable at {url} ({reason})"
        for (name, url), reason in zip(urls.items(), found, strict=True)
        if reason is not None
    ]


def last_month_end(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policies", type=int, default=2000, help="group policies (2000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
    parser.add_argument(
        "--through",
        type=date.fromisoformat,
        default=None,
        help="last day of the year loaded (default: the end of last month)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=1800,
        help="seconds to wait for dunning and commission to read the year (1800)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=2, help="ledger batches sent at once (2)"
    )


async def run(settings: Settings, args: argparse.Namespace) -> Summary:
    through = args.through or last_month_end(datetime.now(UTC).date())
    portfolio = plan(seed=args.seed, policies=args.policies, through=through)
    print(
        f"demo portfolio: {len(portfolio.accounts)} accounts, {portfolio.policies} group "
        f"policies, {portfolio.calls()} calls, {portfolio.first_day} to {through}",
        file=sys.stderr,
    )
    timeout = httpx.Timeout(60.0)
    limits = httpx.Limits(max_connections=args.concurrency + 4)
    token = settings.demo_token.get_secret_value()
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx.AsyncClient(
            base_url=settings.ledger_url, timeout=timeout, limits=limits, headers=auth
        ) as ledger,
        httpx.AsyncClient(base_url=settings.dunning_url, timeout=timeout, headers=auth) as dunning,
        httpx.AsyncClient(
            base_url=settings.commission_url, timeout=timeout, headers=auth
        ) as commission,
    ):
        bar = Progress("loading", unit="call", total=portfolio.calls())
        lag_bars: dict[str, Progress] = {}

        def waiting(service: str, lag: int | None) -> None:
            if service not in lag_bars:
                lag_bars[service] = Progress(f"{service} catching up", unit="event", total=lag)
            shown = lag_bars[service]
            if lag is not None:
                total = max(shown.total or 0, lag)
                shown.reach(total - lag, total=total)

        loader = Loader(
            Backends(ledger, dunning, commission),
            concurrency=args.concurrency,
            progress=bar.advance,
            waiting=waiting,
            wait=args.wait,
        )
        summary = await loader.load(portfolio)
        bar.close()
        print(
            "the ledger has the year: search, account pages, statements and aging work now;"
            " dunning and commission follow its events",
            file=sys.stderr,
        )
        await loader.finish(portfolio)
        for shown in lag_bars.values():
            shown.close()
    return summary


def main(settings: Settings, args: argparse.Namespace) -> int:
    urls = {
        "ledger": settings.ledger_url,
        "dunning service": settings.dunning_url,
        "commission service": settings.commission_url,
    }
    if problems := asyncio.run(unreachable(urls)):
        for problem in problems:
            print(problem, file=sys.stderr)
        print(
            "start the services with `make run` in another terminal, then run `make demo` "
            "again (or point CONSOLE_LEDGER_URL, CONSOLE_DUNNING_URL and "
            "CONSOLE_COMMISSION_URL at where they run); nothing was loaded",
            file=sys.stderr,
        )
        return 2
    summary = asyncio.run(run(settings, args))
    print("\n".join(summary.lines()))
    print(
        f"open the console at http://{settings.host}:{settings.port} and search for a name "
        "such as 'harbour'"
    )
    return 1 if summary.refused else 0
