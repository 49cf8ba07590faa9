"""Rows parsed in a second process while this one reads the next rows and lands the ones before.

A first load (``tupu ingest --initial``) has a core to spare: Neo4j is idle until the import
files are complete, and reading and checking the ledgers is the longest part of the load
(docs/scale.md). :class:`RowParser` sends the rows of a table in chunks to one worker process
that runs :func:`ingest.rows.parse_row` on them, and gives the answers back in the rows' order:
the same answers as parsing them here (``tests/test_initial_load.py`` compares the reports).
Small tables are parsed here: a worker's start costs more than it saves.

>>> from ingest.readers import Table
>>> parser = RowParser(workers=0)
>>> list(parser.parse(Table("f.csv", None, None, 1), iter([])))
[]
"""
from __future__ import annotations

import dataclasses
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from ingest.readers import Table
from ingest.report import Issue
from ingest.rows import ParsedRow, parse_row

CHUNK = 4_000  # rows sent at once
AHEAD = 4  # chunks in flight: the worker never waits for the reader, memory stays bounded
MIN_ROWS = 20_000  # sheets with fewer rows are parsed here
MIN_BYTES = 2_000_000  # and CSV files smaller than this (a CSV does not say its rows)

Parsed = tuple[int, ParsedRow, list[Issue], list[Issue]]


def _noop() -> None:
    return None


def _parse_chunk(table: Table, chunk: list[tuple[int, list[Any]]]) -> list[tuple[Any, ...]]:
    out = []
    for row_no, cells in chunk:
        parsed, rejects, warnings = parse_row(table, row_no, cells)
        # links go back as column names: the reader's own Column objects are put back in
        refs = [(col.zh, code) for col, code in parsed.refs]
        out.append((row_no, parsed.props, parsed.values, refs, rejects, warnings))
    return out


def _small(table: Table) -> bool:
    if table.size_hint is not None:
        return table.size_hint < MIN_ROWS
    try:
        return Path(table.file).stat().st_size < MIN_BYTES
    except OSError:
        return True


class RowParser:
    """Parses tables' rows, here or (``workers=1``) in a worker process for large tables."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def parse(self, table: Table, rows: Iterable[tuple[int, list[Any]]]) -> Iterator[Parsed]:
        if not self.workers or _small(table):
            for row_no, cells in rows:
                yield (row_no, *parse_row(table, row_no, cells))
            return
        yield from self._in_worker(table, iter(rows))

    def _in_worker(self, table: Table, rows: Iterator[tuple[int, list[Any]]]) -> Iterator[Parsed]:
        if self._pool is None:  # spawned, not forked: the loader's writer threads stay here
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=multiprocessing.get_context("spawn"))
        # what parse_row reads of a table, without its open file
        sent = dataclasses.replace(table, rows=iter(()), close=_noop, passed=[], ignored=[])
        by_zh = {col.zh: col for col in table.columns.values()}
        pending: deque[Future] = deque()
        while True:
            while len(pending) < AHEAD and (chunk := list(islice(rows, CHUNK))):
                pending.append(self._pool.submit(_parse_chunk, sent, chunk))
            if not pending:
                return
            for row_no, props, values, refs, rejects, warnings in pending.popleft().result():
                parsed = ParsedRow(row_no, props, [(by_zh[zh], code) for zh, code in refs], values)
                yield row_no, parsed, rejects, warnings

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
