from __future__ import annotations

from pathlib import Path

from server.sandbox.handlers import routes
from server.settings import Settings


def test_simulators_are_mounted_in_sandbox_mode_only(tmp_path: Path) -> None:
    sandbox = routes(Settings(var_dir=tmp_path))
    assert sandbox
    assert all(route.template.startswith("/_sandbox/") and not route.documented for route in sandbox)
    assert routes(Settings(var_dir=tmp_path, mode="live")) == []
