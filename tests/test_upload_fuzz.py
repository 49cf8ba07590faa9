"""Fuzzing uploads against a real server process: hypothesis builds hostile xlsx and csv files
(far-away row numbers, forged dimensions, highly compressible parts, quote storms, wide rows);
each is posted while /health is polled. The server runs with a memory cap (RLIMIT_AS) and each
upload has a time cap; the server must answer every /health in under a second and every upload
in time, and still be alive at the end."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.access import TokenStore
from neo4j_local.launcher import free_port
from tests.ledger_files import forged_xlsx

ROOT = Path(__file__).resolve().parent.parent
MEMORY_CAP = 3 * 1024 ** 3  # the server process's address space
UPLOAD_SECONDS = 60
HEALTH_SECONDS = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    token, _ = TokenStore(home / "tokens.json").create("admin", name="模糊测试")
    port = free_port()
    env = {**os.environ, "TUPU_HOME": str(home), "TUPU_BACKEND": "memory", "TUPU_MAX_UPLOAD_MB": "20"}

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:serve_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env, preexec_fn=cap)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("the test server did not start")
        time.sleep(0.2)
    yield base, token, proc
    proc.terminate()
    proc.wait(timeout=20)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@st.composite
def hostile_xlsx(draw) -> bytes:
    rows = ['<row r="1">' + "".join(_cell(f"{c}1", h) for c, h in zip("ABC", ("组织编码", "组织名称", "组织类别")))
            + "</row>"]
    n = draw(st.integers(2, 50))
    for r in range(2, n):
        rows.append(f'<row r="{r}">' + _cell(f"A{r}", f"O{r}") + _cell(f"B{r}", "甲" * draw(st.integers(1, 3000)))
                    + _cell(f"C{r}", "党委") + "</row>")
    far = draw(st.sampled_from([None, 10_000, 1_048_576, 99_999_999_999]))
    if far:
        col = draw(st.sampled_from(["A", "XFD", "ZZ"]))
        rows.append(f'<row r="{far}">' + _cell(f"{col}{far}", "远处") + "</row>")
    dimension = draw(st.sampled_from([None, "A1:C3", "A1:XFD1048576", "A1:C99999999999"]))
    return forged_xlsx("".join(rows), dimension)


@st.composite
def hostile_csv(draw) -> bytes:
    head = "组织编码,组织名称,组织类别\n"
    body = draw(st.sampled_from([',"a', '"', '""', ",", "\t", ";", "\n", "\r", "a,b,c\n"])) * draw(
        st.integers(1, 60_000))
    tail = draw(st.text(alphabet='",;\t\n甲O1', max_size=200))
    return (head + body + tail).encode(draw(st.sampled_from(["utf-8", "gb18030"])), errors="ignore")


def _post_while_polling(base: str, token: str, name: str, data: bytes) -> tuple[int, float, float]:
    """(status, seconds the upload took, slowest /health) with /health polled meanwhile."""
    result: dict = {}

    def upload() -> None:
        started = time.perf_counter()
        r = httpx.post(base + "/ingest", files=[("files", (name, data))],
                       headers={"Authorization": f"Bearer {token}"}, timeout=UPLOAD_SECONDS)
        result["status"], result["took"] = r.status_code, time.perf_counter() - started

    t = threading.Thread(target=upload)
    t.start()
    slowest = 0.0
    while t.is_alive():
        started = time.perf_counter()
        assert httpx.get(base + "/health", timeout=5).status_code == 200
        slowest = max(slowest, time.perf_counter() - started)
        time.sleep(0.1)
    t.join()
    return result["status"], result["took"], slowest


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.one_of(hostile_xlsx().map(lambda b: ("f.xlsx", b)), hostile_csv().map(lambda b: ("f.csv", b))))
def test_hostile_uploads_never_stall_the_server(server, data):
    base, token, proc = server
    name, payload = data
    status, took, slowest = _post_while_polling(base, token, name, payload)
    assert status in (200, 413, 422), status
    assert took < UPLOAD_SECONDS and slowest < HEALTH_SECONDS
    assert proc.poll() is None  # alive: the memory cap was not hit
