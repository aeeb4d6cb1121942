"""Feature extractors: the repo's classifier, Inception and DINOv2 from local files only."""

import importlib.util
import textwrap

import numpy as np
import pytest
import torch

from greenreg.evaluation import (
    DEFAULT_CLASSIFIER_PATH,
    ClassifierFeatureExtractor,
    DINOv2FeatureExtractor,
    InceptionFeatureExtractor,
    load_style_classifier,
)

# a stand-in for a clone of facebookresearch/dinov2: hubconf.py builds the named network
FAKE_HUBCONF = """
import torch
from torch import nn


class TinyViT(nn.Module):
    embed_dim = 8

    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(3, 8, 14, stride=14)

    def forward(self, x):
        assert x.shape[1:] == (3, 224, 224), x.shape
        return self.proj(x).mean(dim=(2, 3))


def dinov2_vits14(pretrained=True):
    assert not pretrained, "would download"
    return TinyViT()
"""


def images(n: int) -> torch.Tensor:
    return torch.rand(n, 1, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1


def test_the_repo_classifier_gives_its_128_d_features_as_float64():
    extractor = ClassifierFeatureExtractor(load_style_classifier(), "repo:style_classifier")
    feats = extractor(images(5), batch_size=2)
    assert feats.shape == (5, 128) and feats.dtype == np.float64
    assert extractor.feature_dim == 128


def test_inception_reads_a_local_state_dict_and_gives_pool_features(tmp_path):
    from torchvision.models import inception_v3

    torch.manual_seed(0)
    path = tmp_path / "inception.pth"
    torch.save(inception_v3(weights=None, aux_logits=False, init_weights=False).state_dict(), path)
    extractor = InceptionFeatureExtractor(str(path))
    assert extractor(images(2)).shape == (2, 2048)
    with pytest.raises(ValueError, match=r"not an inception_v3 state dict"):
        InceptionFeatureExtractor(DEFAULT_CLASSIFIER_PATH)
    with pytest.raises(FileNotFoundError, match=r"--feature-weights.*no such file"):
        InceptionFeatureExtractor(str(tmp_path / "absent.pth"))


def test_dinov2_builds_from_a_local_hub_folder_without_downloading(tmp_path):
    (tmp_path / "hubconf.py").write_text(textwrap.dedent(FAKE_HUBCONF))
    with pytest.raises(FileNotFoundError, match="dinov2_vits14_pretrain.pth"):
        DINOv2FeatureExtractor(str(tmp_path))  # the folder must hold the weights too
    network = torch.hub.load(str(tmp_path), "dinov2_vits14", source="local", pretrained=False)
    torch.save(network.state_dict(), tmp_path / "dinov2_vits14_pretrain.pth")
    extractor = DINOv2FeatureExtractor(str(tmp_path))
    assert extractor(images(3)).shape == (3, 8) and extractor.feature_dim == 8


def test_dinov2_says_what_to_provide(tmp_path):
    if importlib.util.find_spec("dinov2") is not None:
        pytest.skip("the dinov2 package is installed: a state dict file is then enough")
    with pytest.raises(FileNotFoundError, match="has no hubconf.py"):
        DINOv2FeatureExtractor(str(tmp_path))
    state = tmp_path / "dinov2_vits14.pth"
    torch.save({}, state)
    with pytest.raises(ValueError, match="needs the dinov2 code, which is not installed"):
        DINOv2FeatureExtractor(str(state))
