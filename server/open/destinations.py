"""Where a webhook may go: not into this server's own network, unless the operator allows it.

An app chooses its webhook URL, and the worker POSTs to it with the server's network access: a URL on
loopback, a private range or link-local (cloud metadata) would let the app reach internal services. The
host is resolved when the app subscribes and again before every delivery, so a name that later points
inside is caught too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import urllib.parse

from server.errors import Unprocessable


class WebhookUrlNotAllowed(Unprocessable):
    code = "webhook_url_not_allowed"
    default_message = "回调地址不可用：须为可解析的公网地址"


async def refuse_internal_destination(url: str) -> None:
    """Raise ``WebhookUrlNotAllowed`` unless every address the URL's host resolves to is public."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname
    if not host:
        raise WebhookUrlNotAllowed()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise WebhookUrlNotAllowed("回调地址的主机名无法解析") from exc
    for *_, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise WebhookUrlNotAllowed(address=str(ip))
