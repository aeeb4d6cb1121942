"""Flow-matching regression loss."""

from __future__ import annotations

from torch import Tensor, nn

from greenreg.registry import MODELS


@MODELS.register_module()
class FlowMSELoss(nn.Module):
    """Mean squared error between predicted and target velocity (Lipman et al. 2023, Eq. 9).

    Example:
        ``dict(type='FlowMSELoss')``
    """

    def forward(self, v_pred: Tensor, v_target: Tensor) -> Tensor:
        """v_pred, v_target of shape (B, ...) -> per-sample loss (B,), not reduced."""
        return (v_pred.float() - v_target.float()).pow(2).flatten(1).mean(1)
