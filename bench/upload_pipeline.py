"""Material intake: photo normalisation speed and upload server memory.

    python -m bench.upload_pipeline

1. ``upload_normalise_ratio``: a 4000x3000 phone-like JPEG (about 4 MB, EXIF orientation 6, GPS) through
   ``uploads.intake.pipeline.process_file`` versus plain Pillow (open, exif_transpose, LANCZOS to 2560 px,
   save q85, 320 px thumbnail), interleaved, medians of the same run. Target: at most 0.30.
2. ``upload_peak_rss_mb``: 20 concurrent 10 MB uploads to an upload server; its peak RSS (VmHWM) must stay
   under 300 MB. ``measure_upload_rss`` takes any server (URL + pid) and a function that posts one file;
   until the product's upload endpoint exists it runs against the minimal Tornado app below
   (``--serve``), which streams bodies into ``SpooledUpload`` and runs ``process_upload`` in a
   two-worker executor, as the real handler is meant to.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import tornado.httpclient
import tornado.httpserver
import tornado.netutil
import tornado.web
from PIL import Image, ImageOps

from server.errors import AppError
from uploads.intake.params import IntakeParams
from uploads.intake.pipeline import process_file, process_upload
from uploads.intake.spool import SpooledUpload

RATIO_TARGET = 0.30
RSS_TARGET_MB = 300.0
ROUNDS = 7
CONCURRENT_UPLOADS = 20
CHUNK = 64 * 1024

PostFile = Callable[[str, Path], Awaitable[int]]


# --- test material --------------------------------------------------------------------------------------


def make_phone_jpeg(path: Path, size: tuple[int, int], quality: int, noise: float, seed: int = 1) -> None:
    """A photo-like JPEG: smooth light, mid-frequency texture and sensor noise, compressing like a phone
    photo does; EXIF Orientation 6 (portrait held phone) and a GPS position, as phones write them."""
    width, height = size
    rng = np.random.default_rng(seed)
    light = Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)).resize(
        size, Image.Resampling.BICUBIC
    )
    texture = Image.fromarray(rng.integers(0, 256, (height // 40, width // 40, 3), dtype=np.uint8)).resize(
        size, Image.Resampling.BILINEAR
    )
    pixels = np.asarray(light, dtype=np.float32) * 0.6 + np.asarray(texture, dtype=np.float32) * 0.24
    pixels += rng.normal(0.0, noise, (height, width, 1)).astype(np.float32)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "BenchPhone"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (30.0, 37.0, 39.54), 3: "E", 4: (119.0, 44.0, 19.56)})
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(
        path, "JPEG", quality=quality, exif=exif.tobytes()
    )


# --- target 1: normalisation speed ------------------------------------------------------------------------


def plain_pillow(source: Path, out_dir: Path, max_side: int = 2560, thumbnail_side: int = 320) -> None:
    with Image.open(source) as opened:
        upright = ImageOps.exif_transpose(opened)
        scale = max_side / max(upright.size)
        resized = upright.resize(
            (round(upright.width * scale), round(upright.height * scale)), Image.Resampling.LANCZOS
        )
        resized.save(out_dir / "plain.jpg", quality=85)
        thumbnail = resized.copy()
        thumbnail.thumbnail((thumbnail_side, thumbnail_side), Image.Resampling.LANCZOS)
        thumbnail.save(out_dir / "plain.thumb.jpg", quality=85)


def pipeline(source: Path, out_dir: Path, params: IntakeParams) -> tuple[int, int]:
    result = process_file(source, params, out_dir)
    result.cleanup(source)
    assert result.width is not None
    assert result.height is not None
    return result.width, result.height


def measure_normalise_ratio(work: Path, params: IntakeParams) -> tuple[float, float, float, str]:
    source = work / "phone.jpg"
    make_phone_jpeg(source, (4000, 3000), quality=92, noise=6.0)
    plain_times: list[float] = []
    pipeline_times: list[float] = []
    plain_pillow(source, work)  # warm both paths (plugin imports, allocator)
    output_size = pipeline(source, work, params)
    for round_number in range(ROUNDS):
        runs: list[tuple[list[float], Callable[[], object]]] = [
            (plain_times, lambda: plain_pillow(source, work)),
            (pipeline_times, lambda: pipeline(source, work, params)),
        ]
        for times, run in runs if round_number % 2 == 0 else reversed(runs):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
    plain_median = statistics.median(plain_times)
    pipeline_median = statistics.median(pipeline_times)
    described = f"{source.stat().st_size / 1e6:.1f} MB 4000x3000 -> {output_size[0]}x{output_size[1]}"
    return pipeline_median / plain_median, plain_median, pipeline_median, described


# --- target 2: upload server memory -----------------------------------------------------------------------


def read_status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


async def post_file_streaming(url: str, path: Path) -> int:
    """POST ``path`` as the raw body, streamed in 64 KB chunks; the HTTP status."""

    async def produce(write: Callable[[bytes], Awaitable[None]]) -> None:
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                await write(chunk)

    size = await asyncio.to_thread(os.path.getsize, path)
    client = tornado.httpclient.AsyncHTTPClient()
    response = await client.fetch(
        url,
        method="POST",
        body_producer=produce,
        headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"},
        raise_error=False,
        request_timeout=300,
    )
    return response.code


def measure_upload_rss(
    url: str, server_pid: int, post_file: PostFile, files: Sequence[Path]
) -> tuple[float, float, list[int]]:
    """Post all ``files`` at once; (startup RSS MB, peak RSS MB of the server, HTTP statuses)."""
    startup_mb = read_status_kb(server_pid, "VmRSS") / 1024

    async def post_all() -> list[int]:
        tornado.httpclient.AsyncHTTPClient.configure(None, max_clients=len(files))
        return list(await asyncio.gather(*(post_file(url, path) for path in files)))

    statuses = asyncio.run(post_all())
    return startup_mb, read_status_kb(server_pid, "VmHWM") / 1024, statuses


@tornado.web.stream_request_body
class BenchUploadHandler(tornado.web.RequestHandler):
    """The shape of the product's upload handler: stream to disk, then process off the loop."""

    def initialize(self, work_dir: Path, params: IntakeParams, executor: Executor) -> None:
        self.work_dir = work_dir
        self.params = params
        self.executor = executor
        self.refusal: AppError | None = None

    def prepare(self) -> None:
        self.spool = SpooledUpload(self.work_dir, max_bytes=self.params.max_file_bytes)
        declared = self.request.headers.get("Content-Length")
        self._guard(lambda: self.spool.expect(int(declared) if declared else None))

    def data_received(self, chunk: bytes) -> None:
        if self.refusal is None:
            self._guard(lambda: self.spool.write(chunk))

    async def post(self) -> None:
        upload = None
        if self.refusal is None:
            try:
                upload = self.spool.finish()
            except AppError as refusal:
                self.refusal = refusal
        if upload is None:
            assert self.refusal is not None
            self._refuse(self.refusal)
            return
        try:
            result = await process_upload(
                upload.path, self.params, sha256_original=upload.sha256, executor=self.executor
            )
        except AppError as refusal:
            self._refuse(refusal)
            return
        finally:
            upload.discard()
        result.cleanup(upload.path)
        problems = [problem.code for problem in result.problems]
        self.finish({"kind": result.kind, "width": result.width, "height": result.height, "problems": problems})

    def _refuse(self, refusal: AppError) -> None:
        self.set_status(refusal.status)
        self.finish({"error": refusal.to_dict()})

    def on_connection_close(self) -> None:
        self.spool.abort()

    def _guard(self, step: Callable[[], None]) -> None:
        try:
            step()
        except AppError as refusal:
            self.refusal = refusal
            self.spool.abort()


def serve(work_dir: Path) -> None:
    """Run the bench upload server; prints its port once listening."""
    params = IntakeParams()
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="intake")
    app = tornado.web.Application(
        [(r"/upload", BenchUploadHandler, {"work_dir": work_dir, "params": params, "executor": executor})]
    )

    async def main() -> None:
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server = tornado.httpserver.HTTPServer(app, max_body_size=params.max_file_bytes * 2)
        server.add_sockets(sockets)
        print(sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def run_rss_bench(work: Path) -> tuple[float, float, list[int], str]:
    sample = work / "phone10mb.jpg"
    make_phone_jpeg(sample, (5472, 3648), quality=95, noise=8.5, seed=2)
    files = []
    for index in range(CONCURRENT_UPLOADS):
        copy = work / f"upload{index}.jpg"
        os.link(sample, copy)
        files.append(copy)
    server_dir = work / "server"
    server_dir.mkdir()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.upload_pipeline", "--serve", str(server_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        startup, peak, statuses = measure_upload_rss(
            f"http://127.0.0.1:{port}/upload", server.pid, post_file_streaming, files
        )
        leftovers = len(list(server_dir.iterdir()))
    finally:
        server.terminate()
        server.wait(timeout=10)
    described = f"{CONCURRENT_UPLOADS} x {sample.stat().st_size / 1e6:.1f} MB, files left: {leftovers}"
    return startup, peak, statuses, described


def report(name: str, value: float, target: float, passed: bool) -> bool:
    print(f"{name} {value:.3f} {target} {'PASS' if passed else 'FAIL'}")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", type=Path, metavar="WORK_DIR", help="run the bench upload server")
    arguments = parser.parse_args()
    if arguments.serve:
        serve(arguments.serve)
        return 0
    results: list[bool] = []
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as directory:
        work = Path(directory)
        ratio, plain, ours, described = measure_normalise_ratio(work, IntakeParams())
        print(f"# normalise {described}: plain Pillow {plain * 1000:.0f} ms, pipeline {ours * 1000:.0f} ms "
              f"(medians of {ROUNDS}, interleaved)")
        results.append(report("upload_normalise_ratio", ratio, RATIO_TARGET, ratio <= RATIO_TARGET))
        startup, peak, statuses, described = run_rss_bench(work)
        accepted = statuses.count(200)
        print(f"# upload server {described}: startup RSS {startup:.0f} MB, {accepted} of {len(statuses)} "
              f"answered 200 (required for the figure to count)")
        results.append(report("upload_peak_rss_mb", peak, RSS_TARGET_MB,
                              peak < RSS_TARGET_MB and accepted == len(statuses)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
