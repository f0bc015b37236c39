"""The error of the repeat-use models that the kit's shared errors do not cover.

Bad values in a summary or a revenue table raise the shared
:class:`~stickiness.InvalidValueError`; options out of range raise
:class:`~stickiness.InvalidOptionError`.
"""

from __future__ import annotations

from stickiness._errors import StickinessError

__all__ = ["ModelFitError"]


class ModelFitError(StickinessError, ValueError):
    """A model cannot be fitted: too few repeat users, or the optimiser does not settle."""
