"""The one root of the errors Tupu reports to its users (nomenklatura's way): each kind carries
the HTTP status the API answers with and the exit code of the CLI, and its message is Chinese and
safe to show. The API has one handler for :class:`TupuError`, the CLI one (``api.cli.main``).

>>> class Missing(NotFoundError): ...
>>> (Missing("未找到").status, Missing("未找到").exit_code)
(404, 1)
"""
from __future__ import annotations


class TupuError(Exception):
    status: int = 500
    exit_code: int = 1

    def public_message(self) -> str:
        """What a user is shown (the message itself unless a kind hides its details)."""
        return str(self)

    def details(self) -> dict[str, object]:
        """More for an API client than the message (e.g. the candidates of an ambiguous name)."""
        return {}


class NotFoundError(TupuError):
    """Something asked for that is not there (or not visible to the asker): 404."""

    status = 404


class Forbidden(TupuError):
    """Seen, but not the asker's to change (a campaign or meeting someone else made): 403."""

    status = 403


class InvalidInput(TupuError):
    """A request, file or setting that cannot be used as given: 422."""

    status = 422
    exit_code = 2


class TooLargeInput(InvalidInput):
    """Input over a configured limit: 413."""

    status = 413


class Unavailable(TupuError):
    """A service Tupu needs is not there (Neo4j, the browser): 503."""

    status = 503


class Ambiguous(InvalidInput):
    """A name that fits several entities: 409, with the candidates to choose from."""

    status = 409

    def __init__(self, message: str, candidates: list[dict[str, str | None]]) -> None:
        super().__init__(message)
        self.candidates = candidates

    def details(self) -> dict[str, object]:
        return {"candidates": self.candidates}


class EmptyGraph(NotFoundError):
    """No ledger has been loaded yet: said, never shown as zeros."""

    def __init__(self, message: str = "图谱为空：请先载入台账（tupu ingest 或 tupu demo）") -> None:
        super().__init__(message)


class Conflict(TupuError):
    """A request that cannot be done in the state things are in (undoing a load that later
    loads build on): 409."""

    status = 409
