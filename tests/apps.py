"""Apps for the tests: tokens and audit log in a throw-away folder, an admin token ready."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tempfile
from pathlib import Path

from api.app import create_app
from graph.access import AuditLog, TokenStore
from graph.config import Settings
from graph.memory.store import MemoryStore
from ingest.demo import generate
from ingest.loader import Loader

DEMO_DAY = dt.date(2025, 11, 22)
# TUPU_HOME as the run began (make test sets one for the whole suite): a test that wants an app to
# share a home with the CLI sets another; otherwise every app gets its own (loads recorded by one
# test's app must not become another test's history)
_SUITE_HOME = os.environ.get("TUPU_HOME")


def app_with_admin(store_factory, **kwargs):
    """(app, admin token); more tokens with ``app.state.tokens.create(...)``."""
    folder = Path(tempfile.mkdtemp(prefix="tupu-test-"))
    settings = Settings.from_env()
    if os.environ.get("TUPU_HOME") in (None, "", _SUITE_HOME):  # never the user's own data folder either
        settings = dataclasses.replace(settings, home=folder)
    app = create_app(store_factory, tokens=TokenStore(folder / "tokens.json"),
                     audit=AuditLog(folder / "audit.jsonl"), settings=settings, **kwargs)
    secret, _ = app.state.tokens.create("admin", name="测试管理员")
    return app, secret


def demo_store(folder: Path, today: dt.date = DEMO_DAY) -> MemoryStore:
    """The demo city (scale 1, fixed seed), generated into ``folder`` and loaded."""
    generate(folder, scale=1, fmt="csv", today=today)
    store = MemoryStore()
    Loader(store).load([folder])
    return store


def saved_demo(folder: Path, today: dt.date = DEMO_DAY) -> MemoryStore:
    """The demo city loaded into an embedded store saved at ``folder/g.pickle`` (for the CLI:
    ``TUPU_DATA``)."""
    generate(folder / "demo", scale=1, fmt="csv", today=today)
    store = MemoryStore(folder / "g.pickle")
    Loader(store).load([folder / "demo"])
    store.save()
    return store


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload_folder(client, folder: Path, day: dt.date, token: str) -> dict:
    """POST every ledger of ``folder`` to /ingest as a batch of ``day``; the report."""
    files = [("files", (f.name, f.read_bytes(), "text/csv")) for f in sorted(folder.iterdir())]
    r = client.post("/ingest", params={"date": day.isoformat()}, files=files, headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()
