"""``console demo``: plan the portfolio, load it with a progress bar, print a summary."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime, timedelta

import httpx
from tqdm import tqdm

from console.demo.load import Backends, Loader, Summary
from console.demo.plan import plan
from console.settings import Settings


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
    parser.add_argument("--concurrency", type=int, default=16, help="accounts loaded at once")


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
    async with (
        httpx.AsyncClient(base_url=settings.ledger_url, timeout=timeout, limits=limits) as ledger,
        httpx.AsyncClient(base_url=settings.dunning_url, timeout=timeout) as dunning,
        httpx.AsyncClient(base_url=settings.commission_url, timeout=timeout) as commission,
    ):
        with tqdm(total=portfolio.calls(), unit="call", desc="loading", file=sys.stderr) as bar:
            loader = Loader(
                Backends(ledger, dunning, commission),
                concurrency=args.concurrency,
                progress=bar.update,
            )
            summary = await loader.load(portfolio)
        print("dunning run, collector calls and promises ...", file=sys.stderr)
        await loader.collections(portfolio)
        print("commission settlements ...", file=sys.stderr)
        await loader.settle(portfolio)
    return summary


def main(settings: Settings, args: argparse.Namespace) -> int:
    summary = asyncio.run(run(settings, args))
    print("\n".join(summary.lines()))
    print("open the console at http://127.0.0.1:8005 (search for a name such as 'harbour')")
    return 1 if summary.refused else 0
