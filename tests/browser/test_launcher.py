"""Issue 5: the Launcher's "Stickiness" section, used as an analyst would, in headless chromium with no network.

In JupyterLab (this environment's, with the kit installed: the prebuilt labextension and the
server extension ``stickiness_notebooks.lab``), the file browser goes to the folder ``analyses``
and a Launcher opens there. Then:

- the Launcher has a "Stickiness" section with one tile per template, titled and captioned
  from ``stickiness_notebooks.TEMPLATES`` (the list comes from the server);
- clicking the Quickstart tile writes ``analyses/quickstart.ipynb`` (the template, no outputs)
  and opens it in place of the Launcher, with the python3 kernel;
- "Run All" (``runmenu:run-all``) runs it on the demo data: every cell ran without an error,
  and each chart output is a vega view whose SVG shows that chart's title and subtitle (the
  kernel is told to draw SVG, not canvas, before Run All, so the text can be read);
- the saved, executed notebook becomes ``report.html`` through the kit's ``report_html``;
  opened from disk (file://) with every http(s) request blocked, its inlined vega bundle
  draws each chart figure as an SVG with the chart's title.

No request leaves 127.0.0.1 (each would be aborted and recorded). Screenshots of the
Launcher, the run notebook and the report go to ``$ARTIFACTS_DIR`` (else
``tests/browser/artifacts/``); with ``STICKINESS_README_IMAGES=1`` the Launcher and report
shots are also written to ``docs/img/launcher.png`` and ``docs/img/report.png``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import pytest
from stickiness_notebooks.templates import TEMPLATES

from tests.browser.conftest import CHROMIUM, Lab, Watch, offline_page
from tests.notebooks.test_run_templates import external_references

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"the Launcher browser test needs Debian's chromium at {CHROMIUM}: apt-get install -y chromium",
)

FOLDER = "analyses"
NOTEBOOK = f"{FOLDER}/quickstart.ipynb"
VEGALITE = "application/vnd.vegalite.v5+json"
#: Seconds for Run All of the quickstart on the demo data, and for anything else to show.
RUN_TIMEOUT = 180.0  # Run All took 45-65 s on a shared 2-core machine
TIMEOUT = 30.0
#: Where the README's pictures go when STICKINESS_README_IMAGES=1.
README_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"

SECTION = ".jp-Launcher-section:has(.jp-Launcher-sectionTitle:text-is('Stickiness'))"
#: The Stickiness section's tiles: label and caption (the tile's tooltip), in order.
TILES = """() => {
  const section = [...document.querySelectorAll('.jp-Launcher-section')].find(
    (s) => s.querySelector('.jp-Launcher-sectionTitle')?.textContent === 'Stickiness');
  return section ? [...section.querySelectorAll('.jp-LauncherCard')].map((card) => [
    card.querySelector('.jp-LauncherCard-label').textContent, card.title]) : [];
}"""
#: Lab's current widget: its path, once its kernel is up (null until then).
OPENED = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel?.context || !panel.sessionContext) return null;
  await panel.context.ready;
  await panel.sessionContext.ready;
  return {path: panel.context.path, kernel: panel.sessionContext.session?.kernel?.name ?? null};
}"""
#: Tell the notebook's kernel to have Lab's vega draw SVG (the test reads chart text), as a user's own code could.
SVG = """async () => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const code = 'import altair, stickiness_widgets\\naltair.renderers.set_embed_options(renderer="svg")';
  await kernel.requestExecute({code, silent: true, store_history: false}).done;
}"""
#: True once Run All is over: every code cell has run (a number in its prompt), or one raised.
RAN = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.widgets.filter((c) => c.model.type === 'code');
  const raised = cells.some((c) => [...Array(c.model.outputs.length).keys()].some(
    (i) => c.model.outputs.get(i).type === 'error'));
  return raised || cells.every((c) => /\\d/.test(c.node.querySelector('.jp-InputPrompt').textContent));
}"""
#: Per code cell: its errors and stderr, the chart specs' titles of its outputs, and the text of its vega SVGs.
CELLS = """([mimetype]) => window.jupyterapp.shell.currentWidget.content.widgets
  .filter((c) => c.model.type === 'code').map((c) => {
    const outputs = [...Array(c.model.outputs.length).keys()].map((i) => c.model.outputs.get(i));
    return {
      source: c.model.sharedModel.getSource().split('\\n')[0],
      prompt: c.node.querySelector('.jp-InputPrompt').textContent,
      errors: outputs.filter((o) => o.type === 'error').map((o) => `${o.toJSON().ename}: ${o.toJSON().evalue}`),
      stderr: [...c.node.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')].map(
        (e) => e.textContent),
      titles: outputs.filter((o) => o.data[mimetype]).map((o) => o.data[mimetype].title ?? null),
      svgs: [...c.node.querySelectorAll('.jp-RenderedVegaLite .vega-embed svg.marks')].map((s) => s.textContent),
      canvases: c.node.querySelectorAll('.jp-RenderedVegaLite canvas').length,
    };
  })"""
#: The report's chart figures: the SVG text of each, once vega drew it (null until then).
FIGURES = """() => [...document.querySelectorAll('figure.stickiness-chart')].map(
  (f) => f.querySelector(':scope > div svg.marks')?.textContent ?? null)"""


def title_lines(title: Any) -> list[str]:
    """The lines of a Vega-Lite title (a string, a list of lines, or ``{"text", "subtitle"}``)."""
    if isinstance(title, dict):
        return [*title_lines(title.get("text", "")), *title_lines(title.get("subtitle", []))]
    return [str(line) for line in (title if isinstance(title, list) else [title])]


@dataclass
class Session:
    """The Lab page the test drives, what it saw, and where its pictures go."""

    lab: Lab
    page: Page
    watch: Watch
    artifacts: Path

    def screenshot(self, name: str, page: Page | None = None) -> Path:
        """Save a PNG of the page into the artifacts (and, if asked, as a README image)."""
        path = self.artifacts / f"launcher-{name}.png"
        (page or self.page).screenshot(path=path)
        if os.environ.get("STICKINESS_README_IMAGES") == "1" and name in ("launcher", "report"):
            shutil.copyfile(path, README_IMAGES / f"{name}.png")
        return path

    def failure(self) -> str:
        """What the page and the server said, for failure messages."""
        return f"{self.watch.report()}\nserver log (tail):\n{self.lab.server_log()[-3000:]}"


@pytest.fixture(scope="module")
def session(lab: Lab, browser: Browser, artifacts: Path) -> Iterator[Session]:
    """Lab in a fresh workspace, its file browser in ``analyses/``, and a Launcher open there."""
    (lab.root / FOLDER).mkdir(exist_ok=True)
    watch = Watch()
    page = offline_page(browser, watch, width=1280, height=800)
    opened = Session(lab=lab, page=page, watch=watch, artifacts=artifacts)
    try:
        page.goto(f"{lab.url}/lab/workspaces/stickiness-launcher?reset&token={lab.token}")
        page.wait_for_function("() => window.jupyterapp?.commands.hasCommand('launcher:create')")
        page.evaluate(
            f"""async () => {{
              const app = window.jupyterapp;
              await app.restored;
              await app.commands.execute('filebrowser:go-to-path', {{path: '{FOLDER}'}});
              const launcher = await app.commands.execute('launcher:create');
              for (const widget of [...app.shell.widgets('main')]) if (widget !== launcher) widget.close();
            }}"""
        )
        yield opened
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def tiles(session: Session) -> list[list[str]]:
    """The Stickiness section's tiles, once the server's list arrived."""
    expected = len(TEMPLATES)
    try:
        session.page.wait_for_function(f"() => ({TILES})().length >= {expected}", timeout=TIMEOUT * 1000)
        session.page.locator(SECTION).scroll_into_view_if_needed()
    finally:
        session.screenshot("launcher")
    found: list[list[str]] = session.page.evaluate(TILES)
    return found


@pytest.fixture(scope="module")
def notebook(session: Session, tiles: list[list[str]]) -> dict[str, Any]:
    """Click the Quickstart tile; return the opened widget's path and kernel once its kernel is up."""
    page = session.page
    page.locator(SECTION).locator(".jp-LauncherCard", has_text="Quickstart").click()
    page.wait_for_function(f"() => window.jupyterapp.shell.currentWidget?.context?.path === '{NOTEBOOK}'")
    opened: dict[str, Any] = page.evaluate(OPENED)
    return opened


@pytest.fixture(scope="module")
def executed(session: Session, notebook: dict[str, Any]) -> list[dict[str, Any]]:
    """Run All in Lab (vega told to draw SVG), wait until it is over, save; return each code cell's state."""
    page = session.page
    page.evaluate(SVG)
    page.evaluate("() => { window.jupyterapp.commands.execute('runmenu:run-all'); }")  # no promise returned
    try:
        page.wait_for_function(RAN, timeout=RUN_TIMEOUT * 1000)
        page.wait_for_function(  # vega draws after the output arrives
            f"""() => ({CELLS})(['{VEGALITE}']).every((c) => c.errors.length || c.svgs.length === c.titles.length)""",
            timeout=TIMEOUT * 1000,
        )
    finally:
        page.locator(".jp-RenderedVegaLite").first.scroll_into_view_if_needed()
        session.screenshot("quickstart-run")
    page.evaluate("async () => { await window.jupyterapp.commands.execute('docmanager:save'); }")
    cells: list[dict[str, Any]] = page.evaluate(CELLS, [VEGALITE])
    return cells


@pytest.fixture(scope="module")
def report(session: Session, executed: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit's report.html of the notebook Lab ran and saved."""
    from stickiness_notebooks import report_html

    return report_html(session.lab.root / NOTEBOOK, tmp_path_factory.mktemp("report") / "report.html")


# --------------------------------------------------------------------------- #
# Tests                                                                       #
# --------------------------------------------------------------------------- #


def test_the_launcher_has_a_stickiness_section_with_a_tile_per_template(
    session: Session, tiles: list[list[str]]
) -> None:
    assert tiles == [[t.title, t.summary] for t in TEMPLATES.values()], session.failure()
    assert session.page.locator(".jp-Launcher-cwd").inner_text().strip().endswith(FOLDER)


def test_the_quickstart_tile_creates_and_opens_the_template(session: Session, notebook: dict[str, Any]) -> None:
    assert notebook == {"path": NOTEBOOK, "kernel": "python3"}, session.failure()
    written = nbformat.read(session.lab.root / NOTEBOOK, as_version=4)
    assert written.metadata["stickiness"] == {"template": "quickstart"}
    assert sorted(p.name for p in (session.lab.root / FOLDER).glob("*.ipynb")) == ["quickstart.ipynb"]
    assert session.page.locator(".jp-Launcher").count() == 0, "the notebook did not replace the Launcher"


def test_run_all_draws_every_chart_with_its_title(session: Session, executed: list[dict[str, Any]]) -> None:
    problems = [(c["source"], c["errors"], c["stderr"]) for c in executed if c["errors"] or c["stderr"]]
    assert not problems, f"cells failed or warned: {problems}\n{session.failure()}"
    assert all(any(ch.isdigit() for ch in c["prompt"]) for c in executed), [c["prompt"] for c in executed]
    charts = [c for c in executed if c["titles"]]
    assert len(charts) >= 4, f"the quickstart shows {len(charts)} charts"
    for cell in charts:
        assert len(cell["svgs"]) == len(cell["titles"]) and not cell["canvases"], cell
        for title, text in zip(cell["titles"], cell["svgs"], strict=True):
            # a long title wraps onto lines that the SVG's text joins without a space
            drawn = "".join(text.split())
            missing = [line for line in title_lines(title) if "".join(line.split()) not in drawn]
            assert not missing, f"{cell['source']}: the chart's SVG lacks {missing}; its text:\n{text}"


def test_the_report_of_the_notebook_draws_its_charts_offline(
    session: Session, browser: Browser, executed: list[dict[str, Any]], report: Path
) -> None:
    page_text = report.read_text(encoding="utf-8")
    assert external_references(page_text) == []
    titles = [title for cell in executed for title in cell["titles"]]
    watch = Watch()
    page = offline_page(browser, watch, width=1280, height=900, hosts=(), allow=(report.as_uri(),))
    try:
        page.goto(report.as_uri())
        page.wait_for_function(f"() => ({FIGURES})().filter((t) => t !== null).length === {len(titles)}")
        figures: list[str] = page.evaluate(FIGURES)
        page.locator("figure.stickiness-chart").first.scroll_into_view_if_needed()
        page.evaluate("() => window.scrollBy(0, -120)")
        session.screenshot("report", page)
    finally:
        page.context.close()
    assert len(figures) == len(titles)
    for title, text in zip(titles, figures, strict=True):
        # a title the page narrows for print wraps onto lines that the SVG's text joins without a space
        drawn = "".join(text.split())
        missing = [line for line in title_lines(title) if "".join(line.split()) not in drawn]
        assert not missing, f"the report's chart lacks {missing}; its text:\n{text}"
    assert not watch.blocked and not watch.errors, watch.report()


def test_nothing_needed_the_network_and_nothing_failed(session: Session, executed: list[dict[str, Any]]) -> None:
    assert not session.watch.blocked, f"requests left 127.0.0.1 (aborted):\n{session.watch.blocked}"
    assert not session.watch.errors, f"uncaught page errors:\n{session.watch.errors}"
    ours = [m for m in session.watch.console if "stickiness" in m.lower() or "vega" in m.lower()]
    assert not ours, f"errors in the console:\n{ours}"
