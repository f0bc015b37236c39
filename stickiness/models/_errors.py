"""Errors of the repeat-use models (both inherit ValueError, like the kit's other data errors)."""

from __future__ import annotations

from stickiness._errors import StickinessError

__all__ = ["ModelFitError", "ModelInputError"]


class ModelFitError(StickinessError, ValueError):
    """A model cannot be fitted: too few repeat users, or the optimiser does not settle."""


class ModelInputError(StickinessError, ValueError):
    """A summary or revenue table holds values a model cannot take (nulls, negative spend, recency > T)."""
