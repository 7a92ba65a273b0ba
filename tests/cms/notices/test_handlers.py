"""The editorial API of notices: the same engine and routes as guides, with the notice's own fields."""

import io

import openpyxl
import pytest

from tests.cms.factories import DEPARTMENT_ID, create_catalog, notice_content
from tests.support.staff import signed_in_staff


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "名单"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.asyncio
async def test_notice_with_attachments_goes_through_review(server) -> None:
    await create_catalog(server.deps)
    editor = await signed_in_staff(server, "editor1", roles=("editor",))
    reviewer = await signed_in_staff(server, "reviewer1", roles=("reviewer",))
    created = await editor.post("/staff/v1/notices", json={"content": notice_content(department_id=DEPARTMENT_ID)})
    assert created.status == 201
    assert created.json["kind"] == "notice"
    path = f"/staff/v1/notices/{created.json['id']}"
    workbook = xlsx_bytes()
    sheet = await editor.post(f"{path}/attachments?filename=名单.xlsx", body=workbook)
    assert sheet.status == 201
    assert sheet.json["content_type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    image = await editor.post(f"{path}/attachments?filename=cover.png", body=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert image.status == 201
    assert image.json["content_type"] == "image/png"

    saved = await editor.request("PUT", path, json={"base_version": created.json["version"], "content": notice_content(
        department_id=DEPARTMENT_ID, attachments=[sheet.json], cover_image=image.json,
        body="正文 <script>alert(1)</script><a href=\"#\" onclick=\"x()\">链接</a>")})
    assert saved.status == 200, saved.body
    submitted = await editor.post(f"{path}/submit", json={})
    assert submitted.json["state"] == "in_review"
    published = await reviewer.post(f"{path}/publish", json={"base_version": submitted.json["version"]})
    assert published.status == 200
    assert published.json["is_live"]

    delivered = await server.get(f"/mp/v1/notices/{created.json['id']}")
    assert delivered.status == 200
    body = delivered.json
    assert "<script" not in body["body"]
    assert "onclick" not in body["body"]
    assert "链接" in body["body"]
    assert body["department"] == {"id": DEPARTMENT_ID, "name": "区经信局"}
    assert body["attachments"][0]["name"] == "名单.xlsx"
    assert "url" in body["attachments"][0]
    assert body["cover_image"]["content_type"] == "image/png"
    download = await server.get(body["attachments"][0]["url"].removeprefix(server.settings.base_url))
    assert download.status == 200
    assert download.body == workbook

    revisions = (await editor.get(f"{path}/revisions")).json["items"]
    diff = await editor.get(f"{path}/diff?from={revisions[1]['id']}&to={revisions[0]['id']}")
    assert {c["field"] for c in diff.json["changes"]} == {"body", "attachments", "cover_image"}


@pytest.mark.asyncio
async def test_schema_endpoint_describes_notice_content(server) -> None:
    reviewer = await signed_in_staff(server, "reviewer1", roles=("reviewer",))
    response = await reviewer.get("/staff/v1/notices/schema")
    assert response.status == 200
    assert response.json["kind"] == "notice"
    assert response.json["schema"]["required"] == ["title", "category"]
    assert "attachments" in response.json["schema"]["properties"]
