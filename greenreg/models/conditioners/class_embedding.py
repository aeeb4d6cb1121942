"""Class labels -> an embedding added to the backbone's time embedding."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from greenreg.registry import MODELS
from greenreg.utils import check_int

UNCONDITIONAL_KINDS = ("null", "average")


@MODELS.register_module()
class ClassEmbeddingConditioner(nn.Module):
    """A learned embedding per class, plus the unconditional branch for guidance.

    Ho & Salimans 2022 (classifier-free guidance): during training each label is replaced
    by the unconditional embedding with probability ``drop_prob``: a learned null embedding
    (``"null"``) or the mean of the class embeddings (``"average"``, seed 002: no token is
    spent on "no condition"). Sampling's unconditional branch is the same embedding.

    Args:
        num_classes (int): number of classes K; labels lie in [0, K).
        embed_dim (int): embedding width D (the backbone's width).
        drop_prob (float): probability in [0, 1) of training a sample unconditionally.
        unconditional (str): ``"null"`` or ``"average"``.
        key (str): the batch key holding the labels.
        init_std (float): std of the embeddings' normal initialisation, > 0: 0.02 as DiT's
            adaLN tables; ADM's U-Net uses torch's default of 1, so the label is as loud as
            the time embedding from the first step.

    Example:
        ``dict(type='ClassEmbeddingConditioner', num_classes=10, embed_dim=128)``
    """

    def __init__(
        self,
        num_classes: int = 10,
        embed_dim: int = 128,
        drop_prob: float = 0.1,
        unconditional: str = "null",
        key: str = "label",
        init_std: float = 0.02,
    ) -> None:
        super().__init__()
        where = "ClassEmbeddingConditioner.{0} (model.conditioning.{0})"
        check_int(where.format("num_classes"), num_classes, 1)
        check_int(where.format("embed_dim"), embed_dim, 1)
        if not 0 <= drop_prob < 1:
            raise ValueError(
                f"ClassEmbeddingConditioner.drop_prob (model.conditioning.drop_prob): expected "
                f"a float in [0, 1), got {drop_prob}."
            )
        if unconditional not in UNCONDITIONAL_KINDS:
            raise ValueError(
                f"ClassEmbeddingConditioner.unconditional (model.conditioning.unconditional): "
                f"expected one of {UNCONDITIONAL_KINDS}, got {unconditional!r}."
            )
        if not init_std > 0:
            raise ValueError(
                f"ClassEmbeddingConditioner.init_std (model.conditioning.init_std): expected a "
                f"float > 0, got {init_std}."
            )
        self.num_classes, self.drop_prob, self.unconditional = num_classes, drop_prob, unconditional
        self.key = key
        self.embedding = nn.Embedding(num_classes + 1, embed_dim)  # row K: the null class
        nn.init.normal_(self.embedding.weight, std=init_std)

    def forward(self, label: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """Embeddings of labels (B,) -> (B, D); in training mode some become the null class."""
        if label.dtype not in (torch.int32, torch.int64) or bool(
            ((label < 0) | (label >= self.num_classes)).any()
        ):
            raise ValueError(
                f"ClassEmbeddingConditioner: labels must be integers in [0, "
                f"{self.num_classes}); got {label.tolist()[:8]} ({label.dtype})."
            )
        if not (self.training and self.drop_prob > 0):
            return self.embedding(label)
        drop = torch.rand(label.shape, device=label.device, generator=generator) < self.drop_prob
        if self.unconditional == "null":
            return self.embedding(torch.where(drop, self.num_classes, label))
        # "average": the dropped samples train the very embedding guidance will use
        average = self.embedding.weight[:-1].mean(0)  # (D,)
        return torch.where(drop[:, None], average, self.embedding(label))

    def unconditional_embedding(self, batch_size: int) -> Tensor:
        """The unconditional branch, shape (B, D)."""
        weight = self.embedding.weight
        row = weight[self.num_classes] if self.unconditional == "null" else weight[:-1].mean(0)
        return row.expand(batch_size, -1)
