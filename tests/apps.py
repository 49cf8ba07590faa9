"""Apps for the tests: tokens and audit log in a throw-away folder, an admin token ready."""
from __future__ import annotations

import tempfile
from pathlib import Path

from api.app import create_app
from graph.access import AuditLog, TokenStore


def app_with_admin(store_factory, **kwargs):
    """(app, admin token); more tokens with ``app.state.tokens.create(...)``."""
    folder = Path(tempfile.mkdtemp(prefix="tupu-test-"))
    app = create_app(store_factory, tokens=TokenStore(folder / "tokens.json"),
                     audit=AuditLog(folder / "audit.jsonl"), **kwargs)
    secret, _ = app.state.tokens.create("admin", name="测试管理员")
    return app, secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
