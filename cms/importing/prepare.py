"""Rows -> guides ready to save, and every problem found on the way (no database writes here).

Each row is mapped (catalogue rows or named cells), its implementing body and themes resolved against
what the file itself and the managed lists know, checked against GUIDE_SCHEMA, and checked for an
implementation code used by an earlier row of the same file. A row with any problem is left out; the
others go on. One problem per field: a cell that could not be read is not reported again as missing.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cms.catalog_lists.service import DEPARTMENT_ID_PATTERN
from cms.content.validation import missing_fields
from cms.guides.model import PUBLISH_REQUIRED
from cms.importing.catalogue import is_catalogue_row, map_catalogue_row
from cms.importing.columns import DepartmentRef, MappedRow, map_row
from cms.importing.report import RowProblem
from cms.importing.sources import Source
from cms.importing.validation import schema_problems
from cms.importing.values import normalise_label
from server.errors import AppError
from server.identity.codes import validate_credit_code


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    credit_code: str | None = None
    region_code: str | None = None


@dataclass
class Directory:
    """What the managed lists already hold: departments by id, and themes (id -> name)."""

    departments: dict[str, Department] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)

    def department_by_name(self, name: str) -> str | None:
        key = normalise_label(name)
        matches = [dept.id for dept in self.departments.values() if normalise_label(dept.name) == key]
        return matches[0] if len(matches) == 1 else None

    def theme_id(self, value: str) -> str | None:
        if value in self.themes:
            return value
        key = normalise_label(value)
        for theme_id, name in self.themes.items():
            if normalise_label(name) == key or normalise_label(theme_id) == key:
                return theme_id
        return None


@dataclass(frozen=True)
class PreparedGuide:
    line: int
    guide: dict[str, Any]


@dataclass
class PreparedImport:
    source: Source
    guides: list[PreparedGuide] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def prepare(source: Source, directory: Directory, defaults: Mapping[str, Any] | None = None, *,
            publish: bool = False) -> PreparedImport:
    """``defaults``: guide field values for rows that leave the field out (``--default``). With ``publish``
    a row missing what a published guide needs is refused here, before anything of it is saved."""
    prepared = PreparedImport(source=source,
                              problems=[RowProblem(p.line, None, p.message) for p in source.problems])
    mapped = [(row.line, map_catalogue_row(row.cells) if is_catalogue_row(row.cells) else map_row(row.cells))
              for row in source.rows]
    named_in_file = _departments_named_in_file(row for _line, row in mapped)
    seen_codes: dict[str, int] = {}
    departments = _DepartmentTally()
    ignored: dict[str, None] = {}
    for line, row in mapped:
        ignored.update(dict.fromkeys(row.ignored))
        for name, value in (defaults or {}).items():
            if name not in row.guide:
                row.guide[name] = copy.deepcopy(value)
        problems = [RowProblem(line, p.field, p.message, p.column) for p in row.problems]
        problems += _resolve_department(line, row, named_in_file, directory)
        problems += _resolve_themes(line, row.guide, directory)
        reported = {problem.field for problem in problems}
        problems += [RowProblem(line, path, message) for path, message in schema_problems(row.guide)
                     if path.split("/")[0] not in reported]
        if publish:
            reported = {problem.field for problem in problems}
            problems += [RowProblem(line, name, "发布前必须填写")
                         for name in missing_fields(row.guide, PUBLISH_REQUIRED) if name not in reported]
        code = row.guide.get("implementation_code")
        if isinstance(code, str) and code:
            if code in seen_codes:
                problems.append(RowProblem(line, "implementation_code",
                                           f"实施编码“{code}”与第 {seen_codes[code]} 行重复"))
            else:
                seen_codes[code] = line
        if problems:
            prepared.problems.extend(problems)
            continue
        prepared.guides.append(PreparedGuide(line, row.guide))
        departments.add(row.guide["department_id"], row.department, row.guide.get("region_code"))
    prepared.departments = departments.to_ensure(directory)
    prepared.ignored_columns = list(ignored)
    return prepared


@dataclass(frozen=True)
class _FileDepartments:
    """Departments some row of the file describes with both an id and a name."""

    ids_by_name: dict[str, str]
    ids: frozenset[str]


def _departments_named_in_file(rows: Iterable[MappedRow]) -> _FileDepartments:
    ids_by_name: dict[str, str] = {}
    ids: set[str] = set()
    for row in rows:
        ref = row.department
        if ref.id and ref.name:
            ids_by_name.setdefault(normalise_label(ref.name), ref.id)
            ids.add(ref.id)
    return _FileDepartments(ids_by_name, frozenset(ids))


def _resolve_department(line: int, row: MappedRow, named_in_file: _FileDepartments,
                        directory: Directory) -> list[RowProblem]:
    ref = row.department
    problems = []
    if ref.credit_code and _valid_credit_code(ref.credit_code) is None:
        problems.append(RowProblem(line, "department_id", f"实施主体统一社会信用代码“{ref.credit_code}”无效"))
    department_id = row.guide.get("department_id")
    if isinstance(department_id, str) and department_id:
        if not re.fullmatch(DEPARTMENT_ID_PATTERN, department_id):
            problems.append(RowProblem(line, "department_id", f"部门编码“{department_id}”只能由字母、数字、-、_ "
                                                              "组成，最长 40 个字符"))
        elif (ref.name is None and department_id not in directory.departments
              and department_id not in named_in_file.ids):
            problems.append(RowProblem(line, "department_id", f"部门“{department_id}”不在部门列表中，"
                                                              "请同时提供实施主体名称"))
        return problems
    if ref.name:
        found = named_in_file.ids_by_name.get(normalise_label(ref.name)) or directory.department_by_name(ref.name)
        if found is None:
            return [*problems, RowProblem(line, "department_id",
                                          f"找不到实施主体“{ref.name}”，请提供部门编码或统一社会信用代码")]
        row.guide["department_id"] = found
    return problems  # no department at all: reported by the schema check as a missing department_id


def _resolve_themes(line: int, guide: dict[str, Any], directory: Directory) -> list[RowProblem]:
    themes = guide.get("themes")
    if not themes:
        return []
    resolved, unknown = [], []
    for value in themes:
        theme_id = directory.theme_id(str(value))
        if theme_id is None:
            unknown.append(str(value))
        elif theme_id not in resolved:
            resolved.append(theme_id)
    guide["themes"] = resolved
    if unknown:
        return [RowProblem(line, "themes", f"未知主题“{'、'.join(unknown)}”")]
    return []


class _DepartmentTally:
    """Departments the good rows use, with the name and credit code most rows give them."""

    def __init__(self) -> None:
        self._names: dict[str, Counter[str]] = {}
        self._credit_codes: dict[str, Counter[str]] = {}
        self._regions: dict[str, Counter[str]] = {}

    def add(self, department_id: str, ref: DepartmentRef, region_code: str | None) -> None:
        names = self._names.setdefault(department_id, Counter())
        credit_codes = self._credit_codes.setdefault(department_id, Counter())
        regions = self._regions.setdefault(department_id, Counter())
        if ref.name:
            names[ref.name] += 1
        credit_code = _valid_credit_code(ref.credit_code) if ref.credit_code else None
        if credit_code:
            credit_codes[credit_code] += 1
        if region_code:
            regions[region_code] += 1

    def to_ensure(self, directory: Directory) -> list[Department]:
        """New departments, and known ones whose missing codes the file supplies. The managed list wins
        over the file: an import never renames a department or replaces a code an administrator set."""
        ensure = []
        for department_id, names in self._names.items():
            from_file = Department(
                id=department_id, name=_most_common(names) or "",
                credit_code=_own_credit_code(department_id) or _most_common(self._credit_codes[department_id]),
                region_code=_most_common(self._regions[department_id]))
            known = directory.departments.get(department_id)
            if known is None:
                if from_file.name:
                    ensure.append(from_file)
                continue
            merged = Department(id=department_id, name=known.name,
                                credit_code=known.credit_code or from_file.credit_code,
                                region_code=known.region_code or from_file.region_code)
            if merged != known:
                ensure.append(merged)
        return ensure


def _own_credit_code(department_id: str) -> str | None:
    # A department code that is itself a valid credit code beats what its items' codes suggest.
    return _valid_credit_code(department_id)


def _valid_credit_code(value: str) -> str | None:
    try:
        return validate_credit_code(value)
    except AppError:
        return None


def _most_common(counter: Counter[str]) -> str | None:
    return counter.most_common(1)[0][0] if counter else None
