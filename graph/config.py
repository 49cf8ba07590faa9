"""Configuration from the environment (documented in the README).

| variable | meaning | default |
| --- | --- | --- |
| ``TUPU_BACKEND`` | ``memory`` (embedded networkx) or ``neo4j`` | ``memory`` |
| ``TUPU_HOME`` | Tupu's working folder (local Neo4j, caches) | ``./.tupu`` |
| ``TUPU_DATA`` | the embedded store's file | ``$TUPU_HOME/tupu-graph.pickle`` |
| ``TUPU_NEO4J_URI`` | Bolt URI | ``bolt://127.0.0.1:7687`` |
| ``TUPU_NEO4J_USER`` / ``TUPU_NEO4J_PASSWORD`` | credentials; no user means auth off | none |
| ``TUPU_NEO4J_DATABASE`` | database name | ``neo4j`` |
| ``TUPU_POLICY`` | a policy file of gap thresholds laid over the default | none |
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    backend: str = "memory"
    home: Path = Path(".tupu")
    data: Path = Path(".tupu/tupu-graph.pickle")
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"
    policy: Path | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        e = os.environ if env is None else env
        home = Path(e.get("TUPU_HOME") or ".tupu")
        backend = (e.get("TUPU_BACKEND") or "memory").strip().lower()
        if backend not in ("memory", "neo4j"):
            raise ValueError(f"TUPU_BACKEND 只能是 memory 或 neo4j, got {backend!r}")
        data = Path(e["TUPU_DATA"]) if e.get("TUPU_DATA") else home / "tupu-graph.pickle"
        if data.is_dir():
            data = data / "tupu-graph.pickle"
        return cls(
            backend=backend,
            home=home,
            data=data,
            neo4j_uri=e.get("TUPU_NEO4J_URI") or cls.neo4j_uri,
            neo4j_user=e.get("TUPU_NEO4J_USER") or None,
            neo4j_password=e.get("TUPU_NEO4J_PASSWORD") or None,
            neo4j_database=e.get("TUPU_NEO4J_DATABASE") or cls.neo4j_database,
            policy=Path(e["TUPU_POLICY"]) if e.get("TUPU_POLICY") else None,
        )
