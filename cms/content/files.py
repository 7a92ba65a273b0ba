"""Files of content (blank forms, samples, notice attachments): type by bytes, ownership, signed delivery.

A file's type is decided from its bytes, never from its name or the Content-Type header: PDF, JPEG,
PNG, the OLE2 container of DOC/XLS (told apart by their stream names) and the ZIP container of
DOCX/XLSX (told apart by their parts). Anything else is refused.
"""

from __future__ import annotations

import asyncio
import copy
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cms.content import files_repo
from cms.content.errors import EmptyFile, UnsupportedFileType
from cms.content.validation import Problem
from server.http.api import Schema, integer, nullable, obj, string

if TYPE_CHECKING:
    from cms.content.spec import ContentType
    from server.deps import Deps

FILE_REF: Schema = nullable(obj({"key": string(maxLength=512), "name": string(maxLength=200),
                                 "content_type": string(maxLength=100), "size": integer(minimum=0)},
                                required=["key", "name"]))

DELIVERED_FILE: Schema = obj({"name": string(), "content_type": string(), "size": integer(minimum=0),
                              "url": string(description="Short-lived signed download link")},
                             required=["name", "url"])

_READ_CHUNK = 256 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str


PDF = FileType("pdf", "application/pdf")
JPEG = FileType("jpg", "image/jpeg")
PNG = FileType("png", "image/png")
DOC = FileType("doc", "application/msword")
XLS = FileType("xls", "application/vnd.ms-excel")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def sniff_file(path: Path) -> FileType:
    """The type of the file at ``path`` from its bytes (blocking: run it in a thread)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise EmptyFile()
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head == _OLE_MAGIC:
        return _ole_type(path)
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_type(path)
    raise UnsupportedFileType()


def _ole_type(path: Path) -> FileType:
    # Stream names are stored in UTF-16LE in the container's directory sectors.
    data = path.read_bytes()
    if "WordDocument".encode("utf-16-le") in data:
        return DOC
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return XLS
    raise UnsupportedFileType("不支持的 Office 文件（只接受 Word 和 Excel）")


def _ooxml_type(path: Path) -> FileType:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        raise UnsupportedFileType("压缩文件已损坏或不是 Word/Excel 文件") from None
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    raise UnsupportedFileType("只接受 Word 和 Excel 格式的压缩文档")


async def read_chunks(path: Path) -> AsyncIterator[bytes]:
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(handle.read, _READ_CHUNK):
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)


def object_key(kind: str, item_id: str, file_id: str, file_type: FileType) -> str:
    return f"cms/{kind}/{item_id}/{file_id}.{file_type.extension}"


async def check_file_refs(deps: Deps, spec: ContentType, item_id: str, content: dict[str, Any]) -> list[Problem]:
    """Refs must name files uploaded to this item; their type and size are taken from the upload record."""
    refs = list(spec.file_refs(content))
    if not refs:
        return []
    records = await files_repo.files_of_item(deps.db, item_id, sorted({ref["key"] for _, ref in refs}))
    problems = []
    for path, ref in refs:
        record = records.get(ref["key"])
        if record is None:
            problems.append(Problem(path + "/key", "unknown_file", "文件不存在或不属于本内容，请重新上传"))
            continue
        ref["name"] = ref["name"].strip() or record["name"]
        ref["content_type"] = record["content_type"]
        ref["size"] = record["size"]
    return problems


async def sign_file_refs(deps: Deps, spec: ContentType, rendered: dict[str, Any]) -> dict[str, Any]:
    """A copy of delivered content whose file refs are replaced by short-lived download links."""
    signed = copy.deepcopy(rendered)
    ttl = deps.settings.signed_url_ttl_seconds
    for _, ref in spec.file_refs(signed):
        url = await deps.store.signed_url(ref["key"], expires_in=ttl, filename=ref["name"])
        delivered = {"name": ref["name"], "content_type": ref.get("content_type", "application/octet-stream"),
                     "size": ref.get("size", 0), "url": url}
        ref.clear()
        ref.update(delivered)
    return signed


def delivered_schema(schema: Any) -> Any:
    """``schema`` with every file reference replaced by the delivered (signed link) form."""
    if schema == FILE_REF:
        return nullable(DELIVERED_FILE)
    if isinstance(schema, dict):
        return {key: delivered_schema(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [delivered_schema(value) for value in schema]
    return schema


def walk_refs(value: Any, path: str, fields: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    """File refs under ``path`` following ``fields``; "*" steps into every list item."""
    if value is None:
        return
    if not fields:
        if isinstance(value, dict) and "key" in value:
            yield path, value
        return
    head, rest = fields[0], fields[1:]
    if head == "*":
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk_refs(item, f"{path}/{index}", rest)
    elif isinstance(value, dict):
        yield from walk_refs(value.get(head), f"{path}/{head}", rest)
