"""``python -m server users ...``: create the first administrator and manage accounts from a shell.

Passwords never appear on the command line (where ``ps`` and shell history would keep them): they are
prompted for twice, or read as one line from standard input with ``--password-stdin``.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from server.deps import Deps
from server.errors import AppError
from server.runtime import open_runtime
from server.settings import Settings
from server.staff import accounts
from server.staff.roles import ROLE_NAMES

Action = Callable[[Deps, argparse.Namespace], Awaitable[None]]


class PasswordEntryFailed(Exception):
    pass


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    users = subparsers.add_parser("users", help="staff accounts: create (the first admin too), list, "
                                                "set a password, unlock")
    actions = users.add_subparsers(dest="users_action", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="create a staff account")
    create.add_argument("--username", required=True)
    create.add_argument("--role", dest="roles", action="append", required=True, choices=ROLE_NAMES,
                        help="repeat for several roles")
    create.add_argument("--department", dest="departments", action="extend", nargs="+", default=[],
                        metavar="CODE", help="department code (required for officer); repeatable")
    create.add_argument("--domain", dest="domains", action="extend", nargs="+", default=[],
                        metavar="ID", help="domain id (required for window); repeatable")
    create.add_argument("--display-name", help="name shown in the console (default: the username)")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password as one line from standard input instead of prompting")
    create.set_defaults(handler=_command(_create))

    listing = actions.add_parser("list", help="list staff accounts")
    listing.set_defaults(handler=_command(_list))

    set_password = actions.add_parser("set-password", help="set a new password (ends the account's sessions)")
    set_password.add_argument("--username", required=True)
    set_password.add_argument("--password-stdin", action="store_true",
                              help="read the password as one line from standard input instead of prompting")
    set_password.set_defaults(handler=_command(_set_password))

    unlock = actions.add_parser("unlock", help="lift a login lockout")
    unlock.add_argument("--username", required=True)
    unlock.set_defaults(handler=_command(_unlock))


def _command(action: Action) -> Callable[[argparse.Namespace, Settings], int]:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        try:
            asyncio.run(_with_runtime(settings, action, args))
        except AppError as exc:
            print(f"yiwang users: {exc.message} ({exc.code})", file=sys.stderr)
            return 1
        except PasswordEntryFailed as exc:
            print(f"yiwang users: {exc}", file=sys.stderr)
            return 1
        return 0

    return run


async def _with_runtime(settings: Settings, action: Action, args: argparse.Namespace) -> None:
    runtime = await open_runtime(settings)
    try:
        await action(runtime.deps, args)
    finally:
        await runtime.close()


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise PasswordEntryFailed("the passwords do not match")
    if not password:
        raise PasswordEntryFailed("no password given")
    return password


async def _create(deps: Deps, args: argparse.Namespace) -> None:
    password = await asyncio.to_thread(read_password, args.password_stdin)
    user = await accounts.create_user(deps, username=args.username, password=password, roles=args.roles,
                                      departments=args.departments, display_name=args.display_name,
                                      domains=args.domains)
    print(f"created {user.username} ({', '.join(user.roles)})")


async def _list(deps: Deps, args: argparse.Namespace) -> None:
    users, _total = await accounts.list_users(deps, limit=10_000)
    now = deps.clock.now()
    for user in users:
        state = "disabled" if user.disabled else "locked" if user.is_locked(now) else "active"
        print(f"{user.username:<24} {state:<9} {','.join(user.roles):<28} {','.join(user.departments)}")


async def _set_password(deps: Deps, args: argparse.Namespace) -> None:
    user = await accounts.get_user_by_username(deps, args.username)
    password = await asyncio.to_thread(read_password, args.password_stdin)
    await accounts.reset_password(deps, user.id, password)
    print(f"password of {user.username} changed; its sessions have ended")


async def _unlock(deps: Deps, args: argparse.Namespace) -> None:
    user = await accounts.get_user_by_username(deps, args.username)
    await accounts.unlock_user(deps, user.id)
    print(f"{user.username} unlocked")
