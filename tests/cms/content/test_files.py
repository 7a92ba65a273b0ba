import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cms.content.errors import EmptyFile, UnsupportedFileType
from cms.content.files import DOC, DOCX, FILE_REF, JPEG, PDF, PNG, XLS, XLSX, delivered_schema, sniff_file, walk_refs
from server.http.api import array, obj

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def ooxml(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_types_are_told_by_bytes_not_by_name(tmp_path: Path) -> None:
    assert sniff_file(write(tmp_path, "a.docx", b"%PDF-1.7\n...")) is PDF
    assert sniff_file(write(tmp_path, "a.pdf", b"\xff\xd8\xff\xe0rest")) is JPEG
    assert sniff_file(write(tmp_path, "a.jpg", b"\x89PNG\r\n\x1a\nrest")) is PNG


def test_office_documents_are_told_apart_by_their_containers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "申请表"
    buffer = io.BytesIO()
    book.save(buffer)
    assert sniff_file(write(tmp_path, "form.pdf", buffer.getvalue())) is XLSX
    docx = ooxml({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert sniff_file(write(tmp_path, "form.xlsx", docx)) is DOCX
    padding = b"\x00" * 512
    assert sniff_file(write(tmp_path, "a.bin", OLE_MAGIC + padding + "WordDocument".encode("utf-16-le"))) is DOC
    assert sniff_file(write(tmp_path, "b.bin", OLE_MAGIC + padding + "Workbook".encode("utf-16-le"))) is XLS


@pytest.mark.parametrize("data", [
    b"<html><script>alert(1)</script></html>",
    b"MZ\x90\x00 executable",
    OLE_MAGIC + b"\x00" * 512 + "PowerPoint Document".encode("utf-16-le"),
])
def test_other_files_are_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(UnsupportedFileType):
        sniff_file(write(tmp_path, "form.pdf", data))


def test_plain_zip_and_broken_zip_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFileType):
        sniff_file(write(tmp_path, "a.docx", ooxml({"readme.txt": b"hello"})))
    with pytest.raises(UnsupportedFileType):
        sniff_file(write(tmp_path, "b.docx", b"PK\x03\x04" + b"\x00" * 40))


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EmptyFile):
        sniff_file(write(tmp_path, "empty.pdf", b""))


def test_walk_refs_finds_references_with_their_paths() -> None:
    content = {"materials": [{"name": "a", "blank_form": {"key": "k1", "name": "表"}}, {"name": "b",
                                                                                       "blank_form": None}],
               "result": {"name": "证", "sample": {"key": "k2", "name": "样本"}}}
    found = [path for pattern in (("materials", "*", "blank_form"), ("result", "sample"))
             for path, _ in walk_refs(content, "", pattern)]
    assert found == ["/materials/0/blank_form", "/result/sample"]


def test_delivered_schema_replaces_file_references() -> None:
    schema = obj({"files": array(FILE_REF), "name": {"type": "string"}})
    delivered = delivered_schema(schema)
    item = delivered["properties"]["files"]["items"]["anyOf"][0]
    assert "url" in item["required"]
    assert "key" not in item["properties"]
    assert delivered["properties"]["name"] == {"type": "string"}
