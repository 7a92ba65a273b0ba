"""The web process: HTTP server on $PORT, the runtime behind it, clean shutdown on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket

import tornado.httpserver
import tornado.netutil
import tornado.process
import tornado.web

import cms.search
from server.app import make_app
from server.calendar.service import prepare_calendar
from server.runtime import Runtime, open_runtime
from server.settings import Settings

log = logging.getLogger("yiwang.web")


def make_http_server(app: tornado.web.Application, settings: Settings) -> tornado.httpserver.HTTPServer:
    # Per-request limits are set by BaseHandler.prepare; this only caps what any request may declare.
    # X-Forwarded-For and X-Real-Ip are not trusted (no xheaders): nothing here uses the client's address,
    # and on a port reached directly anyone could claim any address with them.
    return tornado.httpserver.HTTPServer(
        app, max_body_size=max(settings.max_upload_bytes, settings.max_json_body_bytes) * 4,
        idle_connection_timeout=60, body_timeout=120)


def serve_processes(settings: Settings) -> None:
    """Bind once, fork WEB_PROCESSES children (0 = one per core) sharing the socket, serve in each."""
    if settings.web_processes == 1:
        asyncio.run(serve(settings))
        return
    sockets = tornado.netutil.bind_sockets(settings.port, address=settings.host)
    tornado.process.fork_processes(settings.web_processes or None)
    asyncio.run(serve(settings, sockets=sockets))


async def serve(settings: Settings, *, sockets: list[socket.socket] | None = None,
                ready: asyncio.Event | None = None) -> None:
    runtime: Runtime = await open_runtime(settings)
    try:
        await _startup_tasks(runtime)
        app = make_app(runtime.deps)
        server = make_http_server(app, settings)
        if sockets is not None:
            server.add_sockets(sockets)
        else:
            server.listen(settings.port, address=settings.host)
        log.info("yiwang web listening on http://%s:%s (%s mode, search %s)", settings.host, settings.port,
                 settings.mode, "compiled" if cms.search.COMPILED else "uncompiled: python -m cms.search.compile")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        if ready is not None:
            ready.set()
        await stop.wait()
        log.info("shutting down")
        server.stop()
        await asyncio.wait_for(server.close_all_connections(), timeout=10)
    finally:
        await runtime.close()


async def _startup_tasks(runtime: Runtime) -> None:
    settings = runtime.deps.settings
    await prepare_calendar(runtime.deps.db, runtime.deps.calendar, runtime.deps.clock)
    if settings.load_demo_data:
        from server.demo import load_demo_data

        await load_demo_data(runtime.deps)
    # Built before listening, so the first citizen's search does not pay for it.
    await runtime.deps.search.ready(runtime.deps)
