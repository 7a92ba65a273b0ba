"""Reading an import file into rows of named cells, each with the line number an editor can find it by.

JSON lines: the line in the file. CSV and XLSX: the spreadsheet row number (a CSV record with a line
break inside a quoted cell is still one row, as a spreadsheet shows it). The header row is the first row
of the first ten that names at least two known columns, so a title row above the header does no harm.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

from cms.importing.columns import column_for
from cms.importing.errors import ImportFileUnreadable, UnsupportedImportFormat

FORMATS = ("jsonl", "csv", "xlsx")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".txt": "csv",
             ".xlsx": "xlsx", ".xlsm": "xlsx"}
_HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class SourceRow:
    line: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class SourceProblem:
    line: int
    message: str


@dataclass
class Source:
    format: str
    rows: list[SourceRow] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    encoding: str | None = None


def detect_format(path: Path, declared: str | None = None) -> str:
    if declared:
        if declared not in FORMATS:
            raise UnsupportedImportFormat(f"不支持的格式 {declared}（支持 {'、'.join(FORMATS)}）")
        return declared
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise UnsupportedImportFormat(f"无法从扩展名“{path.suffix}”判断格式，请用 --format 指明")
    return found


def read_source(path: Path, declared_format: str | None = None) -> Source:
    fmt = detect_format(path, declared_format)
    if fmt == "xlsx":
        return read_xlsx(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileUnreadable(f"无法读取 {path}: {exc.strerror}") from None
    return read_jsonl(data) if fmt == "jsonl" else read_csv(data)


def read_jsonl(data: bytes) -> Source:
    """One JSON object per line; a file that is one JSON array of objects (``.json``) is read too."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if data.lstrip().startswith(b"["):
        return read_json_array(data)
    source = Source(format="jsonl", encoding="utf-8")
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parsed = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            source.problems.append(SourceProblem(number, f"JSON 格式错误: {exc}"))
            continue
        if not isinstance(parsed, dict):
            source.problems.append(SourceProblem(number, "每行应为一个 JSON 对象 {...}"))
            continue
        source.rows.append(SourceRow(number, parsed))
    return source


def read_json_array(data: bytes) -> Source:
    """Each element's line is the line its opening brace is on, so problems point into the file."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFileUnreadable("JSON 文件应为 UTF-8 编码") from None
    source = Source(format="json", encoding="utf-8")
    decoder = json.JSONDecoder()
    position = _skip_blank(text, text.index("[") + 1)
    try:
        while text[position] != "]":
            value, end = decoder.raw_decode(text, position)
            line = text.count("\n", 0, position) + 1
            if isinstance(value, dict):
                source.rows.append(SourceRow(line, value))
            else:
                source.problems.append(SourceProblem(line, "数组的每一项应为一个 JSON 对象 {...}"))
            position = _skip_blank(text, end)
            if text[position] == ",":
                position = _skip_blank(text, position + 1)
            elif text[position] != "]":
                raise json.JSONDecodeError("应为 , 或 ]", text, position)
    except json.JSONDecodeError as exc:
        raise ImportFileUnreadable(f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）: {exc.msg}") from None
    except IndexError:
        raise ImportFileUnreadable("JSON 数组不完整：缺少结尾的 ]") from None
    return source


def _skip_blank(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first; catalogues saved by Chinese Excel are GBK, read as GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileUnreadable("文件编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV")


def read_csv(data: bytes) -> Source:
    text, encoding = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileUnreadable(f"CSV 格式错误: {exc}") from None
    source = _from_table(records, "csv")
    source.encoding = encoding
    return source


def read_xlsx(path: Path) -> Source:
    import openpyxl  # loaded on demand: only spreadsheet imports need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # Files from other tools make openpyxl warn about styles and extensions it does not read.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                records = [list(values) for values in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, IndexError) as exc:
        raise ImportFileUnreadable(f"无法读取 XLSX 文件: {exc}") from None
    return _from_table(records, "xlsx")


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def _find_header(records: Sequence[Sequence[Any]]) -> int:
    for index, record in enumerate(records[:_HEADER_SEARCH_ROWS]):
        known = sum(1 for value in record if isinstance(value, str) and column_for(value) is not None)
        if known >= 2:
            return index
    raise ImportFileUnreadable("找不到表头：前 10 行中没有一行包含至少两个可识别的列名（如 事项名称、实施编码）")


def _from_table(records: list[list[Any]], fmt: str) -> Source:
    source = Source(format=fmt)
    if not records:
        return source
    header_index = _find_header(records)
    headers = [str(value).strip() if value is not None else "" for value in records[header_index]]
    for index in range(header_index + 1, len(records)):
        record = records[index]
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in record):
            continue
        cells = {header: _cell(value) for header, value in zip(headers, record, strict=False) if header}
        if len(record) > len(headers) and any(_cell(value) not in (None, "") for value in record[len(headers):]):
            source.problems.append(SourceProblem(index + 1, "该行的列数多于表头"))
            continue
        source.rows.append(SourceRow(index + 1, cells))
    return source
