"""Pseudo-Huber regression loss (Song & Dhariwal 2023, consistency training)."""

from __future__ import annotations

from torch import Tensor, nn

from greenreg.registry import MODELS

# Song & Dhariwal 2023, Sec. 3.3: c = 0.00054 sqrt(d) on the whole d-dimensional sample.
PAPER_C_PER_SQRT_DIM = 0.00054


@MODELS.register_module()
class PseudoHuberLoss(nn.Module):
    """sqrt(delta^2 + c^2) - c: quadratic (delta^2 / 2c) for |delta| << c, linear beyond.

    Song & Dhariwal 2023, "Improved techniques for training consistency models", Sec. 3.3.
    With a float ``c``, the loss is taken per element and averaged over non-batch dims.
    With ``c=None``, it is the paper's loss on the whole sample, sqrt(||delta||^2 + c_d^2)
    - c_d with c_d = 0.00054 sqrt(d), d the per-sample element count, divided by sqrt(d)
    to match the scale of the per-element mean; this equals sqrt(mean(delta^2) + 0.00054^2)
    - 0.00054. The two agree when every element has the same |delta|. (Per element, the
    paper's c is 0.00054, not 0.00054 sqrt(d), which would be ~100x too large at 3x64x64.)

    Args:
        c (float | None): transition scale > 0, in the units of delta; None for the paper's
            whole-sample form with c = 0.00054 sqrt(d).

    Raises:
        ValueError: if ``c`` is not None and not > 0.

    Example:
        ``dict(type='PseudoHuberLoss', c=0.00054)``
    """

    def __init__(self, c: float | None = PAPER_C_PER_SQRT_DIM) -> None:
        super().__init__()
        if c is not None and not c > 0:
            raise ValueError(
                f"PseudoHuberLoss.c: must be positive; expected a float > 0 or None, got {c}."
            )
        self.c = c

    def forward(self, v_pred: Tensor, v_target: Tensor) -> Tensor:
        """v_pred, v_target of shape (B, ...) -> per-sample loss (B,), not reduced."""
        # fp32: delta^2 of small residuals underflows in half precision
        sq = (v_pred.float() - v_target.float()).pow(2).flatten(1)  # (B, d)
        if self.c is None:
            sq, c = sq.mean(1, keepdim=True), PAPER_C_PER_SQRT_DIM  # (B, 1)
        else:
            c = self.c
        # sqrt(sq + c^2) - c rewritten as sq / (sqrt(sq + c^2) + c): no cancellation when
        # |delta| << c, where the direct form loses all digits in float32
        return (sq / ((sq + c**2).sqrt() + c)).mean(1)
