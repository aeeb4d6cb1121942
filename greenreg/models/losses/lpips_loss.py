"""LPIPS perceptual distance with its backbone weights read from a local file."""

from __future__ import annotations

import os

import torch
from torch import Tensor, nn

from greenreg.registry import MODELS

NETS = ("vgg", "alex")


def features_state_dict(path: str) -> dict[str, Tensor]:
    """Reads ``features.N.*`` tensors from a torchvision VGG16/AlexNet checkpoint at ``path``.

    Raises:
        FileNotFoundError: the file does not exist.
        KeyError: it holds no ``features.N.*`` tensors.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"LPIPSLoss.backbone_weights (model.loss_terms.lpips.loss.backbone_weights): "
            f"no file at "
            f"{path!r}; expected torchvision's ImageNet weights for the backbone "
            f"(e.g. vgg16-397923af.pth), copied to this machine."
        )
    state = torch.load(path, map_location="cpu", weights_only=True)
    state = state.get("state_dict", state)
    features = {
        k.removeprefix("features."): v for k, v in state.items() if k.startswith("features.")
    }
    if not features:
        raise KeyError(
            f"LPIPSLoss.backbone_weights: {path!r} holds no 'features.N.*' tensors; expected a "
            f"torchvision VGG16 or AlexNet state dict."
        )
    return features


@MODELS.register_module()
class LPIPSLoss(nn.Module):
    """Learned perceptual image patch similarity (Zhang et al. 2018), frozen.

    The ``lpips`` package ships its linear heads but fetches the backbone from the network,
    which greenreg never does: give ``backbone_weights``, a local torchvision state dict.
    ``allow_random_backbone=True`` keeps random backbone weights (for tests only: the
    distance is then not perceptual).

    Args:
        net (str): ``"vgg"`` or ``"alex"``.
        backbone_weights (str | None): path of the torchvision backbone weights.
        allow_random_backbone (bool): permit ``backbone_weights=None``.

    Example:
        ``dict(type='LPIPSLoss', net='vgg', backbone_weights='data/weights/vgg16-397923af.pth')``
    """

    def __init__(
        self,
        net: str = "vgg",
        backbone_weights: str | None = None,
        allow_random_backbone: bool = False,
    ) -> None:
        super().__init__()
        import lpips

        if net not in NETS:
            raise ValueError(
                f"LPIPSLoss.net (model.loss_terms.lpips.loss.net): expected one of "
                f"{NETS}, got {net!r}."
            )
        if backbone_weights is None and not allow_random_backbone:
            raise FileNotFoundError(
                "LPIPSLoss.backbone_weights "
                "(model.loss_terms.lpips.loss.backbone_weights): no path "
                "given; expected a local torchvision backbone state dict (no downloads)."
            )
        features = None if backbone_weights is None else features_state_dict(backbone_weights)
        network = lpips.LPIPS(net=net, pnet_rand=True, verbose=False)
        if features is not None:
            # lpips splits torchvision's `features` into slices that keep the global index
            slices = {
                name.split(".")[1]: name.split(".")[0] for name, _ in network.net.named_parameters()
            }
            mapped = {f"{slices[k.split('.')[0]]}.{k}": v for k, v in features.items()}
            network.net.load_state_dict(mapped)
        # kept outside the module tree: a frozen 15M-parameter metric must not enter the
        # model's state dict, checkpoints, the optimizer or the EMA
        self._network = (network.requires_grad_(False).eval(),)

    @property
    def lpips(self) -> nn.Module:
        """The frozen lpips.LPIPS network."""
        return self._network[0]

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        """Images x, y of shape (B, C, H, W) in [-1, 1], C in {1, 3} -> distance (B,)."""
        network = self.lpips.to(x.device)
        if x.shape[1] == 1:
            x, y = x.expand(-1, 3, -1, -1), y.expand(-1, 3, -1, -1)
        return network(x.float(), y.float()).flatten()
