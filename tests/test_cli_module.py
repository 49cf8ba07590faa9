"""The CLI has no import cycle: ``python -m api.cli`` runs, and each CLI module imports alone."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_python_m_api_cli_help_works_from_another_folder(tmp_path):
    r = subprocess.run([sys.executable, "-m", "api.cli", "--help"], cwd=tmp_path, capture_output=True,
                       text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "120"},
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert "ingest" in r.stdout and "gaps" in r.stdout and "view" in r.stdout


def test_each_cli_module_imports_on_its_own():
    for module in ("api.cli_analyses", "api.cli_views", "api.cli_app", "api.cli"):
        r = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, (module, r.stderr)
