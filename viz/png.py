"""PNG of a view through headless Chromium (Debian's ``chromium``), for ``tupu view --png``."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from graph.errors import Unavailable

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


class NoBrowser(Unavailable, RuntimeError):
    pass


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise NoBrowser("找不到 Chromium：请安装 Debian 的 chromium 包（apt-get install chromium）")


def html_to_png(html_file: Path, png: Path, width: int = 1600, height: int = 1000,
                wait_ms: int = 6000) -> Path:
    with tempfile.TemporaryDirectory(prefix="tupu-chromium-") as profile:
        subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--virtual-time-budget={wait_ms}", f"--screenshot={png.resolve()}",
                        html_file.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    return png
