"""tools/sample_potentials.py: LDOS maps are checked against the checkpoint's data set."""

import importlib.util
import os

import numpy as np
import pytest

from tests.conftest import REPO

MANIFEST = dict(energies=[-2.0, 0.5], grid_shape=[8, 8])


def read_maps():
    spec = importlib.util.spec_from_file_location(
        "sample_potentials", os.path.join(REPO, "tools", "sample_potentials.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.read_maps


def saved(tmp_path, **arrays):
    path = str(tmp_path / "maps.npz")
    np.savez(path, **arrays)
    return path


def test_one_map_or_a_stack_with_the_right_energies_is_read(tmp_path):
    ldos = np.random.default_rng(0).random((2, 8, 8))
    one = read_maps()(saved(tmp_path, ldos=ldos, energies=np.array([-2.0, 0.5])), MANIFEST)
    assert one.shape == (1, 2, 8, 8) and one.dtype == np.float32
    stack = read_maps()(saved(tmp_path, ldos=np.stack([ldos] * 3)), MANIFEST)
    assert stack.shape == (3, 2, 8, 8)


@pytest.mark.parametrize(
    "arrays, error, match",
    [
        (dict(ldos=np.ones((3, 8, 8))), ValueError, r"shape \(3, 8, 8\).*\(2, 8, 8\)"),
        (dict(ldos=np.ones((2, 16, 16))), ValueError, r"\(C, H, W\) = \(2, 8, 8\)"),
        (dict(ldos=-np.ones((2, 8, 8))), ValueError, "finite and >= 0"),
        (dict(ldos=np.ones((2, 8, 8)), energies=np.array([-3.0, 0.5])), ValueError, "energies"),
        (dict(maps=np.ones((2, 8, 8))), KeyError, "no array 'ldos'"),
    ],
)
def test_maps_that_do_not_fit_the_checkpoint_are_refused_with_the_reason(
    tmp_path, arrays, error, match
):
    with pytest.raises(error, match=match):
        read_maps()(saved(tmp_path, **arrays), MANIFEST)
    with pytest.raises(FileNotFoundError, match="--maps"):
        read_maps()(str(tmp_path / "absent.npz"), MANIFEST)
