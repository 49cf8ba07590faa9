"""Configuration from the environment (documented in the README).

| variable | meaning | default |
| --- | --- | --- |
| ``TUPU_BACKEND`` | ``memory`` (embedded networkx) or ``neo4j`` | ``memory`` |
| ``TUPU_HOME`` | Tupu's working folder (Neo4j, tokens, audit) | the user's data folder (``~/.local/share/tupu``) |
| ``TUPU_DATA`` | the embedded store's file | ``$TUPU_HOME/tupu-graph.pickle`` |
| ``TUPU_NEO4J_URI`` | Bolt URI | ``bolt://127.0.0.1:7687`` |
| ``TUPU_NEO4J_USER`` / ``TUPU_NEO4J_PASSWORD`` | credentials (no user: auth off); see ``tupu neo4j start`` | none |
| ``TUPU_NEO4J_DATABASE`` | database name | ``neo4j`` |
| ``TUPU_POLICY`` | a policy file of gap thresholds laid over the default | none |
| ``TUPU_REQUESTS_PER_CONNECTION`` | requests before ``tupu serve`` closes a connection (0: never) | 20 |
| ``TUPU_API_NICE`` | niceness of ``tupu serve``'s processes (0–19; 0: as started) | 10 |
| ``TUPU_PAGE_MAKER`` | 1: pages not kept made by a process of each served one (Neo4j); 0: in its threads | 1 |

Limits on what one load may read (:class:`Limits`; the API and the CLI alike):

| variable | meaning | default |
| --- | --- | --- |
| ``TUPU_MAX_UPLOAD_MB`` | size of one upload request (all its files) | 50 |
| ``TUPU_MAX_UNZIPPED_MB`` | an xlsx's size once unpacked (zip bombs) | 300 |
| ``TUPU_MAX_ROWS`` | rows read from one sheet or CSV | 2000000 |
| ``TUPU_MAX_CELL_CHARS`` | characters in one cell | 2000 |
| ``TUPU_MAX_REPORT_ISSUES`` | issues listed per kind in a report (the rest are counted) | 10000 |
| ``TUPU_MAX_CONCURRENT_LOADS`` | uploads the API loads at once (others answer 429) | 2 |
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs


@dataclass(frozen=True)
class Limits:
    """Bounds on one load, so that a small hostile file cannot hold a worker for hours or fill
    its memory. Fixed bounds: columns past 256 are not read; 10,000 blank rows in a row end a
    table (``ingest.readers``)."""

    upload_mb: int = 50
    unzipped_mb: int = 300
    rows: int = 2_000_000
    cell_chars: int = 2_000
    report_issues: int = 10_000
    concurrent_loads: int = 2

    _ENV = {"upload_mb": "TUPU_MAX_UPLOAD_MB", "unzipped_mb": "TUPU_MAX_UNZIPPED_MB",
            "rows": "TUPU_MAX_ROWS", "cell_chars": "TUPU_MAX_CELL_CHARS",
            "report_issues": "TUPU_MAX_REPORT_ISSUES", "concurrent_loads": "TUPU_MAX_CONCURRENT_LOADS"}

    @classmethod
    def from_env(cls, env: dict[str, str] | os._Environ[str]) -> "Limits":
        values = {}
        for field_name, var in cls._ENV.items():
            text = (env.get(var) or "").strip()
            if not text:
                continue
            if not text.isdigit() or int(text) < 1:
                raise ValueError(f"{var} 应为正整数，实为 {text!r}")
            values[field_name] = int(text)
        return cls(**values)


@dataclass(frozen=True)
class Settings:
    backend: str = "memory"
    home: Path = Path(platformdirs.user_data_dir("tupu", appauthor=False))
    data: Path = Path(platformdirs.user_data_dir("tupu", appauthor=False)) / "tupu-graph.pickle"
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"
    policy: Path | None = None
    limits: Limits = Limits()
    # the served app turns keep-alive connections over, to spread them over its processes
    # (api/turnover.py); 0: never
    requests_per_connection: int = 20
    # the served app's processes run at this niceness (0–19): they yield the CPU to the database
    # they wait on when both share a machine (docs/benchmarks.md); 0: as started
    api_nice: int = 10
    # each of the served app's processes makes the pages it has not kept in a process of its own
    # (api/page_maker.py; Neo4j only); 0: in its own threads
    page_maker: bool = True
    # graphs of past loads (?as_of=, --as-of) kept in memory at most, and about how many MB
    # they may take in all (the last one asked is always kept): graph/history/records.py
    past_graphs: int = 3
    past_graphs_mb: int = 512

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        e = os.environ if env is None else env
        # not the current folder: the CLI run from anywhere finds the same store
        home = Path(e.get("TUPU_HOME") or platformdirs.user_data_dir("tupu", appauthor=False))
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
            limits=Limits.from_env(e),
            requests_per_connection=_count(e, "TUPU_REQUESTS_PER_CONNECTION", cls.requests_per_connection),
            api_nice=min(19, _count(e, "TUPU_API_NICE", cls.api_nice)),
            page_maker=_count(e, "TUPU_PAGE_MAKER", 1) > 0,
            past_graphs=max(1, _count(e, "TUPU_PAST_GRAPHS", cls.past_graphs)),
            past_graphs_mb=_count(e, "TUPU_PAST_GRAPHS_MB", cls.past_graphs_mb),
        )


def _count(env: Mapping[str, str], var: str, default: int) -> int:
    """A non-negative whole number from ``env[var]``, else ``default``."""
    text = (env.get(var) or "").strip()
    if text and not text.isdigit():
        raise ValueError(f"{var} 应为非负整数，实为 {text!r}")
    return int(text) if text else default
