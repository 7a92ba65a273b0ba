"""Routes of the object store: the filesystem backend's signed downloads.

With MinIO, signed links point at MinIO itself and this route does not exist. Nothing in the store is
public: a download needs a link the server signed, which names one object and expires within minutes.
"""

from __future__ import annotations

import contextlib

import tornado.iostream

from server.http.api import Route, endpoint, string
from server.http.base import BaseHandler
from server.objects.base import content_disposition
from server.objects.factory import url_signer
from server.objects.signing import UrlSigner
from server.settings import Settings

# Whatever a stored file claims to be (HTML, SVG...), it must not run as a page of this origin.
_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox"

_download = endpoint(
    "Download an object through a signed link", tags=["objects"],
    # Unbounded on purpose: any altered value is answered 403 by the signature check, not 400 here.
    query={"expires": string(), "filename": string(), "signature": string()},
    responses={200: None}, response_content_type="application/octet-stream", errors=(403, 404, 410))


class SignedDownloadHandler(BaseHandler):
    def initialize(self, signer: UrlSigner) -> None:
        self.signer = signer

    @_download
    async def get(self, key: str) -> None:
        await self._serve(key, with_body=True)

    @_download
    async def head(self, key: str) -> None:
        await self._serve(key, with_body=False)

    async def _serve(self, key: str, *, with_body: bool) -> None:
        filename = self.query.get("filename")
        remaining = self.signer.check(key, expires=self.query.get("expires"), filename=filename,
                                      signature=self.query.get("signature"),
                                      now=self.deps.clock.timestamp())
        store = self.deps.store
        info = await store.stat(key)
        self.set_header("Content-Type", info.content_type)
        self.set_header("Content-Length", str(info.size))
        self.set_header("ETag", f'"{info.sha256}"')
        self.set_header("Cache-Control", f"private, max-age={remaining}")
        self.set_header("Content-Security-Policy", _CONTENT_SECURITY_POLICY)
        if filename:
            self.set_header("Content-Disposition", content_disposition(filename))
        if with_body:
            try:
                async with contextlib.aclosing(store.get(key)) as chunks:
                    async for chunk in chunks:
                        self.write(chunk)
                        await self.flush()
            except tornado.iostream.StreamClosedError:
                return  # the client went away mid-download; nothing to answer
        self.finish()


def routes(settings: Settings) -> list[Route]:
    if settings.minio_endpoint:
        return []
    # Not in /openapi.json: clients never build these URLs, they follow links the API hands out.
    return [Route("/objects/{key:path}", SignedDownloadHandler, kwargs={"signer": url_signer(settings)},
                  documented=False)]
