"""The server's access log without secrets or personal data: uvicorn logs each request's path
and query, which may carry a ``?token=`` link, an ID number (``/trace/<身份证号>``,
``/search?q=…``) or a phone number. A filter on uvicorn's access logger masks them
(:func:`graph.privacy.mask_url`) before any handler writes the line."""
from __future__ import annotations

import logging

from graph.privacy import mask_url


class MaskedAccessLog(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn: args = (client address, method, path with query, HTTP version, status)
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            args = list(record.args)
            args[2] = mask_url(record.args[2])
            record.args = tuple(args)
        return True


def install() -> None:
    """Add the filter to uvicorn's access logger once per process."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, MaskedAccessLog) for f in logger.filters):
        logger.addFilter(MaskedAccessLog())
