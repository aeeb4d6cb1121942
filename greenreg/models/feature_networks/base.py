"""The frozen-feature-network interface: images in, feature vectors out, gradients through."""

from __future__ import annotations

from abc import abstractmethod

from torch import Tensor, nn


class FrozenFeatureNetwork(nn.Module):
    """A pretrained network whose weights never train, whose input gradients flow.

    Subclasses set ``feature_dim`` and ``network`` and implement :meth:`forward`. The
    network stays in eval mode whatever the model's mode (its dropout and norms must not
    change during training) and its parameters do not require gradients, so the optimizer
    never moves them; gradients still flow to the input images, which is what a feature
    loss on generated images needs.
    """

    feature_dim: int
    network: nn.Module

    def freeze(self) -> None:
        """Eval mode and no parameter gradients; called by subclasses once built."""
        self.network.eval().requires_grad_(False)

    def train(self, mode: bool = True) -> FrozenFeatureNetwork:
        """Keeps the network in eval mode (mmengine calls ``model.train()`` every epoch)."""
        super().train(mode)
        self.network.eval()
        return self

    @abstractmethod
    def forward(self, images: Tensor) -> Tensor:
        """Features (B, feature_dim) of images (B, C, H, W) in [-1, 1]; differentiable."""
