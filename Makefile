# Two entry points for a fresh machine (see README, Quick start):
#   make demo  - install, generate and load six months of the demo city, serve the API and views
#   make test  - install (Python packages, Neo4j jars), run the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
TUPU := $(VENV)/bin/tupu
export TUPU_HOME ?= $(CURDIR)/.tupu

.PHONY: demo test install neo4j-jars browser clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

neo4j-jars: install
	$(TUPU) neo4j fetch

demo: install
	$(TUPU) demo --months 6 --serve

# Debian's Chromium (never a downloaded browser) and a CJK font, for the browser tests and --png
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) || \
	  echo "!!! could not install chromium (not root?): browser tests will be skipped outside CI"

test: neo4j-jars browser
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .tupu
