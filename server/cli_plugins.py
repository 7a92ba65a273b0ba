"""Command groups contributed by packages (``users``, catalogue import, reconciliation ...)."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

# Each module defines ``register(subparsers)``, adding commands whose parsers set ``handler``:
# ``handler(args, settings) -> int``.
CLI_MODULES: tuple[str, ...] = (
    "server.staff.cli",
    "cms.importing.cli",
    "server.payments.cli",
)


def command_plugins() -> list[Callable[[argparse._SubParsersAction[Any]], None]]:
    return [importlib.import_module(name).register for name in CLI_MODULES]
