"""A small MLP velocity field for vector data (the 2-D optimal-transport benchmarks)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from greenreg.registry import MODELS
from greenreg.utils import check_int

ACTIVATIONS = {"gelu": nn.GELU, "silu": nn.SiLU, "selu": nn.SELU, "elu": nn.ELU}


@MODELS.register_module()
class MLPBackbone(nn.Module):
    """(x_t (B, D), t (B,), cond (B, E) | None) -> prediction (B, D) by a plain MLP.

    torchcfm's ``MLP(dim, w=64, time_varying=True)`` (Tong et al. 2024, the network of its
    2-D experiments): t is concatenated to x_t as one more input, then ``num_layers``
    hidden layers of width ``width`` and a linear output. A vector condition (e.g.
    ClassEmbeddingConditioner's embedding) is projected to the width and added to the
    first layer's pre-activation, which equals concatenating it to the input (C2OT's
    conditional net adds its projected condition the same way).

    Why raw t: the velocity fields of these tasks are smooth in t, and t in [0, 1] as one
    input is what the reference networks use; the image backbones' TimeEmbedding (sinusoids
    of 1000 t, then an MLP) adds width and high frequencies in t that such a field does not
    need. Why GELU rather than torchcfm's SELU: it trained best here (bench/ot_2d.py
    settings, exact OT, 2,000 iterations, seeds 0-2, W2 after Dopri5, mean +- std):
    8gaussians -> moons GELU 0.402 +- 0.005, SiLU 0.455 +- 0.012, SELU 0.528 +- 0.011,
    ELU 0.553 +- 0.025; gaussian -> moons GELU 0.273 +- 0.018, SiLU 0.353 +- 0.027, SELU
    0.424 +- 0.045 (C2OT's 2-D network also uses GELU).

    FlowGenerator infers (C, H, W) sample shapes from image backbones only: configs with
    this backbone pass ``sample_shape=(dim,)`` to the generator.

    Args:
        dim (int): data width D (2 for the toy distributions), >= 1.
        width (int): hidden width, >= 1.
        num_layers (int): hidden layers, >= 1.
        cond_dim (int | None): width E of a vector condition (B, E); None = unconditional.
        activation (str): one of ``ACTIVATIONS``: ``"gelu"``, ``"silu"``, ``"selu"``
            (torchcfm's), ``"elu"``.

    Raises:
        ValueError: a non-positive size or an unknown activation (at construction); a
            condition that the configuration does not expect, or of the wrong width (at
            forward).

    Example:
        ``backbone=dict(type='MLPBackbone', dim=2, width=64, num_layers=3)``
    """

    def __init__(
        self,
        dim: int = 2,
        width: int = 64,
        num_layers: int = 3,
        cond_dim: int | None = None,
        activation: str = "gelu",
    ) -> None:
        super().__init__()
        where = "MLPBackbone.{0} (model.backbone.{0})"
        for name in ("dim", "width", "num_layers"):
            check_int(where.format(name), locals()[name], 1)
        if cond_dim is not None:
            check_int(where.format("cond_dim"), cond_dim, 1)
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"{where.format('activation')}: unknown activation; expected one of "
                f"{tuple(ACTIVATIONS)}, got {activation!r}."
            )
        # in_channels / out_channels as the image backbones name them: the data width
        self.in_channels = self.out_channels = self.dim = dim
        self.cond_dim = cond_dim
        self.input = nn.Linear(dim + 1, width)  # x_t and t
        self.cond_proj = nn.Linear(cond_dim, width, bias=False) if cond_dim is not None else None
        act = ACTIVATIONS[activation]
        hidden: list[nn.Module] = []
        for _ in range(num_layers - 1):
            hidden += [act(), nn.Linear(width, width)]
        self.hidden = nn.Sequential(*hidden, act(), nn.Linear(width, dim))

    def forward(self, xt: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        """The prediction at x_t.

        Args:
            xt (Tensor): states, shape (B, D).
            t (Tensor): times, shape (B,), in [0, 1].
            cond (Tensor | None): condition, shape (B, E), when ``cond_dim`` is set.

        Returns:
            Tensor: shape (B, D).

        Raises:
            ValueError: a condition given without ``cond_dim``, or of another width.
        """
        h = self.input(torch.cat([xt, t.to(xt.dtype)[:, None]], dim=1))  # (B, width)
        if cond is not None:
            if self.cond_proj is None or cond.shape[-1] != self.cond_dim:
                raise ValueError(
                    f"MLPBackbone.cond_dim (model.backbone.cond_dim): a condition of shape "
                    f"{tuple(cond.shape)} reached the backbone; expected (B, E) with E = "
                    f"cond_dim, got cond_dim={self.cond_dim}."
                )
            h = h + self.cond_proj(cond.to(h.dtype))
        return self.hidden(h)  # (B, D)
