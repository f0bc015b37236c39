"""The metrics of a usage log: each public function composes stages (:mod:`stickiness.stages`) into one output table.

The functions are served from the top level (``stickiness.active_users``, ``stickiness.retention``, ...),
which is where to import them from; the modules here group them by family, one contract page each in docs/.
"""
