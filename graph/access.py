"""Access tokens, their scopes, and the audit log.

A token has a role (admin, analyst, viewer) and a scope: everything, an organisation subtree or
a region subtree. Tokens are random (256 bits) and stored only as their SHA-256 hash, in
``$TUPU_HOME/tokens.json``; the token itself is shown once, when it is created. Every write
(ingest, backup, token created or revoked) is an audit event appended to
``$TUPU_HOME/audit.jsonl``: who, when, what, counts.

>>> import tempfile, pathlib
>>> tokens = TokenStore(pathlib.Path(tempfile.mkdtemp()) / "tokens.json")
>>> secret, entry = tokens.create("viewer", "region", "519901001000", name="东街道书记")
>>> tokens.lookup(secret).role, tokens.lookup("tupu_wrong") is None
('viewer', True)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from graph.errors import Conflict, Forbidden, NotFoundError

if TYPE_CHECKING:
    from graph.analyses.scope import Scope

ROLES = ("admin", "analyst", "viewer")
ROLES_ZH = {"admin": "管理员", "analyst": "分析员", "viewer": "查看者"}
SCOPE_KINDS = ("all", "org", "region")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tupu-", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


@dataclass(frozen=True)
class TokenEntry:
    id: str  # a short public id, for listing and revoking
    name: str
    role: str
    scope_kind: str  # all / org / region
    scope: str | None
    hash: str
    created: str

    @property
    def who(self) -> str:
        return f"{self.name or self.id}（{ROLES_ZH[self.role]}，{self.id}）"

    def public(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("hash")
        return d


class Owned(Protocol):
    """A record people make and share (a campaign, a meeting): who made it and for which scope.
    ``owner`` is the id of the token that made it; ``None`` is an admin's (made on the command
    line, or kept before owners were): city-wide unless its scope says otherwise."""

    owner: str | None
    scope_kind: str
    scope: str | None


def owner_of(token: TokenEntry | None) -> dict[str, Any]:
    """The owner and scope of a record made by ``token`` (None: the command line, an admin's)."""
    if token is None:
        return {"owner": None, "scope_kind": "all", "scope": None}
    return {"owner": token.id, "scope_kind": token.scope_kind, "scope": token.scope}


def sees_record(scope: Scope, record: Owned, region: str | None = None) -> bool:
    """Whether a token of ``scope`` lists and opens the record: its scope (or the narrower
    ``region`` it was made for) lies inside the token's."""
    return scope.contains(record.scope_kind, record.scope) or (region is not None and scope.contains("region", region))


def check_change(token: TokenEntry, scope: Scope, record: Owned | None, what: str, name: str,
                 region: str | None = None) -> None:
    """A record is changed, replaced or deleted only by its owner or an admin, and only when
    the token sees it: one outside its scope answers as missing (``missing``: deleting it) or,
    as a name to make again, as taken — nothing more is told of it."""
    if record is None:
        return
    if not sees_record(scope, record, region):
        raise Conflict(f"已有同名的{what}“{name}”（不在你的范围内）：请换一个名称")
    if token.role != "admin" and record.owner != token.id:
        raise Forbidden(f"只有建立者或管理员可以修改、删除{what}“{name}”")


def check_delete(token: TokenEntry, scope: Scope, record: Owned, what: str, name: str,
                 region: str | None = None) -> None:
    """As :func:`check_change`, but one outside the token's scope is missing (404)."""
    if not sees_record(scope, record, region):
        raise NotFoundError(f"未找到{what}“{name}”")
    check_change(token, scope, record, what, name, region)


class TokenStore:
    # How often a running API looks at the token file: a revoke by `tupu token revoke` (another
    # process) takes effect within this time. Looking on every request cost ~4% of the API's CPU.
    RECHECK_SECONDS = 1.0

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._cache: tuple[tuple[int, int, int], list[TokenEntry]] | None = None  # (file, entries)
        self._checked_at = float("-inf")

    def _load(self) -> list[TokenEntry]:
        """The entries, re-read when the file changed (looked at most every RECHECK_SECONDS)."""
        now = time.monotonic()
        if self._cache is not None and now - self._checked_at < self.RECHECK_SECONDS:
            return self._cache[1]
        self._checked_at = now
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._cache = None
            return []
        # every save replaces the file (a new inode), even within the clock's tick
        version = (st.st_mtime_ns, st.st_ino, st.st_size)
        if self._cache is None or self._cache[0] != version:
            entries = [TokenEntry(**e) for e in json.loads(self.path.read_text(encoding="utf-8"))]
            self._cache = (version, entries)
        return self._cache[1]

    def _save(self, entries: list[TokenEntry]) -> None:
        _write_atomic(self.path, json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=1))
        self._checked_at = float("-inf")  # this process sees its own change at once

    def create(self, role: str, scope_kind: str = "all", scope: str | None = None,
               name: str = "") -> tuple[str, TokenEntry]:
        if role not in ROLES:
            raise ValueError(f"角色应为 {' / '.join(ROLES)}")
        if scope_kind not in SCOPE_KINDS or (scope_kind != "all") != bool(scope):
            raise ValueError("范围应为 all，或一个组织编码、区划代码")
        secret = "tupu_" + secrets.token_urlsafe(32)
        entry = TokenEntry(id=secrets.token_hex(4), name=name, role=role, scope_kind=scope_kind,
                           scope=scope, hash=_hash(secret), created=_now())
        with self._lock:
            self._save(self._load() + [entry])
        return secret, entry

    def lookup(self, secret: str | None) -> TokenEntry | None:
        if not secret:
            return None
        h = _hash(secret)

        def find() -> TokenEntry | None:
            return next((e for e in self._load() if secrets.compare_digest(e.hash, h)), None)

        with self._lock:
            found = find()
            if found is None:  # perhaps created a moment ago by another process: look again now
                self._checked_at = float("-inf")
                found = find()
            return found

    def list(self) -> list[TokenEntry]:
        with self._lock:
            return self._load()

    def revoke(self, token_id: str) -> bool:
        with self._lock:
            entries = self._load()
            kept = [e for e in entries if e.id != token_id]
            self._save(kept)
        return len(kept) < len(entries)


class AuditLog:
    """Append-only JSON lines: one event a line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    @classmethod
    def at(cls, home: Path) -> "AuditLog":
        """The audit log of a Tupu home (``$TUPU_HOME/audit.jsonl``)."""
        return cls(home / "audit.jsonl")

    def record(self, who: str, action: str, detail: str = "", counts: dict[str, int] | None = None) -> dict:
        event = {"time": _now(), "who": who, "action": action, "detail": detail, "counts": counts or {}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(event, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return event

    def events(self, limit: int = 500) -> list[dict]:
        if not self.path.exists():
            return []
        with self._lock:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        out = []
        for line in lines[-limit:][::-1]:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:  # a line cut by a crash: skip it
                continue
        return out
