"""Failures of an import: a file we cannot read at all, and one cell or row we cannot use."""

from __future__ import annotations

from server.errors import BadRequest, Unprocessable, UnsupportedMediaType


class UnsupportedImportFormat(UnsupportedMediaType):
    code = "unsupported_import_format"
    default_message = "不支持的导入文件格式（支持 jsonl、csv、xlsx）"


class ImportFileUnreadable(BadRequest):
    code = "import_file_unreadable"
    default_message = "无法读取导入文件"


class InvalidCell(Unprocessable):
    """One value in one row that cannot be turned into a guide field; reported with its row, never raised
    out of the importer."""

    code = "invalid_import_value"
    default_message = "导入内容无法识别"


class InvalidImportDefault(BadRequest):
    code = "invalid_import_default"
    default_message = "--default 应写作 字段=值，字段为可识别的列名"
