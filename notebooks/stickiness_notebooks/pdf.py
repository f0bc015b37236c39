"""Print a report's HTML to PDF with headless chromium (Debian's, or any Chrome on the PATH), offline.

The report is a local ``file://`` page that needs no network, so the browser is started with
:data:`OFFLINE_ARGS`: no background services, and a host resolver that answers "not found" for
every name but ``localhost`` and ``127.0.0.1``. A print makes no DNS lookup (plain headless
chromium 156 made 24 per print: its updater, time and account services).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from stickiness import StickinessError

__all__ = ["OFFLINE_ARGS", "find_chromium", "html_to_pdf"]

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: Chromium switches for a browser that reaches nothing beyond this machine: no background services
#: (updates, sync, time, safe browsing, metrics uploads) and no name lookups. The last switch is the
#: guarantee, whatever a chromium version adds: every host name resolves to "not found" without asking
#: DNS, except ``localhost`` and ``127.0.0.1`` (where a JupyterLab under test listens; ``MAP *`` also
#: catches IP literals). The browser tests launch their chromium with these too (tests/conftest.py).
OFFLINE_ARGS: Final = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-pings",
    "--dns-prefetch-disable",
    "--no-proxy-server",  # a proxy from the environment would resolve the names for us
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)
#: Only for printing: Playwright passes its own --disable-features (a second one would replace it),
#: and Debian's launcher loads its bundled extensions, which a print does not need.
_PRINT_ARGS: Final = (
    "--disable-extensions",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter",
)


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

    ``budget_ms`` is the virtual time the page gets to run its scripts before printing. The browser
    runs with :data:`OFFLINE_ARGS`: the print makes no network lookup.
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
            *OFFLINE_ARGS,
            *_PRINT_ARGS,
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
