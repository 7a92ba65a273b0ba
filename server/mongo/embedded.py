"""The embedded MongoDB (nx-27017, wire protocol over SQLite) used when ``MONGO_URL`` is unset.

The web process and the worker share one embedded server per data folder: whoever comes first starts
it and records its port in ``embedded.json`` under a file lock; the other connects to it. The owner
stops it on exit, and restarts it if it dies, so the server recovers without an operator.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

log = logging.getLogger("yiwang.mongo")



class EmbeddedMongoError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ping(url: str, timeout_ms: int = 500) -> bool:
    client: MongoClient[dict[str, object]] = MongoClient(
        url, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


class EmbeddedMongo:
    """One nx-27017 child process bound to 127.0.0.1 with its data under ``data_dir``."""

    def __init__(self, data_dir: Path, port: int | None = None, *, start_timeout: float = 20.0) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = False
        # Starting and stopping never overlap: a restart still starting when the owner shuts down is
        # waited for and then stopped, not left running with nobody to stop it.
        self._lifecycle = threading.Lock()

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> str:
        """Start the child (again, after ``stop``); returns its URL once it answers."""
        with self._lifecycle:
            self._stopping = False
            return self._spawn()

    def restart(self) -> str | None:
        """Start the child again after it died, unless the owner is stopping it; its URL, or None."""
        with self._lifecycle:
            return None if self._stopping else self._spawn()

    def _spawn(self) -> str:
        log_path = self.data_dir / "nx-27017.log"
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            output = open(log_path, "ab")  # noqa: SIM115 (handed to the child, closed below)
        except OSError as exc:
            raise EmbeddedMongoError(f"cannot start the embedded MongoDB: its data folder {self.data_dir} "
                                     f"is not usable ({exc.strerror})") from exc
        command = [sys.executable, "-m", "server.mongo.nx_launch", "--data-dir", str(self.data_dir),
                   "--host", "127.0.0.1",
                   "-p", str(self.port), "--log-file", str(log_path),
                   "--pid-file", str(self.data_dir / "nx-27017.pid")]
        with output:
            try:
                self.process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
                    command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True)
            except OSError as exc:
                raise EmbeddedMongoError(f"cannot start the embedded MongoDB (nx-27017): {exc}") from exc
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedMongoError(
                    f"the embedded MongoDB (nx-27017) exited with code {self.process.returncode} at start; "
                    f"see {log_path}. Is nx-27017 installed, and is {self.data_dir} writable?")
            if ping(self.url, 300):
                log.info("embedded MongoDB ready on 127.0.0.1:%s (data %s)", self.port, self.data_dir)
                return self.url
            time.sleep(0.05)
        self._terminate()
        raise EmbeddedMongoError(f"the embedded MongoDB did not answer ping within {self.start_timeout:.0f}s; "
                                 f"see {log_path}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """Die abruptly, as a crash would (tests of recovery use this)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        with self._lifecycle:
            self._stopping = True
            self._terminate()

    def _terminate(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    async def supervise(self, restart_delay: float = 1.0) -> None:
        """Restart the child whenever it dies unexpectedly; cancelled on shutdown."""
        while True:
            await asyncio.sleep(0.5)
            if self._stopping or self.alive():
                continue
            log.error("the embedded MongoDB died (exit %s); restarting in %.1fs",
                      self.process.returncode if self.process else None, restart_delay)
            await asyncio.sleep(restart_delay)
            if self._stopping:
                continue
            try:
                await asyncio.to_thread(self.restart)
            except EmbeddedMongoError as exc:
                log.error("%s", exc)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def attach_or_start(data_dir: Path) -> tuple[str, EmbeddedMongo | None]:
    """The URL of the embedded server for ``data_dir``, and the server if this process started it."""
    state_path = data_dir / "embedded.json"
    with _locked(data_dir / "embedded.lock"):
        if state_path.exists():
            try:
                state = json.loads(state_path.read_text())
                url = str(state["url"])
                if _pid_alive(int(state["pid"])) and ping(url, 500):
                    log.info("using the embedded MongoDB started by process %s", state["pid"])
                    return url, None
            except (ValueError, KeyError, OSError):
                pass
        server = EmbeddedMongo(data_dir)
        url = server.start()
        state_path.write_text(json.dumps({"url": url, "pid": server.pid, "owner": os.getpid()}))
        return url, server


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
