"""The examples in the modules' docstrings run and give what they show: every module of the
project's packages that has examples (found, not listed, so a new module's examples run too)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("graph", "ingest", "api", "viz", "neo4j_local")


def _with_examples() -> list[str]:
    out = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            module = importlib.import_module(info.name)
            if any(t.examples for t in doctest.DocTestFinder().find(module)):
                out.append(info.name)
    return sorted(out)


MODULES = _with_examples()


def test_the_modules_with_examples_are_found():
    assert {"graph.screening.merge", "graph.analyses.resolve", "ingest.aliases"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
