"""Open the store the configuration asks for."""
from __future__ import annotations

from graph.config import Settings
from graph.store import GraphStore


def open_store(settings: Settings | None = None) -> GraphStore:
    """The configured store: the embedded one by default, Neo4j with ``TUPU_BACKEND=neo4j``.

    >>> from pathlib import Path
    >>> open_store(Settings(backend="memory", data=Path("/nonexistent/x.pickle"))).backend
    'memory'
    """
    s = settings or Settings.from_env()
    if s.backend == "neo4j":
        from graph.neo4j.store import Neo4jStore

        return Neo4jStore(s.neo4j_uri, s.neo4j_user, s.neo4j_password, s.neo4j_database)
    from graph.memory.store import MemoryStore

    return MemoryStore(s.data)
