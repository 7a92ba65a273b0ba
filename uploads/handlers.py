"""Material pages over HTTP: streamed uploads, removal, reuse of my materials.

An upload is the raw file as the request body (any Content-Type: the type is decided from the bytes),
its name optionally in ``X-File-Name`` (percent-encoded UTF-8). The body goes to a spool file as it
arrives, never into memory; past MAX_UPLOAD_BYTES or the case's remaining allowance it is refused
while it arrives (the rest is read and dropped, so the client gets the answer), and a connection cut
off mid-way leaves nothing.
"""

from __future__ import annotations

import re
import urllib.parse

from server.cases.views import MY_MATERIAL, PAGE, SLOT, material_slot_view, my_material_view, page_view
from server.errors import AppError
from server.http.api import PAGE_QUERY, Route, boolean, endpoint, integer, obj, page_of, string
from server.http.base import BaseHandler
from server.settings import Settings
from uploads.intake.spool import SpooledUpload
from uploads.materials import add_uploaded_page, remove_page, spool_dir, upload_allowance
from uploads.my_materials import my_materials, reuse_material

TAGS = ["materials"]
FILE_NAME_HEADER = "X-File-Name"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_FILE_NAME = 200

UPLOAD_RESULT = obj({
    "page": PAGE,
    "duplicate": boolean(description="The same file was already in this slot: this is that page"),
}, required=["page", "duplicate"])


def file_name_from_header(raw: str | None) -> str | None:
    if not raw:
        return None
    name = _CONTROL.sub("", urllib.parse.unquote(raw.strip())).strip()
    return name[:_MAX_FILE_NAME] or None


class PageUploadHandler(BaseHandler):
    _spool: SpooledUpload | None = None
    _refusal: AppError | None = None
    _spooled = False  # the body arrived whole: the spool file is the domain's to delete now

    def body_limit(self) -> int:
        return self.deps.settings.max_upload_bytes

    def declared_length(self) -> int | None:
        declared = self.request.headers.get("Content-Length", "")
        return int(declared) if declared.isdigit() else None

    async def prepare(self) -> None:
        await super().prepare()
        # Sizes are refused by the spool below, with the intake's codes (file_too_large, case_total_too_large).
        self._too_large = False
        if self._finished:
            return
        try:
            remaining = await upload_allowance(self.deps, self.principal.citizen_id, self.path_kwargs["case_id"],
                                               self.path_kwargs["slot_id"])
            directory = spool_dir(self.deps.settings)
            directory.mkdir(parents=True, exist_ok=True)
            self._spool = SpooledUpload(directory, max_bytes=self.body_limit(), case_remaining_bytes=remaining)
            self._spool.expect(self.declared_length())
        except AppError as refusal:
            self._refuse(refusal)

    def data_received(self, chunk: bytes) -> None:
        if self._refusal is None and self._spool is not None:
            try:
                self._spool.write(chunk)
            except AppError as refusal:
                self._refuse(refusal)

    def _refuse(self, refusal: AppError) -> None:
        # Answered once the body has been read (and dropped), so the client sees the answer.
        self._refusal = refusal
        if self._spool is not None:
            self._spool.abort()

    @endpoint("Upload one page (photo or PDF) of a material", tags=TAGS, auth="citizen",
              request=string(format="binary"), request_content_type="application/octet-stream",
              responses={201: UPLOAD_RESULT, 200: UPLOAD_RESULT}, errors=(400, 404, 409, 413, 415, 422),
              description="The raw file as the body; JPEG, PNG, WebP, HEIC/HEIF or PDF, told from the bytes. Photos "
                          "are turned upright, stripped of all metadata, downscaled to UPLOAD_MAX_SIDE and "
                          "re-encoded; `page.problems` says if one is too blurry, dark, bright or small to read "
                          "(the page is kept: ask for a retake). 201 new page; 200 the same file was already in "
                          "this slot. Only in a draft, or after a supplement notice in the slots it lists (409 "
                          "materials_locked). 413 file_too_large / case_total_too_large; 415 "
                          "unsupported_file_type; 422 polyglot_file, truncated_file, corrupt_file, "
                          "image_too_large, pdf_* ...; 400 empty_file.")
    async def post(self, case_id: str, slot_id: str) -> None:
        if self._refusal is not None:
            raise self._refusal
        assert self._spool is not None
        upload = self._spool.finish(self.declared_length())
        self._spooled = True
        outcome = await add_uploaded_page(self.deps, self.principal.citizen_id, case_id, slot_id, upload,
                                          file_name_from_header(self.request.headers.get(FILE_NAME_HEADER)))
        self.write_json({"page": await page_view(self.deps, outcome.page), "duplicate": not outcome.created},
                        201 if outcome.created else 200)

    def _discard_unfinished(self) -> None:
        if self._spool is not None and not self._spooled:
            self._spool.abort()

    def on_connection_close(self) -> None:
        self._discard_unfinished()
        super().on_connection_close()

    def on_finish(self) -> None:
        self._discard_unfinished()
        super().on_finish()


class PageHandler(BaseHandler):
    @endpoint("Remove a page from a material", tags=TAGS, auth="citizen", responses={204: None},
              errors=(404, 409), description="Same windows as uploading (409 materials_locked otherwise).")
    async def delete(self, case_id: str, slot_id: str, page_id: str) -> None:
        await remove_page(self.deps, self.principal.citizen_id, case_id, slot_id, page_id)
        self.set_status(204)
        self.finish()


class ReuseHandler(BaseHandler):
    @endpoint("Attach one of my materials to a material of this case, without uploading again", tags=TAGS,
              auth="citizen", request=obj({"material_id": string(minLength=1, maxLength=200)},
                                          required=["material_id"]),
              responses={200: obj({"slot": SLOT, "added": integer(minimum=0)}, required=["slot", "added"])},
              errors=(400, 404, 409, 422),
              description="Only where the guide allows reuse (422 reuse_not_allowed) and for the same material "
                          "(422 material_kind_mismatch); pages already in the slot are not added twice.")
    async def post(self, case_id: str, slot_id: str) -> None:
        case, added = await reuse_material(self.deps, self.principal.citizen_id, case_id, slot_id,
                                           self.body["material_id"])
        self.write_json({"slot": await material_slot_view(self.deps, case, slot_id), "added": added})


class MyMaterialsHandler(BaseHandler):
    @endpoint("My materials (我的材料): materials accepted in my earlier cases", tags=TAGS, auth="citizen",
              query=PAGE_QUERY, responses={200: page_of(MY_MATERIAL)})
    async def get(self) -> None:
        offset, limit = self.query["offset"], self.query["limit"]
        found, total = await my_materials(self.deps, self.principal.citizen_id, offset=offset, limit=limit)
        self.write_json({"items": [await my_material_view(self.deps, material) for material in found],
                         "total": total, "offset": offset, "limit": limit})


def routes(settings: Settings) -> list[Route]:
    return [
        Route("/mp/v1/cases/{case_id}/materials/{slot_id}/pages", PageUploadHandler),
        Route("/mp/v1/cases/{case_id}/materials/{slot_id}/pages/{page_id}", PageHandler),
        Route("/mp/v1/cases/{case_id}/materials/{slot_id}/reuse", ReuseHandler),
        Route("/mp/v1/me/materials", MyMaterialsHandler),
    ]
