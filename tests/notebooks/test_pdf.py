"""Printing the PDF makes no network lookups (issue 14, item 11).

``html_to_pdf`` prints a tiny page through a stand-in ``$CHROMIUM``: a shell script that runs the
real chromium with ``--log-net-log`` (and under ``strace`` when it is installed). Chromium's net log
records every host resolution it starts (a ``HOST_RESOLVER_MANAGER_JOB``, then a system
``getaddrinfo`` task or its own ``DNS_TRANSACTION`` over UDP port 53); strace records every
``connect`` of the whole process tree, so a lookup made outside chromium's network service shows too.
A control print without ``stickiness_notebooks.pdf.OFFLINE_ARGS`` must show lookups, so the detector
is known to see them (plain headless chromium 156 made 24 DNS transactions per print, to
update.googleapis.com, accounts.google.com, clients2.google.com, redirector.gvt1.com).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from stickiness_notebooks.pdf import html_to_pdf

from tests.conftest import CHROMIUM

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"needs Debian's chromium at {CHROMIUM}: apt-get install -y chromium"
)

#: Net-log events that mean a host name is being resolved (not answered by a --host-resolver-rules map).
LOOKUP_EVENTS = frozenset(
    {"HOST_RESOLVER_MANAGER_JOB", "HOST_RESOLVER_SYSTEM_TASK", "HOST_RESOLVER_DNS_TASK", "DNS_TRANSACTION"}
)
#: A connect to a DNS server (port 53), as strace prints it, IPv4 or IPv6.
DNS_CONNECT = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?, sin6?_port=htons\(53\)")


@pytest.fixture
def page(tmp_path: Path) -> Path:
    """A tiny page with a script (the report's charts are drawn by scripts before the print)."""
    path = tmp_path / "page.html"
    path.write_text("<!doctype html><title>t</title><p id=p>x</p><script>p.textContent = 'drawn'</script>")
    return path


def usable_strace() -> str | None:
    """Return strace's path if it can trace here (a container may forbid ptrace), else None."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    done = subprocess.run([strace, "-f", "-o", "/dev/null", "true"], capture_output=True, timeout=30, check=False)
    return strace if done.returncode == 0 else None


def lookups(net_log: Path) -> list[str]:
    """Return the host resolutions and DNS-server connections that chromium's net log records."""
    log = json.loads(net_log.read_text())
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    found = []
    for event in log["events"]:
        kind, params = names[event["type"]], event.get("params", {})
        if kind in LOOKUP_EVENTS and event.get("phase") == 1:  # 1: the event's beginning
            found.append(f"{kind} {params.get('host') or params.get('hostname') or ''}")
        elif kind == "UDP_CONNECT" and str(params.get("address", "")).endswith(":53"):
            found.append(f"UDP_CONNECT {params['address']}")
    return found


def test_a_print_without_the_offline_switches_is_seen_to_look_up_names(page: Path, tmp_path: Path) -> None:
    """The control: plain headless chromium resolves names during a print, and the net log shows it."""
    net_log = tmp_path / "net.json"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}"]
    command += ["--virtual-time-budget=500", f"--print-to-pdf={tmp_path / 'x.pdf'}", f"--log-net-log={net_log}"]
    subprocess.run([*command, page.as_uri()], capture_output=True, timeout=60, check=True)
    assert lookups(net_log), "no lookup in the net log of a plain print: has chromium renamed its events?"


def test_printing_the_pdf_looks_up_no_host(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    net_log, trace = tmp_path / "net.json", tmp_path / "strace.txt"
    strace = usable_strace()
    under = f"{strace} -f -qq -e trace=connect -o {trace} " if strace else ""
    stand_in = tmp_path / "chromium"
    stand_in.write_text(f'#!/bin/sh\nexec {under}{CHROMIUM} --log-net-log={net_log} "$@"\n')
    stand_in.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(stand_in))

    pdf = html_to_pdf(page, tmp_path / "page.pdf", timeout=60, budget_ms=500)

    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert lookups(net_log) == []
    if strace:
        assert not [line for line in trace.read_text().splitlines() if DNS_CONNECT.search(line)]


# --- the paper (issue 17): --paper a4|letter, default from the locale ---------------------------------------


@pytest.mark.parametrize(
    ("environ", "paper"),
    [
        ({}, "a4"),  # no locale at all
        ({"LANG": "C.UTF-8"}, "a4"),  # a locale that names no territory
        ({"LANG": "en_US.UTF-8"}, "letter"),
        ({"LANG": "fr_CA.UTF-8"}, "letter"),
        ({"LANG": "es_MX"}, "letter"),
        ({"LANG": "en_PH.UTF-8"}, "letter"),
        ({"LANG": "en_GB.UTF-8"}, "a4"),
        ({"LANG": "de_DE.UTF-8@euro"}, "a4"),
        ({"LANG": "ja_JP.UTF-8"}, "a4"),
        # LC_PAPER first, then LC_ALL, then LANG: the first that names a territory decides
        ({"LC_PAPER": "en_GB.UTF-8", "LANG": "en_US.UTF-8"}, "a4"),
        ({"LC_PAPER": "en_US.UTF-8", "LC_ALL": "de_DE.UTF-8"}, "letter"),
        ({"LC_ALL": "en_CA.UTF-8", "LANG": "en_GB.UTF-8"}, "letter"),
        ({"LC_PAPER": "C", "LC_ALL": "POSIX", "LANG": "es_CO.UTF-8"}, "letter"),
    ],
)
def test_the_default_paper_follows_the_locale(environ: dict[str, str], paper: str) -> None:
    from stickiness_notebooks.pdf import default_paper

    assert default_paper(environ) == paper


def test_another_paper_is_refused_naming_the_choices(page: Path, tmp_path: Path) -> None:
    from stickiness import InvalidOptionError

    with pytest.raises(
        InvalidOptionError, match=r"paper='a5' .* use one of a4, letter \(--paper on the command line\)"
    ):
        html_to_pdf(page, tmp_path / "page.pdf", paper="a5")
    assert not (tmp_path / "page.pdf").exists()


def test_the_command_line_refuses_another_paper(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from stickiness_notebooks.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["report", "--demo", "--paper", "a5", "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2  # bad input (docs/api.md)
    error = capsys.readouterr().err
    assert "argument --paper: invalid choice: 'a5'" in error and "a4" in error and "letter" in error


@pytest.mark.parametrize(("paper", "size"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_the_page_is_printed_on_the_paper(page: Path, tmp_path: Path, paper: str, size: tuple[int, int]) -> None:
    # A4 is 210 x 297 mm = 595.3 x 841.9 pt (72 pt per inch, 25.4 mm per inch); Letter 8.5 x 11 in = 612 x 792 pt
    pdf = html_to_pdf(page, tmp_path / "page.pdf", paper=paper, timeout=60, budget_ms=500)
    boxes = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes())
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {size}
    assert [p.name for p in page.parent.iterdir() if p.name.startswith(".stickiness-print-")] == []  # copy removed
