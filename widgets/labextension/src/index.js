// The "Stickiness" section of the JupyterLab Launcher: one tile per notebook template.
//
// The tiles come from the server extension (stickiness_widgets.lab), so a template added to
// stickiness_notebooks.TEMPLATES gets its tile with no change here. A click asks the server to write
// the template as a new notebook in the Launcher's folder (quickstart.ipynb, quickstart1.ipynb, ...)
// and opens it in place of the Launcher.
import { URLExt } from '@jupyterlab/coreutils';
import { ILauncher } from '@jupyterlab/launcher';
import { ServerConnection } from '@jupyterlab/services';
import { notebookIcon } from '@jupyterlab/ui-components';

const COMMAND = 'stickiness:new-notebook';
const CATEGORY = 'Stickiness'; // shown after Lab's Notebook (rank 1) and Console (2) sections

/** Call the server extension's API under /stickiness/templates and return its JSON answer. */
async function request(settings, path, init = {}) {
  const url = URLExt.join(settings.baseUrl, 'stickiness', 'templates', path);
  const response = await ServerConnection.makeRequest(url, init, settings);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(answer.message || `${response.status} ${response.statusText}`);
  }
  return answer;
}

export default {
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
        const { path } = await request(settings, encodeURIComponent(args.name), {
          method: 'POST',
          body: JSON.stringify({ folder: args.cwd || '' })
        });
        return app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
      }
    });
    // Not awaited: Lab starts while the list loads; the tiles appear when it arrives.
    request(settings, '')
      .then(({ templates }) => {
        templates.forEach((template, rank) => {
          launcher.add({ command: COMMAND, category: CATEGORY, categoryRank: 3, rank, args: { ...template } });
        });
      })
      .catch(error => console.error('stickiness: could not list the notebook templates:', error));
  }
};
