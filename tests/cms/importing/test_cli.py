from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from cms.importing.cli import parse_defaults
from cms.importing.demo import CATALOGUE_FILE
from cms.importing.errors import InvalidImportDefault
from server.__main__ import build_parser
from tests.cms.importing.factories import BROKEN_CSV_BAD_LINES, write_broken_csv
from tests.support.server import make_settings


def test_broken_file_reports_every_bad_row_imports_the_rest_and_exits_1(
        mongo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_broken_csv(tmp_path / "broken.csv")
    parsed = build_parser().parse_args(["import-guides", str(path)])
    status = parsed.handler(parsed, make_settings(tmp_path / "var", mongo_url=mongo_url))
    out = capsys.readouterr().out
    assert status == 1
    assert {int(line) for line in re.findall(r"^第 (\d+) 行", out, re.MULTILINE)} == set(BROKEN_CSV_BAD_LINES)
    assert "新建 3，更新 0，未变 0，失败 5" in out


def test_unreadable_file_exits_2(mongo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parsed = build_parser().parse_args(["import-guides", str(tmp_path / "catalogue.pdf")])
    assert parsed.handler(parsed, make_settings(tmp_path / "var", mongo_url=mongo_url)) == 2
    assert "unsupported_import_format" in capsys.readouterr().err


def test_defaults_are_read_like_cells() -> None:
    assert parse_defaults(["行使层级=县级", "online_depth=1", "服务对象=自然人、企业法人"]) == {
        "level": "4", "online_depth": 1, "service_objects": ["1", "2"]}
    for bad in (["行使层级"], ["备注=x"], ["事项类型=许可证"]):
        with pytest.raises(InvalidImportDefault):
            parse_defaults(bad)


def _import_catalogue(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "server", "import-guides", str(CATALOGUE_FILE), "--json"],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, object] = json.loads(done.stdout)
    return report


@pytest.mark.slow
def test_the_demo_catalogue_imports_through_the_command_and_a_second_run_changes_nothing(
        mongo_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "MONGO_URL": mongo_url, "MONGO_DB": f"t_{uuid.uuid4().hex[:12]}",
           "YIWANG_VAR_DIR": str(tmp_path / "var")}
    first = _import_catalogue(env)
    assert (first["rows"], first["created"], first["failed"]) == (1135, 1135, 0)
    second = _import_catalogue(env)
    assert (second["created"], second["updated"], second["unchanged"], second["failed"]) == (0, 0, 1135, 0)
