"""A CLIP-style symmetric contrastive loss in which samples of one group are all positives."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from greenreg.registry import MODELS


@MODELS.register_module()
class InfoNCELoss(nn.Module):
    """Symmetric InfoNCE between two views (Radford et al. 2021, CLIP, Fig. 3).

    Row i of ``a`` should match row i of ``b``. With ``groups``, every pair (i, j) with
    groups[i] == groups[j] is a positive too (Khosla et al. 2020, SupCon, Eq. 2): captions of
    one digit are several in a batch and must not push each other away.

    Args:
        temperature (float): softmax temperature tau > 0.

    Example:
        ``dict(type='InfoNCELoss', temperature=0.1)``
    """

    def __init__(self, temperature: float = 0.1) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(
                f"InfoNCELoss.temperature (model.loss_terms.contrastive.loss.temperature): must be "
                f"positive; expected a float > 0, got {temperature}."
            )
        self.temperature = temperature

    def forward(self, a: Tensor, b: Tensor, groups: Tensor | None = None) -> Tensor:
        """Per-sample loss (B,) for views a, b of shape (B, ...) (flattened, L2-normalised).

        Args:
            a (Tensor): first view, shape (B, ...).
            b (Tensor): second view, shape (B, ...).
            groups (Tensor | None): group id per sample, shape (B,); None means each
                sample is its own group.

        Returns:
            Tensor: mean of the a->b and b->a cross-entropies per sample, shape (B,).
        """
        a = F.normalize(a.float().flatten(1), dim=1)
        b = F.normalize(b.float().flatten(1), dim=1)
        logits = a @ b.T / self.temperature  # (B, B)
        if groups is None:
            positives = torch.eye(len(a), device=a.device, dtype=torch.bool)
        else:
            positives = groups[:, None] == groups[None, :]  # (B, B)
        target = positives.float() / positives.sum(1, keepdim=True)
        loss_ab = -(target * logits.log_softmax(1)).sum(1)
        loss_ba = -(target * logits.T.log_softmax(1)).sum(1)
        return 0.5 * (loss_ab + loss_ba)
