"""Real-browser tests: the notebook charts and explorers in JupyterLab, drawn by headless chromium with no network."""
