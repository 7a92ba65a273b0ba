from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cms.catalog_lists.service import DEPARTMENTS, list_entries
from cms.content import service
from cms.guides import service as guides
from cms.guides.spec import SPEC
from cms.importing.importer import import_file
from tests.cms.importing.factories import (
    BROKEN_CSV_BAD_LINES,
    HEADER,
    write_broken_csv,
    write_csv,
    write_jsonl,
    write_xlsx,
)
from tests.support.server import TestServer

_DEPT = ["区民政局", "11511301008778298W"]


def _guide_row(name: str, code: str, *, time_limit: str = "20个工作日", materials: str = "") -> list[str]:
    return [name, code, "公共服务", *_DEPT, "自然人", time_limit, "10个工作日", "否", "1", materials]


async def _codes(server: TestServer) -> list[str]:
    items, _total = await service.list_items(server.deps, SPEC, limit=100)
    return sorted(item.key for item in items)


@pytest.mark.asyncio
async def test_a_broken_file_imports_its_good_rows_and_reports_every_bad_one(server: TestServer,
                                                                            tmp_path: Path) -> None:
    report = await import_file(server.deps, write_broken_csv(tmp_path / "broken.csv"), publish=False)
    assert {problem.line: problem.field for problem in report.problems} == BROKEN_CSV_BAD_LINES
    assert (report.rows, report.created, report.failed, report.ok) == (8, 3, 5, False)
    assert await _codes(server) == ["MZ-001", "MZ-003", "MZ-007"]
    departments = await list_entries(server.deps, DEPARTMENTS, active_only=False)
    assert [(d["id"], d["name"], d["credit_code"]) for d in departments] == [
        ("11511301008778298W", "区民政局", "11511301008778298W")]


@pytest.mark.asyncio
async def test_reimport_updates_changed_guides_and_never_duplicates(server: TestServer, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "v1.csv", [HEADER, _guide_row("最低生活保障", "MZ-001"),
                                            _guide_row("临时救助", "MZ-002")])
    created = await import_file(server.deps, first, publish=False)
    assert (created.created, created.updated, created.unchanged, created.failed) == (2, 0, 0, 0)
    again = await import_file(server.deps, first, publish=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    second = write_csv(tmp_path / "v2.csv", [HEADER, _guide_row("最低生活保障", "MZ-001", time_limit="30个工作日"),
                                             _guide_row("临时救助", "MZ-002")])
    updated = await import_file(server.deps, second, publish=False)
    assert (updated.created, updated.updated, updated.unchanged) == (0, 1, 1)
    assert await _codes(server) == ["MZ-001", "MZ-002"]
    item = await service.find_by_key(server.deps, SPEC, "MZ-001")
    assert item is not None
    view = await service.get(server.deps, SPEC, item.id)
    assert view.draft.content["legal_time_limit"] == {"value": 30, "unit": "working_days"}


@pytest.mark.asyncio
async def test_jsonl_and_xlsx_files_import_the_same_way(server: TestServer, tmp_path: Path) -> None:
    materials = '[{"name": "居民身份证", "originals": 1}, {"name": "居民户口簿"}]'
    xlsx = write_xlsx(tmp_path / "guides.xlsx", [HEADER, _guide_row("最低生活保障", "MZ-001", materials=materials)])
    jsonl = write_jsonl(tmp_path / "guides.jsonl", [
        {"name": "临时救助", "implementation_code": "MZ-002", "item_type": "05", "department": "区民政局",
         "department_code": "11511301008778298W", "service_objects": ["1"], "handling_type": "2",
         "online_depth": 3, "level": "4", "legal_time_limit": {"value": 5, "unit": "working_days"}}])
    from_xlsx = await import_file(server.deps, xlsx, publish=False)
    from_jsonl = await import_file(server.deps, jsonl, publish=True)
    assert (from_xlsx.created, from_xlsx.failed, from_jsonl.created, from_jsonl.failed) == (1, 0, 1, 0)
    item = await service.find_by_key(server.deps, SPEC, "MZ-001")
    assert item is not None
    view = await service.get(server.deps, SPEC, item.id)
    assert [m["name"] for m in view.draft.content["materials"]] == ["居民身份证", "居民户口簿"]
    live = await service.find_by_key(server.deps, SPEC, "MZ-002")
    assert live is not None
    assert live.is_live


@pytest.mark.asyncio
async def test_publishing_refuses_rows_a_published_guide_could_not_come_from(server: TestServer,
                                                                            tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "guides.jsonl", [
        {"name": "临时救助", "implementation_code": "MZ-002", "item_type": "05", "department": "区民政局",
         "department_code": "11511301008778298W"}])
    refused = await import_file(server.deps, path, publish=True)
    assert sorted(problem.field or "" for problem in refused.problems) == ["handling_type", "level", "online_depth",
                                                                          "service_objects"]
    assert await _codes(server) == []  # nothing of the row was saved
    defaults = {"level": "4", "handling_type": "9", "online_depth": 1, "service_objects": ["1"]}
    published = await import_file(server.deps, path, publish=True, defaults=defaults)
    assert (published.created, published.failed) == (1, 0)


@pytest.mark.asyncio
async def test_what_the_content_engine_refuses_is_reported_with_the_row(server: TestServer, tmp_path: Path) -> None:
    # Slot ids are the engine's to give: an id it never issued is refused, reported under the row's line.
    path = write_jsonl(tmp_path / "guides.jsonl", [
        {"name": "临时救助", "implementation_code": "MZ-002", "item_type": "05", "department": "区民政局",
         "department_code": "11511301008778298W"},
        {"name": "最低生活保障", "implementation_code": "MZ-001", "item_type": "20", "department": "区民政局",
         "department_code": "11511301008778298W", "materials": [{"id": "m7", "name": "居民身份证"}]}])
    report = await import_file(server.deps, path, publish=False)
    assert [(problem.line, problem.field) for problem in report.problems] == [(2, "materials/0/id")]
    assert (report.created, report.failed) == (1, 1)


@pytest.mark.asyncio
async def test_dry_run_checks_every_row_and_writes_nothing(server: TestServer, tmp_path: Path) -> None:
    report = await import_file(server.deps, write_broken_csv(tmp_path / "broken.csv"), publish=False, dry_run=True)
    assert (report.valid, report.failed, report.created) == (3, 5, 0)
    assert await _codes(server) == []


@pytest.mark.asyncio
async def test_rows_of_a_department_the_list_refuses_are_reported(server: TestServer, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "guides.jsonl", [
        {"name": "临时救助", "implementation_code": "MZ-002", "item_type": "05", "department": "民" * 101,
         "department_code": "MZ"},
        {"name": "最低生活保障", "implementation_code": "MZ-001", "item_type": "20", "department": "区民政局",
         "department_code": "11511301008778298W"}])
    report = await import_file(server.deps, path, publish=False)
    assert [(problem.line, problem.field) for problem in report.problems] == [(1, "department_id")]
    assert await _codes(server) == ["MZ-001"]


_FEE_HEADER = ["事项名称", "实施编码", "事项类型", "实施主体", "实施主体统一社会信用代码", "服务对象", "是否收费",
               "收费项目"]


def _fee_rows(count: int) -> list[list[str]]:
    return [_FEE_HEADER] + [[f"事项{n}", f"MZ-{n:03d}", "公共服务", *_DEPT, "自然人", "否", ""]
                            for n in range(1, count + 1)]


@pytest.mark.asyncio
async def test_a_fee_with_extra_zeros_is_a_bad_row_and_every_other_row_is_imported(server: TestServer,
                                                                                    tmp_path: Path) -> None:
    rows = _fee_rows(39)
    rows.insert(20, ["收费事项", "MZ-999", "公共服务", *_DEPT, "自然人", "是", "工本费:100000000000000000元"])
    report = await import_file(server.deps, write_csv(tmp_path / "guides.csv", rows), publish=False)
    assert [problem.line for problem in report.problems] == [21]
    assert "上限" in report.problems[0].message
    assert (report.created, report.failed) == (39, 1)
    assert "MZ-999" not in await _codes(server)


@pytest.mark.asyncio
async def test_a_row_that_fails_unexpectedly_costs_that_row_only(server: TestServer, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = guides.import_guide

    async def import_with_a_bug(deps: Any, actor: Any, data: dict[str, Any], *, publish: bool) -> Any:
        if data["implementation_code"] == "MZ-007":
            raise OverflowError("MongoDB can only handle up to 8-byte ints")
        return await real_import(deps, actor, data, publish=publish)

    monkeypatch.setattr(guides, "import_guide", import_with_a_bug)
    report = await import_file(server.deps, write_csv(tmp_path / "guides.csv", _fee_rows(12)), publish=False)
    assert [(problem.line, problem.field) for problem in report.problems] == [(8, None)]
    assert "OverflowError" in report.problems[0].message
    assert (report.created, report.failed) == (11, 1)
    assert len(await _codes(server)) == 11
