"""The examples in the modules' docstrings run and give what they show."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["graph.access", "graph.analyses.cache", "graph.analyses.gaps", "graph.rules.base",
           "graph.analyses.trace", "graph.factory", "graph.model", "graph.policy", "graph.privacy",
           "ingest.checks", "ingest.demo", "ingest.scratch", "neo4j_local.launcher", "viz.labels",
           "ingest.cells", "ingest.problems", "ingest.readers", "ingest.report", "ingest.synonyms",
           "viz.render", "api.routers.ingest", "graph.analyses.scope", "graph.errors", "graph.analyses.resolve", "graph.analyses.nonempty"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
