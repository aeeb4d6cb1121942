"""ImageArrayDataset: user arrays load scaled, and every malformed file is named clearly."""

import numpy as np
import pytest
import torch

from greenreg.registry import DATASETS


def build(path, **kwargs):
    return DATASETS.build(dict(type="ImageArrayDataset", path=str(path), **kwargs))


def test_images_and_labels_load_scaled_to_minus_one_one(tmp_path):
    path = tmp_path / "d.npz"
    images = np.stack([np.zeros((6, 6)), np.full((6, 6), 255.0)]).astype(np.uint8)
    np.savez(path, images=images, labels=np.array([3, 7]))
    data = build(path, image_size=8)
    assert len(data) == 2 and data[0]["inputs"].shape == (1, 8, 8)
    assert float(data[0]["inputs"].max()) == -1.0 and float(data[1]["inputs"][0, 4, 4]) == 1.0
    assert data[1]["label"] == torch.tensor(7)


NO_LABELS = dict(labels_key=None)


@pytest.mark.parametrize(
    "arrays, kwargs, error, match",
    [
        (dict(images=np.zeros((4, 5, 6))), NO_LABELS, ValueError, r"H = W .*got \(4, 1, 5, 6\)"),
        (dict(images=np.zeros((4, 6))), NO_LABELS, ValueError, r"shape \(N, H, W\)"),
        (dict(images=np.full((2, 4, 4), 300.0)), NO_LABELS, ValueError, "value_range"),
        (
            dict(images=np.zeros((2, 4, 4)), labels=np.zeros(3, int)),
            {},
            ValueError,
            r"shape \(2,\)",
        ),
        (dict(images=np.zeros((2, 4, 4)), labels=np.zeros(2)), {}, ValueError, "integers"),
        (dict(pixels=np.zeros((2, 4, 4))), {}, KeyError, "no array 'images'.*'pixels'"),
        (dict(images=np.zeros((2, 4, 4))), {}, KeyError, "labels_key"),
    ],
)
def test_malformed_arrays_are_refused_with_what_was_expected(
    tmp_path, arrays, kwargs, error, match
):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(error, match=match):
        build(path, **kwargs)


def test_missing_truncated_and_pickled_files_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file"):
        build(tmp_path / "absent.npz")
    good = tmp_path / "good.npz"
    np.savez(good, images=np.zeros((64, 8, 8)))
    truncated = tmp_path / "truncated.npz"  # a cut-off download
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(ValueError, match="not a readable"):
        build(truncated, labels_key=None)
    pickled = tmp_path / "objects.npy"
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="not a readable"):
        build(pickled, labels_key=None)
