// The stickiness JupyterLab extension: the Launcher's "Stickiness" section, and a report from the open notebook.
//
// Launcher: the tiles come from the server extension (stickiness_notebooks.lab), so a template added to
// stickiness_notebooks.TEMPLATES gets its tile with no change here. A click asks the server to write
// the template as a new notebook in the Launcher's folder (quickstart.ipynb, quickstart1.ipynb, ...)
// and opens it in place of the Launcher.
//
// Report: "Make a stickiness report from this notebook" (command palette, and a button in the toolbar of a
// notebook made from a template) saves the notebook, then asks the server to run its template headless with
// the values of its parameters cell into its `out` folder (the `write_report` that `stickiness report` uses).
// A dialog says where report.html and report.pdf went and opens report.html in a new tab; a failure is a
// dialog with the server's sentence (which cell failed, why no PDF), never a traceback.
import { Dialog, ICommandPalette, Notification, showDialog } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { CommandToolbarButton, notebookIcon, pdfIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

const COMMAND = 'stickiness:new-notebook';
const REPORT = 'stickiness:make-report';
const CATEGORY = 'Stickiness'; // shown after Lab's Notebook (rank 1) and Console (2) sections

/** Call the server extension's API under /stickiness/ and return its JSON answer. */
async function request(settings, parts, init = {}) {
  const url = URLExt.join(settings.baseUrl, 'stickiness', ...parts);
  const response = await ServerConnection.makeRequest(url, init, settings);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(answer.message || `${response.status} ${response.statusText}`);
  }
  return answer;
}

const launcherPlugin = {
  id: 'stickiness-launcher:plugin',
  description: 'A Stickiness section in the Launcher: one tile per stickiness notebook template.',
  autoStart: true,
  optional: [ILauncher],
  activate: (app, launcher) => {
    if (!launcher) {
      return;
    }
    const settings = app.serviceManager.serverSettings;
    app.commands.addCommand(COMMAND, {
      label: args => args.title || 'Stickiness notebook',
      caption: args => args.summary || '',
      icon: notebookIcon,
      execute: async args => {
        const { path } = await request(settings, ['templates', encodeURIComponent(args.name)], {
          method: 'POST',
          body: JSON.stringify({ folder: args.cwd || '' })
        });
        return app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
      }
    });
    // Not awaited: Lab starts while the list loads; the tiles appear when it arrives.
    request(settings, ['templates', ''])
      .then(({ templates }) => {
        templates.forEach((template, rank) => {
          launcher.add({ command: COMMAND, category: CATEGORY, categoryRank: 3, rank, args: { ...template } });
        });
      })
      .catch(error => console.error('stickiness: could not list the notebook templates:', error));
  }
};

/** The template a notebook panel was made from (its `stickiness.template` metadata), or null. */
function templateOf(panel) {
  const metadata = panel?.context?.model?.getMetadata?.('stickiness');
  return (metadata && metadata.template) || null;
}

/** A dialog body: one line per entry of `lines`. */
function linesBody(lines) {
  const node = document.createElement('div');
  node.className = 'stickiness-report-dialog';
  for (const line of lines) {
    const paragraph = document.createElement('p');
    paragraph.textContent = line;
    node.appendChild(paragraph);
  }
  return new Widget({ node });
}

/** Save the notebook, make its report on the server, and say where it went (or why not). */
async function makeReport(app, settings, panel) {
  const path = panel.context.path;
  try {
    await panel.context.save(); // the report is made from the notebook as saved
  } catch (error) {
    await showDialog({
      title: 'No stickiness report: the notebook could not be saved',
      body: linesBody([String(error.message || error)]),
      buttons: [Dialog.okButton({ label: 'Close' })]
    });
    return null;
  }
  const note = Notification.emit(`Making the stickiness report of ${path}…`, 'in-progress', { autoClose: false });
  let answer;
  try {
    answer = await request(settings, ['reports'], { method: 'POST', body: JSON.stringify({ path }) });
  } catch (error) {
    Notification.update({ id: note, message: `No stickiness report of ${path}`, type: 'error', autoClose: 5000 });
    await showDialog({
      title: 'No stickiness report',
      body: linesBody([String(error.message || error)]),
      buttons: [Dialog.okButton({ label: 'Close' })]
    });
    return null;
  }
  Notification.update({ id: note, message: `Stickiness report of ${path} written`, type: 'success', autoClose: 5000 });
  const where = answer.folder ?? answer.os_folder;
  const lines = [`Written to ${where}/ from ${path} (template ${answer.template}, its parameters as saved):`];
  lines.push(`report.html: ${answer.html ?? `${answer.os_folder}/report.html`}`);
  lines.push(answer.pdf ? `report.pdf: ${answer.pdf}` : `No report.pdf: ${answer.pdf_error || 'not printed'}`);
  const buttons = [Dialog.cancelButton({ label: 'Close' })];
  if (answer.html) {
    buttons.push(Dialog.okButton({ label: 'Open report.html' }));
  }
  const result = await showDialog({ title: 'Stickiness report written', body: linesBody(lines), buttons });
  if (result.button.accept && answer.html) {
    // A click on the dialog's button: the browser lets it open a tab.
    window.open(URLExt.join(settings.baseUrl, 'files', URLExt.encodeParts(answer.html)), '_blank');
  }
  return answer;
}

const reportPlugin = {
  id: 'stickiness-launcher:report',
  description: 'Make a stickiness report from the open template notebook (command palette and notebook toolbar).',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: (app, tracker, palette) => {
    const settings = app.serviceManager.serverSettings;
    app.commands.addCommand(REPORT, {
      label: 'Make a stickiness report from this notebook',
      caption:
        "Save this notebook, run its template headless with its parameters cell's values, " +
        "and write report.html and report.pdf to its 'out' folder",
      icon: pdfIcon,
      isEnabled: () => templateOf(tracker.currentWidget) !== null,
      execute: () => {
        const panel = tracker.currentWidget;
        return panel ? makeReport(app, settings, panel) : null;
      }
    });
    if (palette) {
      palette.addItem({ command: REPORT, category: CATEGORY });
    }
    // The toolbar button, on notebooks made from a template only (their metadata is read once loaded).
    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: panel => {
        panel.context.ready.then(() => {
          if (templateOf(panel) === null || panel.isDisposed) {
            return;
          }
          const button = new CommandToolbarButton({ commands: app.commands, id: REPORT, label: 'Report' });
          button.addClass('stickiness-report-button');
          if (!panel.toolbar.insertAfter('cellType', 'stickiness-report', button)) {
            panel.toolbar.addItem('stickiness-report', button);
          }
        });
      }
    });
    tracker.currentChanged.connect(() => app.commands.notifyCommandChanged(REPORT));
  }
};

export default [launcherPlugin, reportPlugin];
