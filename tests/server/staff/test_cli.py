"""``python -m server users ...`` in a real process against a real MongoDB."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import StartServer
from tests.support.staff import login

REPO_ROOT = Path(__file__).resolve().parents[3]


async def run_cli(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "server", "users", *args], input=stdin, capture_output=True,
        text=True, env=env, cwd=REPO_ROOT, timeout=60, check=False)


@pytest.mark.asyncio
async def test_cli_creates_the_first_admin_who_can_then_log_in(
        mongo_url: str, tmp_path: Path, start_server: StartServer) -> None:
    database = f"t_{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "MONGO_URL": mongo_url, "MONGO_DB": database, "YIWANG_VAR_DIR": str(tmp_path / "cli"),
           "PASSWORD_TIME_COST": "1", "PASSWORD_MEMORY_KIB": "8192", "LOG_LEVEL": "WARNING"}
    created = await run_cli(["create", "--username", "Root", "--role", "admin", "--role", "supervisor",
                             "--display-name", "系统管理员", "--password-stdin"], env, stdin="first-admin-pass\n")
    assert created.returncode == 0, created.stderr
    assert "first-admin-pass" not in created.stdout + created.stderr

    refused = await run_cli(["create", "--username", "wu", "--role", "officer", "--password-stdin"], env,
                            stdin="another-password\n")
    assert refused.returncode == 1
    assert "departments_required" in refused.stderr

    listed = await run_cli(["list"], env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split()[:3] == ["root", "active", "admin,supervisor"]

    server = await start_server(mongo_db=database)
    response = await login(server, "root", "first-admin-pass")
    assert response.status == 200
    assert response.json["user"]["display_name"] == "系统管理员"
    assert response.json["user"]["roles"] == ["admin", "supervisor"]
