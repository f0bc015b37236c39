"""Issue 4: the charts and an explorer draw in a real JupyterLab, in headless chromium, with no network.

One notebook (written here with nbformat) reads the demo log, displays the four
analysis charts, the monthly chart and ``explore_active_users(log, by="persona")``;
the browser opens it in JupyterLab, runs every cell, and reads the output areas.

What is asserted, per chart (``application/vnd.vegalite.v5+json`` drawn by Lab's
bundled Vega-Lite 5, through the ``"stickiness"`` renderer):

- the output is Lab's Vega-Lite renderer (``.jp-RenderedVegaLite``) holding a
  ``.vega-embed`` view, and no error or warning was printed;
- vega drew an ``svg.marks`` of a sensible size with data marks in it, and its
  ``<text>`` holds the chart's title and subtitle (worked out here from the same
  chart function, so Lab shows exactly the spec's finding) and its labels
  (persona names, bands). The notebook sets ``alt.renderers.set_embed_options(
  renderer="svg")`` for this: Lab's vega-embed draws on a canvas by default,
  whose text cannot be read;
- Lab's renderer finished: it adds an ``image/png`` of the drawn view to the
  output (it does so only after vega-embed resolved), next to the renderer's
  ``image/svg+xml`` fallback;
- the default path works too: one chart is displayed with the default embed
  options and must draw a non-blank ``<canvas>`` (and no svg); its text is
  checked in the output's SVG fallback (vl-convert's drawing of the same spec).

For the explorer: typing 14 into the MAU window slider's readout (a real DOM
edit) recomputes and redraws: a new vega view replaces the old one, whose title
and panel titles now say 14 days; choosing "agent" in the persona dropdown redraws
it for that persona, and "All" back for every user; the dropdown shows the
choice it holds ("All" included). Over the whole run: no request left 127.0.0.1 (each one
would have been aborted and recorded), no uncaught page error, no vega error in
the console, no "Error loading script". Screenshots go to ``$ARTIFACTS_DIR`` (else
``tests/browser/artifacts/``).
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import CHROMIUM, Lab, Watch, offline_page

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"the JupyterLab browser test needs Debian's chromium at {CHROMIUM}: apt-get install -y chromium",
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

NOTEBOOK = "charts.ipynb"
PERSONAS = ("agent", "home_buyer", "homeowner", "renter")
#: Seconds to wait for the kernel to run the notebook, and for a redraw after a control change.
RUN_TIMEOUT = 90.0
REDRAW_TIMEOUT = 30.0

SETUP = """\
import altair as alt
import stickiness
import stickiness_widgets as sw
from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users
from stickiness_widgets.explorers import explore_active_users

alt.renderers.set_embed_options(renderer="svg")  # Lab's vega draws SVG: the test reads the chart text
log = stickiness.read_log(demo_events(), users=demo_users())
catalog = stickiness.read_catalog(demo_catalog(), profiles=demo_use_case_profiles())
use_case_map = stickiness.use_case_map(log, catalog)"""

#: Chart name -> the notebook cell that displays it (the setup cell is cell 0).
CELLS: dict[str, str] = {
    "active_users_by_persona": 'sw.active_users_chart(stickiness.active_users(log, by="persona"), by="persona")',
    "spectrum": "sw.spectrum_chart(stickiness.frequency_spectrum(log, catalog))",
    "use_case_map": "sw.use_case_map_chart(use_case_map)",
    "forgettable_zone": "sw.forgettable_zone_chart(use_case_map)",
    "monthly_by_persona_canvas": """\
alt.renderers.set_embed_options()  # the default: vega-embed draws on a canvas, as users see it
display(sw.monthly_active_users_chart(stickiness.monthly_active_users(log, by="persona")))
alt.renderers.set_embed_options(renderer="svg");""",
    "explorer": 'explorer = explore_active_users(log, by="persona")\nexplorer',
}
INDEX = {name: i for i, name in enumerate(CELLS, start=1)}
#: How Lab marks an output drawn by its Vega-Lite 5 renderer, and that renderer's mimetype.
VEGALITE = "jp-RenderedVegaCommon5 jp-RenderedVegaLite"
VEGALITE_MIMETYPE = "application/vnd.vegalite.v5+json"
SVG_CHARTS = ("active_users_by_persona", "spectrum", "use_case_map", "forgettable_zone")

#: Labels each chart's SVG must show, beyond its title and subtitle.
LABELS: dict[str, tuple[str, ...]] = {
    "active_users_by_persona": (*PERSONAS, "DAU", "WAU", "MAU (30 days)", "window incomplete"),
    "spectrum": (*PERSONAS, "daily", "weekly", "monthly", "occasional", "lapsed", "buy_home"),
    "use_case_map": (*PERSONAS, "buy_home", "find_rental"),
    "forgettable_zone": ("home_buyer · buy_home", "majority 50%"),
    "explorer": ("DAU", "WAU", "MAU (30 days)", "window incomplete"),
}

#: Reads one cell's output area: output types, Lab's vega views, their SVG (size, data marks, text) and canvases.
PROBE = """([index]) => {
  const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[index];
  if (!cell) return null;
  const area = cell.querySelector('.jp-OutputArea');
  const outputs = area ? [...area.querySelectorAll(':scope > .jp-OutputArea-child > .jp-OutputArea-output')] : [];
  const box = (node) => { const r = node.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
  const inked = (canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] + data[i + 1] + data[i + 2] < 600) ink++;
    return ink / (canvas.width * canvas.height);
  };
  return {
    prompt: (cell.querySelector('.jp-InputPrompt') || {}).textContent || '',
    kinds: outputs.map(
      (o) =>
        o.dataset.mimeType ||
        [...o.classList].filter((c) => c.startsWith('jp-Rendered')).join(' ') ||
        (o.querySelector(':scope > .jupyter-widgets') ? 'widget' : o.className),
    ),
    problems: [...cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')].map((o) =>
      o.textContent.slice(0, 2000),
    ),
    views: cell.querySelectorAll('.jp-RenderedVegaLite .vega-embed').length,
    svgs: [...cell.querySelectorAll('.jp-RenderedVegaLite .vega-embed svg.marks')].map((svg) => ({
      size: box(svg),
      marks: svg.querySelectorAll('.role-mark:not(.role-axis *):not(.role-legend *):not(.role-title *) > *').length,
      text: [...svg.querySelectorAll('text')].map((t) => t.textContent).join('\\n'),
      fresh: !svg.dataset.seen,
    })),
    canvases: [...cell.querySelectorAll('.jp-RenderedVegaLite .vega-embed canvas')].map((c) => ({
      size: box(c),
      ink: inked(c),
    })),
    text: cell.querySelector('.jp-Cell-outputWrapper')?.innerText || '',
  };
}"""

#: True once Run All is over: no cell waits or runs ([*]), and the last cell ran or a cell raised (which stops Run All).
RAN = """(count) => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-Cell .jp-InputPrompt')].map((p) => p.textContent);
  if (prompts.length !== count || prompts.some((p) => p.includes('*'))) return false;
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const types = (outputs) => Array.from({ length: outputs.length }, (_, i) => outputs.get(i).type);
  const raised = Array.from({ length: cells.length }, (_, i) => cells.get(i)).some((cell) =>
    types(cell.outputs).includes('error'),
  );
  return /\\d/.test(prompts[count - 1]) || raised;
}"""
#: The data (mimetype -> value) of each output of a cell, from the notebook model Lab holds.
BUNDLES = """([index]) => {
  const outputs = window.jupyterapp.shell.currentWidget.content.model.cells.get(index).outputs;
  return Array.from({ length: outputs.length }, (_, i) => outputs.get(i).data);
}"""
#: The text a <select> shows: its selected option's ("" when none is selected).
SHOWN = "(select) => (select.selectedIndex < 0 ? '' : select.options[select.selectedIndex].text)"


# --------------------------------------------------------------------------- #
# What the charts must say (worked out with the same functions, in-process)  #
# --------------------------------------------------------------------------- #


def _title_lines(chart: Any) -> list[str]:
    title = chart.to_dict()["title"]
    subtitle = title.get("subtitle", [])
    return [title["text"], *([subtitle] if isinstance(subtitle, str) else subtitle)]


@pytest.fixture(scope="module")
def expected() -> dict[str, list[str]]:
    """Each chart's title and subtitle lines, and the explorer's after each control change."""
    import stickiness_widgets as sw

    import stickiness
    from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users

    log = stickiness.read_log(demo_events(), users=demo_users())
    catalog = stickiness.read_catalog(demo_catalog(), profiles=demo_use_case_profiles())
    use_case_map = stickiness.use_case_map(log, catalog)
    agent_14 = stickiness.active_users(log, window=14, by="persona").filter(persona="agent")
    charts = {
        "active_users_by_persona": sw.active_users_chart(stickiness.active_users(log, by="persona"), by="persona"),
        "spectrum": sw.spectrum_chart(stickiness.frequency_spectrum(log, catalog)),
        "use_case_map": sw.use_case_map_chart(use_case_map),
        "forgettable_zone": sw.forgettable_zone_chart(use_case_map),
        "monthly_by_persona_canvas": sw.monthly_active_users_chart(stickiness.monthly_active_users(log, by="persona")),
        "explorer": sw.active_users_chart(stickiness.active_users(log, window=30)),
        "explorer_14": sw.active_users_chart(stickiness.active_users(log, window=14)),
        "explorer_14_agent": sw.active_users_chart(agent_14, by="persona"),
    }
    return {name: _title_lines(chart) for name, chart in charts.items()}


# --------------------------------------------------------------------------- #
# The notebook, run in Lab                                                    #
# --------------------------------------------------------------------------- #


def write_notebook(path: Path) -> None:
    """Write the test notebook: the setup cell, then one cell per chart and the explorer."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    notebook = new_notebook(
        cells=[new_code_cell(SETUP), *(new_code_cell(source) for source in CELLS.values())],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}},
    )
    nbformat.validate(notebook)
    nbformat.write(notebook, path)


@dataclass
class Notebook:
    """The test notebook open in Lab, after "Run All" drew every output."""

    page: Page
    watch: Watch
    artifacts: Path

    def probe(self, name: str) -> dict[str, Any]:
        """Read the output area of chart ``name``'s cell."""
        found: dict[str, Any] | None = self.page.evaluate(PROBE, [INDEX[name]])
        assert found is not None, f"cell {INDEX[name]} ({name}) is not in the page"
        return found

    def until(self, name: str, ready: Callable[[dict[str, Any]], bool], timeout: float, what: str) -> dict[str, Any]:
        """Poll chart ``name``'s output until ``ready``; fail at once on an error output, else after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.probe(name)
            assert not found["problems"], f"{name}: the cell printed an error or warning:\n{found['problems']}"
            assert re.search(r"\d|\*", found["prompt"]), f"{name}: the cell did not run: {self.failed()}"
            if ready(found):
                return found
            if time.monotonic() > deadline:
                self.screenshot(f"timeout-{name}")
                raise AssertionError(
                    f"{name}: {what} not seen in {timeout:.0f} s; last state:\n{found}\n{self.report()}"
                )
            self.page.wait_for_timeout(250)

    def failed(self) -> str:
        """Say which cell stopped Run All, and what it printed."""
        for index, name in enumerate(["setup", *CELLS]):
            problems = self.page.evaluate(PROBE, [index])["problems"]
            if problems:
                return f"Run All stopped at cell {index} ({name}):\n{problems[0]}"
        return "no cell printed an error"

    def bundles(self, name: str) -> list[dict[str, Any]]:
        """The data of each output of chart ``name``'s cell, as the notebook model holds it."""
        found: list[dict[str, Any]] = self.page.evaluate(BUNDLES, [INDEX[name]])
        return found

    def output(self, name: str) -> Any:
        """The locator of chart ``name``'s output area."""
        return self.page.locator(".jp-Notebook .jp-Cell").nth(INDEX[name]).locator(".jp-Cell-outputWrapper")

    def screenshot(self, name: str, *, output: str | None = None) -> Path:
        """Save a PNG of the page, or of one chart's output area, into the artifacts folder."""
        path = self.artifacts / f"lab-{name}.png"
        if output is None:
            self.page.screenshot(path=path)
        else:
            self.output(output).screenshot(path=path)
        return path

    def report(self) -> str:
        """Console, page errors and blocked requests, for failure messages."""
        return self.watch.report()


def _drawn(found: dict[str, Any]) -> bool:
    return bool(found["svgs"] or found["canvases"])


def drawn(notebook: Notebook, name: str) -> dict[str, Any]:
    """Wait until chart ``name``'s cell shows a vega view (its cell printed no error), and return its output."""
    return notebook.until(name, _drawn, REDRAW_TIMEOUT, "a drawn vega view")


@pytest.fixture(scope="module")
def notebook(lab: Lab, browser: Browser, artifacts: Path) -> Iterator[Notebook]:
    """Open the notebook in Lab with no network, "Run All", and wait until every cell ran (or one failed)."""
    write_notebook(lab.root / NOTEBOOK)
    watch = Watch()
    page = offline_page(browser, watch)
    try:
        page.goto(lab.tree(NOTEBOOK))
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget?.sessionContext")
        kernel = page.evaluate(
            """async () => {
              const panel = window.jupyterapp.shell.currentWidget;
              await panel.context.ready;
              await panel.sessionContext.ready;
              return panel.sessionContext.session?.kernel?.name ?? null;
            }"""
        )
        assert kernel == "python3", f"the notebook got kernel {kernel!r}\n{watch.report()}\n{lab.server_log()}"
        page.evaluate("() => { window.jupyterapp.commands.execute('runmenu:run-all'); }")  # no promise returned
        opened = Notebook(page=page, watch=watch, artifacts=artifacts)
        try:  # Run All is over when no cell waits ([*]); it stops at a failing cell, and each test reports its own
            page.wait_for_function(RAN, arg=len(CELLS) + 1, timeout=RUN_TIMEOUT * 1000)
        finally:
            opened.screenshot("notebook")
        yield opened
    finally:
        page.context.close()


# --------------------------------------------------------------------------- #
# Tests                                                                       #
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", SVG_CHARTS)
def test_chart_draws_as_vega_svg_with_its_title_and_labels(
    name: str, notebook: Notebook, expected: dict[str, list[str]]
) -> None:
    found = drawn(notebook, name)
    notebook.screenshot(name, output=name)
    assert found["kinds"] == [VEGALITE], found["kinds"]
    assert found["views"] == 1
    assert len(found["svgs"]) == 1 and not found["canvases"]
    svg = found["svgs"][0]
    width, height = svg["size"]
    assert width > 500 and height > 250, f"{name}: the svg is {width}x{height} px"
    assert svg["marks"] > 10, f"{name}: only {svg['marks']} data marks drawn"
    missing = [text for text in [*expected[name], *LABELS[name]] if text not in svg["text"]]
    assert not missing, f"{name}: the svg lacks {missing}; its text:\n{svg['text']}"
    [bundle] = notebook.bundles(name)
    assert set(bundle) == {VEGALITE_MIMETYPE, "image/svg+xml", "text/plain", "image/png"}, sorted(bundle)


def _svg_text(svg: str) -> str:
    return "\n".join(ET.fromstring(svg).itertext())


def test_default_embed_options_draw_a_canvas_and_keep_an_svg_fallback(
    notebook: Notebook, expected: dict[str, list[str]]
) -> None:
    name = "monthly_by_persona_canvas"
    found = drawn(notebook, name)
    notebook.screenshot(name, output=name)
    assert found["kinds"] == [VEGALITE], found["kinds"]
    assert found["views"] == 1 and not found["svgs"] and len(found["canvases"]) == 1
    canvas = found["canvases"][0]
    width, height = canvas["size"]
    assert width > 500 and height > 250, f"the canvas is {width}x{height} px"
    assert canvas["ink"] > 0.01, f"the canvas is blank ({canvas['ink']:.2%} inked)"
    [bundle] = notebook.bundles(name)
    assert set(bundle) == {VEGALITE_MIMETYPE, "image/svg+xml", "text/plain", "image/png"}, sorted(bundle)
    fallback = _svg_text(bundle["image/svg+xml"])
    missing = [text for text in [*expected[name], *PERSONAS] if text not in fallback]
    assert not missing, f"the SVG fallback lacks {missing}; its text:\n{fallback}"


def test_explorer_controls_redraw_its_chart(notebook: Notebook, expected: dict[str, list[str]]) -> None:
    page, name = notebook.page, "explorer"
    found = drawn(notebook, name)
    assert found["kinds"] == ["widget"], found["kinds"]
    assert len(found["svgs"]) == 1, found
    missing = [text for text in [*expected[name], *LABELS[name]] if text not in found["svgs"][0]["text"]]
    assert not missing, f"the explorer's chart lacks {missing}"
    notebook.screenshot("explorer-window-30", output=name)
    output = notebook.output(name)
    output.locator("svg.marks").evaluate("svg => { svg.dataset.seen = '1'; }")

    # the MAU window: type 14 into the slider's readout, as a user does
    readout = output.locator(".widget-slider .widget-readout")
    assert readout.inner_text() == "30"
    readout.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.insert_text("14")
    page.keyboard.press("Enter")
    new_title = expected["explorer_14"]

    def redrawn(found: dict[str, Any]) -> bool:  # the status line is written after the chart
        drawn = any(svg["fresh"] and new_title[0] in svg["text"] for svg in found["svgs"])
        return drawn and "active_users computed in" in found["text"]

    found = notebook.until(name, redrawn, REDRAW_TIMEOUT, f"the redraw for window 14 ({new_title[0]!r})")
    assert len(found["svgs"]) == 1 and found["svgs"][0]["fresh"], "the old vega view was not replaced"
    text = found["svgs"][0]["text"]
    assert "MAU (14 days)" in text and "MAU (30 days)" not in text, text
    assert all(line in text for line in new_title), f"lacks {new_title}:\n{text}"
    assert readout.inner_text() == "14"
    assert "active_users computed in" in found["text"], found["text"]
    notebook.screenshot("explorer-window-14", output=name)

    # the persona dropdown: the chart of one segment
    output.locator("svg.marks").evaluate("svg => { svg.dataset.seen = '1'; }")
    output.locator(".widget-dropdown select").select_option(label="agent")
    agent_title = expected["explorer_14_agent"]

    def agent(found: dict[str, Any]) -> bool:
        return any(svg["fresh"] and agent_title[0] in svg["text"] for svg in found["svgs"])

    found = notebook.until(name, agent, REDRAW_TIMEOUT, f"the redraw for agent ({agent_title[0]!r})")
    assert all(line in found["svgs"][0]["text"] for line in agent_title), f"lacks {agent_title}"
    notebook.screenshot("explorer-agent", output=name)

    # and back to every user
    output.locator("svg.marks").evaluate("svg => { svg.dataset.seen = '1'; }")
    output.locator(".widget-dropdown select").select_option(label="All")

    def all_again(found: dict[str, Any]) -> bool:  # from the explorer's cache this time
        return any(svg["fresh"] and new_title[0] in svg["text"] for svg in found["svgs"])

    notebook.until(name, all_again, REDRAW_TIMEOUT, f"the redraw for all users ({new_title[0]!r})")


def test_explorer_segment_dropdown_shows_all(notebook: Notebook) -> None:
    """With every user charted (at start, and after choosing "All" again), the persona dropdown says "All"."""
    drawn(notebook, "explorer")
    shown = notebook.output("explorer").locator(".widget-dropdown select").evaluate(SHOWN)
    assert shown == "All", (
        f"the persona dropdown shows {shown!r}, not 'All', while the chart shows every user "
        "(ipywidgets takes a None value for no selection: an option whose value is None never shows as chosen)"
    )


def test_nothing_needed_the_network_and_nothing_failed(notebook: Notebook) -> None:
    watch = notebook.watch
    assert not watch.blocked, f"requests left 127.0.0.1 (aborted):\n{watch.blocked}"
    assert not watch.errors, f"uncaught page errors:\n{watch.errors}"
    vega = [message for message in watch.console if "vega" in message.lower() or "embed" in message.lower()]
    assert not vega, f"vega errors in the console:\n{vega}"
    assert "Error loading script" not in notebook.page.locator(".jp-Notebook").inner_text()
