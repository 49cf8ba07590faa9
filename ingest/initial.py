"""A first load into an empty Neo4j through Neo4j's own offline importer (``tupu ingest --initial``).

The ledgers are read, checked and reported by the same :class:`~ingest.loader.Loader` as every
load; its writes become CSV files (:class:`~ingest.import_files.ImportFiles`) instead of MERGE
queries. Then the local Neo4j is stopped, ``neo4j-admin database import full`` writes the
database from those files, Neo4j starts again, the schema (constraints, indexes, full text) is
built and brought online, and what had to wait for the nodes (a rejected row's mark,
需求资源清单) is written through Cypher. Same checks, same report, same provenance
(``src_file``, ``src_row``, ``loaded_at``) as the MERGE path; the graph is the same
(``tests/test_initial_load.py`` compares the two on the demo city).

Only into an empty database: a database with any node is refused before anything is read.
If the import fails, the database is emptied again (it was empty before), so the command can
simply be run again.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import Conflict, InvalidInput
from graph.model import LABELS
from graph.store import GraphStore
from ingest.import_files import ImportFiles
from ingest.loader import Loader
from ingest.report import IngestReport
from neo4j_local.launcher import LocalNeo4j, Neo4jLaunchError

if TYPE_CHECKING:
    from graph.neo4j.store import Neo4jStore

log = logging.getLogger("tupu.ingest")


class NotEmpty(Conflict):
    """``--initial`` into a database that has data already."""


class NotLocal(InvalidInput):
    """``--initial`` with a store it cannot import into (the embedded one, a remote Neo4j)."""


def check_initial_target(store: GraphStore, local: LocalNeo4j) -> None:
    """Refuse, with what to do instead, unless ``store`` is the empty local Neo4j."""
    if store.backend != "neo4j":
        raise NotLocal("--initial 只用于 Neo4j（TUPU_BACKEND=neo4j）；内置存储直接用 tupu ingest 载入")
    running = local.status()
    if running is None or running != getattr(store, "uri", None):
        raise NotLocal(f"--initial 只能导入本机由 tupu neo4j start 启动的 Neo4j（正在使用的是 "
                       f"{getattr(store, 'uri', '?')}）。docker-compose 的 Neo4j：先在本机 --initial 载入，再用 "
                       "tupu neo4j dump 导出、在容器中 neo4j-admin database load 装入（docs/scale.md）")
    held = {label: n for label, n in store.counts().items() if n}
    if held:
        what = "、".join(f"{LABELS[label].zh} {n}" for label, n in held.items())
        raise NotEmpty(f"数据库不是空的（已有 {what}）：--initial 只用于首次载入空库；"
                       "之后的台账请用 tupu ingest（逐行合并，可重复载入）")


def initial_load(paths: Iterable[Path | str], store: "Neo4jStore", local: LocalNeo4j, *,
                 password: str | None = None, on_phase: Callable[[str], None] | None = None,
                 **loader_options: Any) -> IngestReport:
    """Load ``paths`` into the empty local Neo4j ``store`` runs on (see the module docstring).

    ``loader_options`` go to the :class:`Loader` (progress, limits, batch_size, now);
    ``on_phase(text)`` is told when a phase begins (for the CLI's status line); ``password`` is
    the one the local Neo4j was started with."""
    check_initial_target(store, local)
    work = Path(tempfile.mkdtemp(prefix="import-", dir=_scratch_dir(local)))
    try:
        sink = ImportFiles(work)
        # the database is idle until the files are complete: a worker process parses the rows
        report = Loader(sink, **{"parse_workers": 1, **loader_options}).load(paths)
        if report.error or not any(report.landed.values()):
            return report
        check_initial_target(store, local)  # nobody wrote in the meantime
        _say(on_phase, "正在停止 Neo4j（导入期间暂停服务）…")
        local.stop()
        _say(on_phase, f"正在用 neo4j-admin 导入（{sink.written['nodes']} 个节点，"
                       f"{sink.written['relationships']} 条关系）…")
        try:
            local.import_csv(sink.nodes, sink.relationships, sink.multiline, log=work / "import.log")
        except Neo4jLaunchError as e:
            local.wipe_database()  # it was empty: leave it empty, ready for another try
            local.restart(password)
            store.reconnect()
            report.error = f"导入失败，数据库保持为空，可修正后重新运行：{e}"
            for counts in report.ledgers.values():
                counts.landed = 0  # nothing is in the database
            return report
        _say(on_phase, "正在重新启动 Neo4j…")
        local.restart(password)
        store.reconnect()
        _say(on_phase, "正在建立索引与约束…")
        store.ensure_schema()
        _say(on_phase, "正在写入需求资源清单与数据问题标记…")
        for label, rows in sink.updates:
            store.update_nodes(label, rows)
        store.mark_written()
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _scratch_dir(local: LocalNeo4j) -> Path:
    """Beside the database (the same disk, which must hold the files and the store anyway)."""
    folder = local.build_dir / "import-tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _say(on_phase: Callable[[str], None] | None, text: str) -> None:
    log.info(text)
    if on_phase is not None:
        on_phase(text)
