"""A direct regression network, condition maps -> data, as a baseline for a generator."""

from __future__ import annotations

import torch
from mmengine.model import BaseModel
from torch import Tensor

from greenreg.models.generators.slots import build_or_default, component_config
from greenreg.registry import MODELS


@MODELS.register_module()
class DirectRegressionModel(BaseModel):
    """x_hat = f(cond): one network trained to regress the data from its condition maps.

    The approach of Paul, Ma & Nuckolls (arXiv 2509.09604) for LDOS -> potential: a CNN
    regresses the potential from the LDOS maps. Under an ill-posed inverse problem it
    learns the posterior mean (under MSE), which a generator that samples the posterior is
    measured against. Any backbone serves as f; it is called at the fixed time t = 1 so
    the U-Net and DiT backbones need no change.

    Args:
        network (dict): (cond (B, C_c, H, W), t (B,)) -> data (B, C, H, W) (MODELS).
        key (str): the batch key of the condition maps.
        loss (dict | None): per-sample loss (MODELS); None = FlowMSELoss (plain MSE).
        data_preprocessor (dict | None): mmengine data preprocessor.

    Example:
        ``model=dict(type='DirectRegressionModel', network=dict(type='UNetBackbone',
        in_channels=4, out_channels=1, image_size=32), key='ldos')``
    """

    def __init__(
        self,
        network: dict,
        key: str = "ldos",
        loss: dict | None = None,
        data_preprocessor: dict | None = None,
    ) -> None:
        super().__init__(data_preprocessor=data_preprocessor)
        self.network = MODELS.build(component_config(network, "network"))
        self.loss_fn = build_or_default(MODELS, loss, "loss", "FlowMSELoss")
        self.key = key

    def predict_data(self, cond: Tensor) -> Tensor:
        """The regressed data (B, C, H, W) for condition maps (B, C_c, H, W)."""
        cond = cond.float()
        return self.network(cond, torch.ones(len(cond), device=cond.device)).float()

    def forward(self, inputs: Tensor | None = None, mode: str = "loss", **batch) -> dict | list:
        """``loss``: ``loss_regression`` (scalar); ``predict``: dicts with ``samples`` (C, H, W).

        Args:
            inputs (Tensor | None): data x, shape (B, C, H, W); for ``loss``.
            mode (str): ``"loss"`` or ``"predict"``.
            **batch: must hold ``key`` (the condition maps).
        """
        if self.key not in batch:
            raise KeyError(
                f"DirectRegressionModel.key (model.key): the batch has no {self.key!r}; "
                f"expected a dataset that yields it, got keys {sorted(batch)}."
            )
        pred = self.predict_data(batch[self.key])
        if mode == "loss":
            return dict(loss_regression=self.loss_fn(pred, inputs).mean())
        if mode == "predict":
            return [dict(samples=p) for p in pred]
        raise ValueError(
            f"DirectRegressionModel.forward: mode must be 'loss' or 'predict', got {mode!r}."
        )
