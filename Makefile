# Two entry points for a fresh machine (see README, Quick start):
#   make demo  - install, generate and load the demo city, serve the API and views
#   make test  - install (Python packages, Neo4j jars), run the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
TUPU := $(VENV)/bin/tupu
export TUPU_HOME ?= $(CURDIR)/.tupu

.PHONY: demo test install neo4j-jars clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

neo4j-jars: install
	$(TUPU) neo4j fetch

demo: install
	$(TUPU) demo --serve

test: neo4j-jars
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .tupu
