"""Repeat-use models: who is still a customer, how often they will use the product, and what they are worth.

Fits BG/NBD and Pareto/NBD (and the Gamma-Gamma spend model) by maximum
likelihood with the kit's own numpy/scipy implementation, and predicts who will
be in the forgettable zone. scipy is optional (``pip install 'stickiness[models]'``)
and imported only when a model is fitted or used. The contract is docs/predictions.md.
"""

from __future__ import annotations

from stickiness.exceptions import ModelFitError
from stickiness.models._fit import RepeatUseModel
from stickiness.models.bg_nbd import BGNBDModel, fit_bg_nbd
from stickiness.models.forgettable import ForgettablePrediction, predict_forgettable
from stickiness.models.gamma_gamma import GammaGammaModel, fit_gamma_gamma
from stickiness.models.pareto_nbd import ParetoNBDModel, fit_pareto_nbd
from stickiness.models.summary import rfm_summary

__all__ = [
    "BGNBDModel",
    "ForgettablePrediction",
    "GammaGammaModel",
    "ModelFitError",
    "ParetoNBDModel",
    "RepeatUseModel",
    "fit_bg_nbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "predict_forgettable",
    "rfm_summary",
]
