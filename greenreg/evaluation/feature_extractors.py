"""Feature spaces for FD, KID and precision/recall: the repo's classifiers, Inception, DINOv2.

Each extractor maps images (N, C, H, W) in [-1, 1] to features (N, D) as a float64 numpy
array. Inception and DINOv2 weights are read from local files only: nothing is downloaded.
"""

from __future__ import annotations

import os
import pickle
from abc import ABCMeta, abstractmethod

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

# ImageNet statistics, which DINOv2 expects its [0, 1] RGB inputs normalised by
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class FeatureExtractor(metaclass=ABCMeta):
    """Features of images, in batches, without gradients.

    Subclasses set ``name``, ``feature_dim`` and ``network`` and implement :meth:`extract`.
    """

    name: str
    feature_dim: int
    network: nn.Module

    @abstractmethod
    def extract(self, images: Tensor) -> Tensor:
        """Features (B, D) of images (B, C, H, W) in [-1, 1], on the network's device."""

    @torch.no_grad()
    def __call__(self, images: Tensor, batch_size: int = 100) -> np.ndarray:
        """Features of images (N, C, H, W) in [-1, 1]: shape (N, D), float64 numpy."""
        device = next(self.network.parameters()).device
        chunks = [self.extract(x.to(device).float()).cpu() for x in images.split(batch_size)]
        return torch.cat(chunks).double().numpy()


def _to_rgb(images: Tensor, size: int) -> Tensor:
    """Images (B, 1 or 3, H, W) as (B, 3, size, size), bilinearly resized."""
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)
    if images.shape[1] != 3:
        raise ValueError(
            f"feature extractor: images must be grey or RGB; expected (B, 1 or 3, H, W), got "
            f"{tuple(images.shape)}."
        )
    return F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)


def _load_state_dict(path: str, owner: str) -> dict:
    """A state dict (or a checkpoint's ``state_dict``) from ``path``, weights-only.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file is not a readable state dict.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"{owner}: no such file; expected a local weights file, got {path!r}."
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError) as err:
        raise ValueError(
            f"{owner}: cannot be read as a state dict; expected a torch.save'd dict of "
            f"tensors, got {path!r} ({type(err).__name__})."
        ) from None
    state = state.get("state_dict", state) if isinstance(state, dict) else state
    if not isinstance(state, dict):
        raise ValueError(f"{owner}: expected a state dict in {path!r}, got {type(state).__name__}.")
    return state


class ClassifierFeatureExtractor(FeatureExtractor):
    """The penultimate features (B, 128) of the repo's DigitClassifier (digits or styles).

    Args:
        classifier (nn.Module): a DigitClassifier in eval mode (``features`` method).
        name (str): recorded in results, e.g. ``"repo:style_classifier"``.
    """

    def __init__(self, classifier: nn.Module, name: str) -> None:
        self.network, self.name = classifier, name
        self.feature_dim = classifier.feature_dim

    def extract(self, images: Tensor) -> Tensor:
        """DigitClassifier.features of the images (resized to 32 if needed)."""
        return self.network.features(images)


class InceptionFeatureExtractor(FeatureExtractor):
    """torchvision's inception_v3 pool features (B, 2048), as FID uses them.

    Grey images are repeated to RGB and resized to 299 x 299. They are fed in [-1, 1]
    directly with ``transform_input=False``: the scale the ported Google weights expect
    (torchvision's ``transform_input=True`` maps ImageNet-normalised inputs to it).

    Args:
        weights (str): local state dict of ``torchvision.models.inception_v3`` (e.g.
            ``inception_v3_google-0cc3c7bd.pth``); never downloaded.
        device (str | torch.device): where the network runs.

    Raises:
        FileNotFoundError: no file at ``weights``.
        ValueError: the file is not an inception_v3 state dict.
    """

    name = "inception"
    feature_dim = 2048

    def __init__(self, weights: str, device: str | torch.device = "cpu") -> None:
        from torchvision.models import inception_v3

        owner = "InceptionFeatureExtractor.weights (--feature-weights)"
        state = _load_state_dict(weights, owner)
        aux = any(k.startswith("AuxLogits.") for k in state)
        network = inception_v3(
            weights=None, aux_logits=aux, init_weights=False, transform_input=False
        )
        try:
            network.load_state_dict(state)
        except RuntimeError as err:
            raise ValueError(
                f"{owner}: not an inception_v3 state dict; expected torchvision's keys, got "
                f"{weights!r} ({str(err).splitlines()[0][:120]})."
            ) from None
        network.fc = nn.Identity()  # (B, 2048) pool features instead of logits
        self.network = network.to(device).eval()

    def extract(self, images: Tensor) -> Tensor:
        """Pool features (B, 2048)."""
        return self.network(_to_rgb(images, 299))


class DINOv2FeatureExtractor(FeatureExtractor):
    """DINOv2 class-token features (B, D): 384 for ViT-S/14, 768 for ViT-B/14.

    Images are repeated to RGB, resized to 224 x 224 and ImageNet-normalised.

    Args:
        weights (str): either a local clone of facebookresearch/dinov2 (a folder with
            ``hubconf.py``; the network is built by ``torch.hub.load(..., source='local',
            pretrained=False)`` and its weights read from ``dinov2_<arch>_pretrain.pth``
            in that folder), or a state dict file, whose network then comes from the
            installed ``dinov2`` package.
        arch (str): ``vits14``, ``vitb14``, ``vitl14`` or ``vitg14``.
        device (str | torch.device): where the network runs.

    Raises:
        FileNotFoundError: no such folder or file, or the folder lacks hubconf.py or weights.
        ValueError: a state dict without the dinov2 package, or weights that do not fit.
    """

    name = "dinov2"

    def __init__(
        self, weights: str, arch: str = "vits14", device: str | torch.device = "cpu"
    ) -> None:
        owner = "DINOv2FeatureExtractor.weights (--feature-weights)"
        network = self._network(weights, arch, owner)
        state_path = os.path.join(weights, f"dinov2_{arch}_pretrain.pth")
        state = _load_state_dict(state_path if os.path.isdir(weights) else weights, owner)
        try:
            network.load_state_dict(state)
        except RuntimeError as err:
            raise ValueError(
                f"{owner}: the weights do not fit dinov2_{arch}; expected its state dict, got "
                f"{weights!r} ({str(err).splitlines()[0][:120]})."
            ) from None
        self.network = network.to(device).eval()
        self.feature_dim = int(getattr(network, "embed_dim", 0)) or None

    @staticmethod
    def _network(weights: str, arch: str, owner: str) -> nn.Module:
        """The untrained dinov2_<arch> from the local repo or the installed package."""
        if os.path.isdir(weights):
            if not os.path.isfile(os.path.join(weights, "hubconf.py")):
                raise FileNotFoundError(
                    f"{owner}: {weights!r} has no hubconf.py; expected a local clone of "
                    f"facebookresearch/dinov2."
                )
            return torch.hub.load(weights, f"dinov2_{arch}", source="local", pretrained=False)
        if not os.path.isfile(weights):
            raise FileNotFoundError(
                f"{owner}: no such file or folder; expected a dinov2 clone or state dict, "
                f"got {weights!r}."
            )
        try:
            from dinov2.hub import backbones
        except ImportError:
            raise ValueError(
                f"{owner}: a state dict needs the dinov2 code, which is not installed; "
                f"expected a local clone of facebookresearch/dinov2 (a folder with hubconf.py "
                f"and dinov2_{arch}_pretrain.pth), got the file {weights!r}."
            ) from None
        return getattr(backbones, f"dinov2_{arch}")(pretrained=False)

    def extract(self, images: Tensor) -> Tensor:
        """Class-token features (B, D)."""
        x = (_to_rgb(images, 224) + 1) / 2  # [0, 1] RGB
        mean = x.new_tensor(IMAGENET_MEAN)[:, None, None]
        std = x.new_tensor(IMAGENET_STD)[:, None, None]
        return self.network((x - mean) / std)
