"""Cross-site request forgery: a state-changing request sent by a page of another origin is
refused (#36).

The token cookie is ``SameSite=Strict``, but a page on another port of the same host is the same
*site*, so the browser sends the cookie with that page's form posts. Every POST, PUT, PATCH and
DELETE that a browser could send with the cookie — any without an ``Authorization: Bearer``
header, which a page of another origin cannot set on a form post — must come from the server's
own origin: its ``Origin`` header (or, without one, ``Sec-Fetch-Site``, then ``Referer``) must
name this server's host and port. An API client (the CLI, a script) sends its token as a bearer
header and is not affected.

Every response also carries ``Referrer-Policy: same-origin``: the address of a page (which may
have held ``?token=``) never goes to another site, and a same-origin request keeps its Origin.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.responses import JSONResponse

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REFUSED = "拒绝跨站请求：此操作只能从本系统自己的页面发起（来源与服务器地址不一致）"
DEFAULT_PORTS = {"http": "80", "https": "443"}


def _netloc(netloc: str, default: tuple[str, ...]) -> str:
    """``host[:port]`` in one form: lower case, without a default port (behind a proxy the
    server's own scheme may not be the page's, so both 80 and 443 count as none for ``Host``)."""
    netloc = netloc.strip().lower()
    for port in default:
        if netloc.endswith(f":{port}"):
            return netloc[: -len(port) - 1]
    return netloc


def _of_url(url: bytes) -> str | None:
    parts = urlsplit(url.decode("latin-1"))
    return _netloc(parts.netloc, (DEFAULT_PORTS.get(parts.scheme, ""),)) if parts.netloc else None


def same_origin(headers: dict[bytes, bytes]) -> bool:
    """Whether a request's own headers say it comes from the server it is sent to (its ``Host``).

    >>> h = {b"host": b"127.0.0.1:8000", b"origin": b"http://127.0.0.1:8000"}
    >>> same_origin(h), same_origin({**h, b"origin": b"http://127.0.0.1:8001"})
    (True, False)
    >>> same_origin({b"host": b"a", b"origin": b"null"})
    False
    >>> same_origin({b"host": b"a", b"sec-fetch-site": b"same-site"})
    False
    >>> same_origin({b"host": b"a", b"referer": b"http://a/home"})
    True
    >>> same_origin({b"host": b"127.0.0.1:8000", b"x-forwarded-host": b"tupu.example.org",
    ...              b"origin": b"https://tupu.example.org"})
    True
    """
    # the Host asked, or the one a reverse proxy says it was asked (a page of another origin can
    # set neither on a request the browser sends without asking the server first)
    hosts = {_netloc(headers.get(name, b"").decode("latin-1").split(",")[0], ("80", "443"))
             for name in (b"host", b"x-forwarded-host") if name in headers}
    origin = headers.get(b"origin")
    if origin is not None:
        return _of_url(origin) in hosts
    site = headers.get(b"sec-fetch-site")
    if site is not None:
        return site in (b"same-origin", b"none")  # none: typed by the user, not sent by a page
    referer = headers.get(b"referer")
    if referer is not None:
        return _of_url(referer) in hosts
    return True  # no browser sends a cross-origin POST with none of the three: a script's own request


class SameOrigin:
    """ASGI middleware: refuse cross-origin state-changing requests not carrying a bearer token
    (403, in Chinese), and set ``Referrer-Policy`` on every response."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in UNSAFE:
            headers = dict(scope["headers"])
            bearer = headers.get(b"authorization", b"").lower().startswith(b"bearer ")
            if not bearer and not same_origin(headers):
                send = _with_policy(send)
                await JSONResponse({"detail": REFUSED}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, _with_policy(send))


def _with_policy(send):
    async def sending(message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []),
                                              (b"referrer-policy", b"same-origin")]}
        await send(message)

    return sending
