"""Command line: ``python -m server [run|web|worker|settings|users ...]``; ``--help`` lists every setting."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from collections.abc import Sequence

from server.cli_plugins import command_plugins
from server.logs import configure_logging
from server.settings import Settings, SettingsError, help_text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m server",
        description="yiwang 一网通办 backend. Every setting comes from an environment variable, listed below.",
        epilog=help_text(), formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", help="web server and worker together (local use, embedded defaults)")
    run.add_argument("--demo", action="store_true", help="load demo users and the demo catalogue (sandbox)")
    commands.add_parser("web", help="the web process (Procfile: web)")
    worker = commands.add_parser("worker", help="the worker process (Procfile: worker)")
    worker.add_argument("--once", action="store_true", help="run due jobs once and exit")
    worker.add_argument("--job", help="with --once: run this job now, due or not")
    commands.add_parser("jobs", help="list registered worker jobs")
    commands.add_parser("settings", help="print the effective settings (secrets hidden)")
    for register in command_plugins():
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        settings = Settings.from_env()
        if getattr(args, "demo", False):
            settings = settings.replace(load_demo_data=True)
    except SettingsError as exc:
        print(f"yiwang: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, json_lines=settings.log_json)
    if args.command == "settings":
        for env, value, _help in settings.describe():
            print(f"{env}={value}")
        return 0
    if args.command == "jobs":
        from server.worker.registry import registered_jobs

        for job in registered_jobs().values():
            print(f"{job.name:<32} every {job.every_seconds:>6.0f}s  timeout {job.timeout_seconds:>5.0f}s  "
                  f"{job.description}")
        return 0
    if args.command == "web":
        from server.web import serve_processes

        serve_processes(settings)
        return 0
    if args.command == "worker":
        from server.worker.main import run_worker

        asyncio.run(run_worker(settings, once=args.once, only=args.job))
        return 0
    if args.command == "run":
        return run_web_and_worker(settings, demo=args.demo)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return int(handler(args, settings) or 0)


def run_web_and_worker(settings: Settings, *, demo: bool) -> int:
    """Local use: the worker as a child process, the web server in this one; both stop together."""
    from server.web import serve_processes

    env = dict(os.environ)
    if demo:
        env["YIWANG_DEMO"] = "0"  # the web process loads the demo data; the worker need not
    worker = subprocess.Popen([sys.executable, "-m", "server", "worker"], env=env)
    try:
        serve_processes(settings)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
