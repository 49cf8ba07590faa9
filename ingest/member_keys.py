"""A member's key from their ID number, for the exports of the systems staff already use (the
全国党员管理信息系统, city 智慧党建 platforms): they show no member code, only 公民身份号码.

The key is never the number itself, which would then sit in URLs, logs and views, and never a
plain hash of it, which anyone could reverse by trying every birth date and county: it is an
HMAC-SHA256 of the number under a secret of this installation (``member-key.secret`` in
TUPU_HOME, 32 random bytes made on first need, readable by its owner only), shortened to a
readable code: ``DY`` and the first 80 bits in base32 (16 characters; at 100 million members
the chance that any two share a code is below one in 10⁸). The same person gets the same code
in every month's export, so next month's load lands on the same node.

The secret is part of a backup (``tupu export`` writes it beside the ledgers; loading the backup
into an installation that has none, or whose graph holds no member yet, installs it): without
it, a restored installation would key next month's members anew.

>>> import tempfile, pathlib
>>> home = pathlib.Path(tempfile.mkdtemp())
>>> code = member_key("11010519491231002X", home)
>>> code.startswith("DY") and len(code) == 18 and code == member_key("11010519491231002X", home)
True
>>> oct(secret_path(home).stat().st_mode & 0o777)
'0o600'
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILE = "member-key.secret"
PREFIX = "DY"
CODE_BYTES = 10  # 80 bits: 16 base32 characters

_cache: dict[Path, bytes] = {}


def _home() -> Path:
    from graph.config import Settings

    return Settings.from_env().home


def secret_path(home: Path | None = None) -> Path:
    return (home or _home()) / SECRET_FILE


def secret(home: Path | None = None) -> bytes:
    """This installation's secret, made on first need (two processes making it at once
    agree: the file is created exclusively, and the loser reads the winner's)."""
    path = secret_path(home)
    found = _cache.get(path)
    if found is not None:
        return found
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
    data = path.read_bytes()
    if len(data) < 32:  # a half-written file of another process: read it once it is whole
        raise RuntimeError(f"{path} 不完整")
    _cache[path] = data
    return data


def member_key(id_number: str, home: Path | None = None) -> str:
    """The member code of an ID number (normalised: ``ingest.checks.id_card``)."""
    digest = hmac.new(secret(home), id_number.encode("ascii", "replace"), hashlib.sha256).digest()
    return PREFIX + base64.b32encode(digest[:CODE_BYTES]).decode("ascii")


def export_secret(folder: Path, home: Path | None = None) -> Path | None:
    """Copy the secret beside a backup's ledgers (when there is one); its path there."""
    path = secret_path(home)
    if not path.exists():
        return None
    target = folder / SECRET_FILE
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(path.read_bytes())
    os.chmod(target, 0o600)
    return target


def restore_secret(source: Path, has_members: bool, home: Path | None = None) -> str | None:
    """Install the secret found in a backup (``source``: the file, or the folder holding it).
    What happened, in Chinese, or ``None`` when there was nothing to do. An installation whose
    graph already holds members keyed with another secret keeps its own (their codes would
    change)."""
    found = source / SECRET_FILE if source.is_dir() else source
    if found.name != SECRET_FILE or not found.is_file():
        return None
    data = found.read_bytes()
    if len(data) < 32:
        return f"备份中的党员编码密钥 {found.name} 不完整，未使用"
    target = secret_path(home)
    if target.exists():
        if target.read_bytes() == data:
            return None
        if has_members:
            return ("备份中的党员编码密钥与本机的不同，本机图谱中已有党员，未替换：以后按身份证号载入的党员"
                    "将按本机密钥编码（要沿用备份的编码，请在空库中恢复备份）")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)
    _cache.pop(target, None)
    return "已从备份恢复党员编码密钥：按身份证号载入的党员沿用备份中的编码"
