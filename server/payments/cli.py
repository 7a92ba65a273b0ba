"""``python -m server reconcile --date YYYY-MM-DD [--provider wechat|alipay]``: reconcile any day now."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import date
from typing import Any

from server.payments.reconciliation import reconcile, report_view
from server.runtime import open_runtime
from server.settings import Settings

PROVIDERS = ("wechat", "alipay")


def register(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser("reconcile", help="reconcile a day's provider bills with our fee orders")
    parser.add_argument("--date", required=True, type=date.fromisoformat, help="the bill date, YYYY-MM-DD")
    parser.add_argument("--provider", choices=PROVIDERS, help="one provider (default: both)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    providers = [args.provider] if args.provider else list(PROVIDERS)
    reports = asyncio.run(reconcile_days(settings, providers, args.date))
    print(json.dumps(reports, ensure_ascii=False, indent=2))
    return 1 if any(report["open"] for report in reports) else 0


async def reconcile_days(settings: Settings, providers: list[str], day: date) -> list[dict[str, Any]]:
    runtime = await open_runtime(settings)
    try:
        return [report_view(await reconcile(runtime.deps, provider, day)) for provider in providers]
    finally:
        await runtime.close()
