"""SSRF guard for webhook URLs: https to public addresses only, outside development.

Checked when a subscription is made and again before every send, because DNS can change.
"""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class UnsafeURL(ValueError):
    """The URL may not receive webhooks."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


async def check_url(url: str, *, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeURL("the URL must be absolute https")
    if parts.username or parts.password:
        raise UnsafeURL("credentials in the URL are not allowed")
    if allow_private:
        return
    if parts.scheme != "https":
        raise UnsafeURL("only https URLs may receive webhooks")
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, parts.port or 443, type=socket.SOCK_STREAM
        )
    except socket.gaierror as exc:
        raise UnsafeURL(f"cannot resolve {parts.hostname}: {exc}") from exc
    for info in infos:
        if not _public(info[4][0]):
            raise UnsafeURL(f"{parts.hostname} resolves to a non-public address {info[4][0]}")
