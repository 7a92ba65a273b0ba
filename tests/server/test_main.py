"""The README's run command as a user meets it: one command, web + worker + embedded MongoDB."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import tornado.testing


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


@pytest.mark.slow
def test_run_starts_web_worker_and_embedded_mongodb_and_stops_them(tmp_path: Path) -> None:
    sock, port = tornado.testing.bind_unused_port()
    sock.close()
    env = {**os.environ, "PORT": str(port), "YIWANG_VAR_DIR": str(tmp_path / "var"), "WORKER_POLL_SECONDS": "0.2"}
    env.pop("MONGO_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "server", "run"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline:
            try:
                status, _ = _get(f"http://127.0.0.1:{port}/readyz")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert status == 200, "the server never became ready"
        state = json.loads((tmp_path / "var" / "mongo" / "embedded.json").read_text())
        mongo_pid = int(state["pid"])
        assert _alive(mongo_pid)
        # The worker attaches to the same embedded MongoDB and records its job runs there.
        from pymongo import MongoClient

        client: MongoClient[dict[str, object]] = MongoClient(state["url"], serverSelectionTimeoutMS=2000)
        try:
            for _ in range(100):
                if client["yiwang"].job_runs.count_documents({"status": "ok"}) > 0:
                    break
                time.sleep(0.2)
            else:
                raise AssertionError("the worker ran no job")
        finally:
            client.close()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        for _ in range(50):
            if not _alive(mongo_pid):
                break
            time.sleep(0.1)
        assert not _alive(mongo_pid), "the embedded MongoDB outlived the server"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
