"""PNG and PDF of a view through headless Chromium (Debian's ``chromium``), for ``tupu view
--png/--pdf``: the page opened with ``#print`` (no toolbar or filter bar; title, date, legend)."""
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


def _run(args: list[str], width: int, height: int, wait_ms: int, html_file: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="tupu-chromium-") as profile:
        subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--virtual-time-budget={wait_ms}", *args, html_file.resolve().as_uri() + "#print"],
                       check=True, capture_output=True, timeout=120)


def html_to_png(html_file: Path, png: Path, width: int = 1920, height: int = 1080,
                wait_ms: int = 6000) -> Path:
    """A 1920×1080 picture of the view as a projector shows it, without the controls."""
    _run([f"--screenshot={png.resolve()}"], width, height, wait_ms, html_file)
    return png


def html_to_pdf(html_file: Path, pdf: Path, wait_ms: int = 6000) -> Path:
    """The view printed on a landscape A4 page: the whole network, its title and legend."""
    _run([f"--print-to-pdf={pdf.resolve()}", "--no-pdf-header-footer"], 1600, 1000, wait_ms, html_file)
    return pdf
