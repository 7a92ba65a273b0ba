"""What the benches that start the product as its own processes share: a port, the environment of an
embedded-defaults sandbox server, waiting until it answers, and the report line."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import tornado.httpclient


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(var_dir: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment of a web or worker process on embedded defaults in sandbox mode; ``extra``: more
    settings by their variable names."""
    return {**os.environ, "YIWANG_VAR_DIR": str(var_dir), "PORT": str(port), "YIWANG_MODE": "sandbox",
            "MONGO_URL": "", "MINIO_ENDPOINT": "", "WEB_PROCESSES": "1", "LOG_LEVEL": "WARNING", **extra}


async def wait_until_ready(base_url: str, server: subprocess.Popen[Any], seconds: float = 90) -> None:
    client = tornado.httpclient.AsyncHTTPClient()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        with contextlib.suppress(OSError):  # not listening yet
            if (await client.fetch(f"{base_url}/healthz", raise_error=False, request_timeout=2)).code == 200:
                return
        await asyncio.sleep(0.2)
    raise RuntimeError("the server did not become ready")


def report(name: str, value: float, target: object, passed: bool | None, *, digits: int = 1) -> bool:
    """Print ``<name> <value> <target> PASS|FAIL|INFO``; False only for a failed target."""
    print(f"{name} {value:.{digits}f} {target} {'INFO' if passed is None else 'PASS' if passed else 'FAIL'}")
    return passed is not False
