"""Print a report's HTML to PDF with headless chromium (Debian's, or any Chrome on the PATH)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from stickiness import StickinessError

__all__ = ["find_chromium", "html_to_pdf"]

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> Path | None:
    """Return the chromium (or Chrome) executable: ``$CHROMIUM`` if set, else the first on the PATH; else None."""
    if os.environ.get("CHROMIUM"):
        candidate = Path(os.environ["CHROMIUM"])
        return candidate if candidate.exists() else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def html_to_pdf(html: str | Path, pdf: str | Path, *, timeout: float = 120.0, budget_ms: int = 10_000) -> Path:
    """Print the page ``html`` to ``pdf`` with headless chromium, after its scripts draw the charts.

    ``budget_ms`` is the virtual time the page gets to run its scripts before printing.
    Raises :class:`~stickiness.StickinessError` naming the fix when chromium is missing or fails.
    """
    browser = find_chromium()
    if browser is None:
        raise StickinessError(
            "no chromium to print the PDF with: install it (Debian: apt-get install -y chromium) "
            "or set CHROMIUM to a Chrome/Chromium executable."
        )
    source, target = Path(html).resolve(), Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="stickiness-chromium-") as profile:
        command = [
            str(browser),
            "--headless",
            "--no-sandbox",  # root in containers and CI has no user namespace sandbox
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise StickinessError(
            f"chromium could not print {source} to PDF (exit {done.returncode}): {done.stderr[-500:]}"
        )
    return target
