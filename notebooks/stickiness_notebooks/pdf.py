"""Print a report's HTML to PDF with headless chromium (Debian's, or any Chrome on the PATH), offline.

The report is a local ``file://`` page that needs no network, so the browser is started with
:data:`OFFLINE_ARGS`: no background services, and a host resolver that answers "not found" for
every name but ``localhost`` and ``127.0.0.1``. A print makes no DNS lookup (plain headless
chromium 156 made 24 per print: its updater, time and account services).

The paper is A4 or US Letter (``paper=``, ``stickiness report --paper``), by default the
locale's (:func:`default_paper`). The report's charts are drawn no wider than
:data:`PRINT_WIDTH`, which fits either page, so the printed page does not shrink them.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final, Literal, get_args

from stickiness import InvalidOptionError, StickinessError

__all__ = [
    "LETTER_TERRITORIES",
    "OFFLINE_ARGS",
    "PRINT_WIDTH",
    "Paper",
    "check_paper",
    "default_paper",
    "find_chromium",
    "html_to_pdf",
]

#: The paper sizes a report prints on.
Paper = Literal["a4", "letter"]
#: Each paper's CSS page size (``@page { size: ... }``).
_PAGE_SIZE: Final[Mapping[str, str]] = {"a4": "210mm 297mm", "letter": "8.5in 11in"}
#: Territories (ISO 3166 codes, as in a locale's ``en_US``) whose usual paper is US Letter, as glibc's
#: LC_PAPER has it; everywhere else uses A4.
LETTER_TERRITORIES: Final = frozenset(
    {"US", "CA", "MX", "PH", "CL", "CO", "VE", "PR", "CR", "GT", "NI", "PA", "SV", "DO", "BZ"}
)
#: The locale variables read for the paper, in order; the first that names a territory decides.
_LOCALE_VARIABLES: Final = ("LC_PAPER", "LC_ALL", "LANG")
_TERRITORY: Final = re.compile(r"^[A-Za-z]{2,3}_([A-Za-z]{2})\b")
#: Widest a report's chart is drawn, in CSS pixels (1/96 inch): the text width of either paper with the
#: report's margins (A4: 210 mm - 2 x 12 mm = 703 px; Letter: 8.5 in - 2 x 12 mm = 725 px), less a little.
PRINT_WIDTH: Final = 680

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


def default_paper(environ: Mapping[str, str] | None = None) -> Paper:
    """Return the locale's paper: ``"letter"`` in :data:`LETTER_TERRITORIES`, else ``"a4"``.

    The territory is read from ``LC_PAPER``, else ``LC_ALL``, else ``LANG`` (the first that
    names one: ``C.UTF-8`` names none); no locale at all gives A4.

    >>> default_paper({"LANG": "en_US.UTF-8"}), default_paper({"LANG": "en_GB.UTF-8"}), default_paper({})
    ('letter', 'a4', 'a4')
    >>> default_paper({"LC_PAPER": "es_MX.UTF-8", "LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"})
    'letter'
    """
    values = os.environ if environ is None else environ
    for variable in _LOCALE_VARIABLES:
        found = _TERRITORY.match(values.get(variable) or "")
        if found:
            return "letter" if found.group(1).upper() in LETTER_TERRITORIES else "a4"
    return "a4"


def check_paper(paper: str | None) -> Paper:
    """Return ``paper`` checked (None: the locale's), or raise naming the choices.

    >>> check_paper("A4"), check_paper("letter")
    ('a4', 'letter')
    """
    if paper is None:
        return default_paper()
    choice = paper.lower()
    if choice == "a4":
        return "a4"
    if choice == "letter":
        return "letter"
    raise InvalidOptionError(
        f"paper={paper!r} is not a paper size this report prints on: use one of {', '.join(get_args(Paper))} "
        "(--paper on the command line), or leave it out for the locale's."
    )


def html_to_pdf(
    html: str | Path,
    pdf: str | Path,
    *,
    paper: str | None = None,
    timeout: float = 120.0,
    budget_ms: int = 10_000,
) -> Path:
    """Print the page ``html`` to ``pdf`` with headless chromium, after its scripts draw the charts.

    ``paper`` is ``"a4"`` or ``"letter"`` (default: :func:`default_paper`, the locale's); the
    page is printed on it whatever its own CSS says. ``budget_ms`` is the virtual time the page
    gets to run its scripts before printing. The browser runs with :data:`OFFLINE_ARGS`: the
    print makes no network lookup.
    Raises :class:`~stickiness.StickinessError` naming the fix when chromium is missing or fails,
    and :class:`~stickiness.InvalidOptionError` for another ``paper``.
    """
    size = _PAGE_SIZE[check_paper(paper)]
    browser = find_chromium()
    if browser is None:
        raise StickinessError(
            "no chromium to print the PDF with: install it (Debian: apt-get install -y chromium) "
            "or set CHROMIUM to a Chrome/Chromium executable."
        )
    source, target = Path(html).resolve(), Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="stickiness-chromium-") as profile, _on_paper(source, size) as page:
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
            page.as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise StickinessError(
            f"chromium could not print {source} to PDF (exit {done.returncode}): {done.stderr[-500:]}"
        )
    return target


@contextlib.contextmanager
def _on_paper(source: Path, size: str) -> Iterator[Path]:
    """Yield a copy of the page ``source`` that prints on ``size`` (a CSS page size), beside it.

    Chromium's command line has no paper option; the page's CSS sets it. The copy sits in the
    page's folder, so its relative links (``tables/NAME.csv``) still resolve, and is removed after.
    """
    text = source.read_text(encoding="utf-8")
    rule = f"<style>@page {{ size: {size}; }}</style>"
    head = text.lower().find("</head>")  # the first: a script later on may hold the text "</head>"
    text = text[:head] + rule + text[head:] if head >= 0 else rule + text
    handle, name = tempfile.mkstemp(prefix=".stickiness-print-", suffix=".html", dir=source.parent)
    copy = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        yield copy
    finally:
        copy.unlink(missing_ok=True)
