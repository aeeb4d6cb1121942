"""KL divergence of a diagonal Gaussian to the standard normal."""

from __future__ import annotations

from torch import Tensor, nn

from greenreg.registry import MODELS


@MODELS.register_module()
class GaussianKLLoss(nn.Module):
    """KL(N(mu, exp(log_var)) || N(0, I)) = 0.5 sum(mu^2 + exp(log_var) - 1 - log_var).

    Kingma & Welling 2014, Appendix B. Averaged (not summed) over elements, so the weight
    does not depend on the image size; a weight beta here equals beta / (C*H*W) on the
    summed KL that VAE papers (and seed 001's "kl_raw") report.

    Example:
        ``dict(type='GaussianKLLoss')``
    """

    def forward(self, mu: Tensor, log_var: Tensor) -> Tensor:
        """mu, log_var of shape (B, ...) -> per-sample KL per element (B,), in nats."""
        mu, log_var = mu.float(), log_var.float()
        return 0.5 * (mu.pow(2) + log_var.exp() - 1.0 - log_var).flatten(1).mean(1)
