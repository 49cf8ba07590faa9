"""Files holding personal data readable by their owner only (#36).

Everything Tupu keeps under ``TUPU_HOME`` may hold names, ID and phone numbers: the history
(``history/history.sqlite`` keeps every member's full ID number), the return lists (退回清单,
``returns/``), the graph file, backups, answers kept on disk, decisions, meetings, the audit
log. :func:`private_home` makes new files 0600 and new folders 0700 for the whole process (its
umask: every writer, SQLite's journals and a Neo4j started by it included), and takes group and
other permissions off what an older version left under the home. The CLI's commands, the API and
the history call it; it costs a walk of the home once per process.

>>> import tempfile, pathlib, stat
>>> home = pathlib.Path(tempfile.mkdtemp())
>>> old = home / "history" / "loads.jsonl"
>>> old.parent.mkdir(); _ = old.write_text("{}"); old.chmod(0o644)
>>> private_home(home)
>>> oct(stat.S_IMODE(old.stat().st_mode)), oct(stat.S_IMODE(old.parent.stat().st_mode))
('0o600', '0o700')
>>> new = home / "returns" / "x.xlsx"
>>> new.parent.mkdir(); _ = new.write_text("x")
>>> oct(stat.S_IMODE(new.stat().st_mode))
'0o600'
"""
from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

UMASK = 0o077  # no permission for the group or others
_done: set[str] = set()
_lock = threading.Lock()


def private_home(home: Path) -> None:
    """New files of this process private (umask 077), and what lies under ``home`` made so."""
    os.umask(UMASK)
    key = str(home.resolve()) if home.exists() else str(home)
    with _lock:
        if key in _done:
            return
        _done.add(key)
    tighten(home)


def tighten(home: Path) -> None:
    """Group and other permissions off every file and folder under ``home`` (and ``home``
    itself); a symbolic link is not followed. A file the owner cannot change is left as it is."""
    if not home.is_dir():
        return
    _private(home)
    for folder, dirs, files in os.walk(home):
        for name in (*dirs, *files):
            _private(Path(folder) / name)


def _private(path: Path) -> None:
    with contextlib.suppress(OSError):
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            return
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            path.chmod(mode & 0o700 | (0o700 if stat.S_ISDIR(st.st_mode) else 0))
