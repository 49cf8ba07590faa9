"""The CLI reads its configuration once per command and the same way everywhere: run from any
folder it finds the same store (the user's data folder, not ./.tupu), and TUPU_POLICY reaches
every analysis."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.ledger_files import write_csv

ROOT = Path(__file__).resolve().parent.parent


def _tupu(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=cwd, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_the_cli_from_another_folder_sees_the_same_store(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}  # the user's data folder, no TUPU_HOME
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    f = write_csv(a / "党组织.csv", [["组织编码", "组织名称", "组织类别"], ["O1", "甲党支部", "党支部"]])
    assert _tupu(["ingest", str(f)], a, env).returncode == 0
    r = _tupu(["gaps", "--rule", "O1", "--format", "json"], b, env)
    assert r.returncode == 0, r.stderr
    assert [g["id"] for g in json.loads(r.stdout)] == ["O1"]
    assert (tmp_path / "xdg" / "tupu" / "tupu-graph.pickle").exists()
    assert not (a / ".tupu").exists() and not (b / ".tupu").exists()


def test_tupu_policy_reaches_the_cli(tmp_path):
    env = {"TUPU_HOME": str(tmp_path / "home")}
    f = write_csv(tmp_path / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党组织编码"],
                                          *[[f"M{i}", "张三", "正式", "O1"] for i in range(4)]])
    org = write_csv(tmp_path / "党组织.csv", [["组织编码", "组织名称", "组织类别"], ["O1", "甲党支部", "党支部"]])
    assert _tupu(["ingest", str(org), str(f)], tmp_path, env).returncode == 0

    def o1(extra: dict[str, str]) -> list[str]:
        r = _tupu(["gaps", "--rule", "O1", "--format", "json"], tmp_path, {**env, **extra})
        assert r.returncode == 0, r.stderr
        return [g["id"] for g in json.loads(r.stdout)]

    assert o1({}) == []  # four formal members: enough by default
    policy = tmp_path / "p.yaml"
    policy.write_text("o1_min_formal: 5\n", encoding="utf-8")
    assert o1({"TUPU_POLICY": str(policy)}) == ["O1"]
    policy.write_text("o1_min_formal: -5\n", encoding="utf-8")
    r = _tupu(["gaps"], tmp_path, {**env, "TUPU_POLICY": str(policy)})
    assert r.returncode == 2 and "o1_min_formal" in r.stdout + r.stderr and "Traceback" not in r.stderr


def test_the_cli_says_what_unchanged_rows_are_when_a_ledger_is_loaded_again(tmp_path):
    from ingest.report import UNCHANGED_NOTE

    env = {"TUPU_HOME": str(tmp_path / "home")}
    org = write_csv(tmp_path / "党组织.csv", [["组织编码", "组织名称", "组织类别"], ["O1", "甲党支部", "党支部"]])
    first = _tupu(["ingest", str(org)], tmp_path, env)
    assert first.returncode == 0 and UNCHANGED_NOTE not in first.stdout
    again = _tupu(["ingest", str(org)], tmp_path, env)
    assert again.returncode == 0 and UNCHANGED_NOTE in again.stdout
