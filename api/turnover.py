"""A keep-alive connection closed after a number of requests, so that connections spread over
the API's processes by how busy each is (#18).

With several processes (``tupu serve --workers N``) each connection is accepted by one of them
and stays with it: fifty clients opening their connections at once land 9 to 19 on each of four
processes, and the clients of the busiest wait longest, since the processes get the same share of
the CPU. A connection closed now and then is opened again by its client (browsers and wrk do so
by themselves), and accepted by whichever process is waiting for work first: an idle one.
nginx's ``keepalive_requests`` does the same for the same reason. How often:
``Settings.requests_per_connection`` (``TUPU_REQUESTS_PER_CONNECTION``).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

_TRACKED = 10_000  # connections counted at once (the oldest forgotten beyond: a client gone)


class ConnectionTurnover:
    """ASGI middleware: the ``every``-th response on a connection says ``Connection: close``."""

    def __init__(self, app: Any, every: int) -> None:
        self.app, self.every = app, every
        self._served: OrderedDict[tuple[str, int], int] = OrderedDict()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        client = scope.get("client")
        if scope["type"] != "http" or not client:
            return await self.app(scope, receive, send)
        key = (client[0], client[1])  # a connection: its client's address and port
        n = self._served.pop(key, 0) + 1
        if n < self.every:
            self._served[key] = n
            if len(self._served) > _TRACKED:
                self._served.popitem(last=False)
            return await self.app(scope, receive, send)

        async def closing(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing)
