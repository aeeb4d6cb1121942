"""2-D toy distributions of the optimal-transport flow-matching literature, seeded.

Faithful, in torch with an explicit generator, to the samplers that torchcfm
(``torchcfm/utils.py``: ``sample_8gaussians``, ``sample_moons``) and C2OT
(``c2ot/utils/playground_utils.py``) train and report on, so their W2 anchors describe the
same distributions. Two details of those samplers differ from what their names suggest
and are kept on purpose:

- 8gaussians: ``eight_normal_sample(n, 2, scale=5, var=0.1)`` passes ``sqrt(var) * I`` as
  the *covariance* of its MultivariateNormal, so each cluster's variance per axis is
  sqrt(0.1) ~ 0.316 (std ~ 0.562), not 0.1.
- moons: torchdyn's ``generate_moons(n, noise=0.2)`` places the points at equal angles
  (``linspace``, as scikit-learn's ``make_moons``) but adds ``rand(n, 1) * noise``: one
  uniform shift in [0, 0.2) shared by both coordinates, not scikit-learn's Gaussian noise.
  Then x * 3 - 1.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torch.utils.data import Dataset

from greenreg.datasets.batched_indexing import BatchedIndexingMixin
from greenreg.registry import DATASETS
from greenreg.utils import check_int

# the centres in torchcfm's order (labels 0..7 index this list), times EIGHT_GAUSSIANS_SCALE
_R = 1.0 / math.sqrt(2.0)
EIGHT_GAUSSIANS_CENTRES = (
    (1, 0),
    (-1, 0),
    (0, 1),
    (0, -1),
    (_R, _R),
    (_R, -_R),
    (-_R, _R),
    (-_R, -_R),
)
EIGHT_GAUSSIANS_SCALE = 5.0
# per-axis variance of each cluster: torchcfm's var=0.1 enters as sqrt(0.1) * I (see above)
EIGHT_GAUSSIANS_VARIANCE = math.sqrt(0.1)
MOONS_NOISE = 0.2
TOY_2D_NAMES = ("gaussian", "8gaussians", "moons")


def _gaussian(n: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    points = torch.randn(n, 2, generator=generator)
    return points, torch.zeros(n, dtype=torch.int64)


def _eight_gaussians(n: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    centres = torch.tensor(EIGHT_GAUSSIANS_CENTRES) * EIGHT_GAUSSIANS_SCALE  # (8, 2)
    labels = torch.randint(0, 8, (n,), generator=generator)
    noise = torch.randn(n, 2, generator=generator) * math.sqrt(EIGHT_GAUSSIANS_VARIANCE)
    return centres[labels] + noise, labels


def _moons(n: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    n_outer = n // 2
    outer = torch.linspace(0, math.pi, n_outer, dtype=torch.float64)
    inner = torch.linspace(0, math.pi, n - n_outer, dtype=torch.float64)
    points = torch.cat(
        [
            torch.stack([torch.cos(outer), torch.sin(outer)], dim=1),
            torch.stack([1 - torch.cos(inner), 0.5 - torch.sin(inner)], dim=1),
        ]
    )  # (n, 2): label 0 the upper (outer) moon, 1 the lower (inner) one
    labels = torch.cat([torch.zeros(n_outer), torch.ones(n - n_outer)]).long()
    # torchdyn's noise: one uniform shift per point, the same on both axes
    points = points + torch.rand(n, 1, generator=generator, dtype=torch.float64) * MOONS_NOISE
    # shuffled as scikit-learn's make_moons is (torchdyn returns them ordered), so any
    # prefix of a draw is a sample from the mixture
    order = torch.randperm(n, generator=generator)
    return (points[order] * 3 - 1).float(), labels[order]


_SAMPLERS = {"gaussian": _gaussian, "8gaussians": _eight_gaussians, "moons": _moons}


def _check_name(name: str, where: str) -> None:
    if name not in _SAMPLERS:
        raise ValueError(
            f"{where}: unknown toy distribution; expected one of {TOY_2D_NAMES}, got {name!r}."
        )


def sample_toy_2d_labelled(name: str, n: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """Points of a 2-D toy distribution with the component each came from.

    Args:
        name (str): ``"gaussian"`` (N(0, I)), ``"8gaussians"`` (eight clusters at radius 5,
            variance sqrt(0.1) per axis) or ``"moons"`` (two moons, x * 3 - 1).
        n (int): number of points, >= 1.
        generator (torch.Generator): the only source of randomness (CPU).

    Returns:
        tuple[Tensor, Tensor]: points, shape (n, 2), float32; labels, shape (n,), int64:
        the centre (0..7, in the order of EIGHT_GAUSSIANS_CENTRES) for ``8gaussians``,
        the moon (0 upper, 1 lower) for ``moons``, 0 for ``gaussian``.

    Raises:
        ValueError: an unknown name, or n < 1.
    """
    _check_name(name, "sample_toy_2d.name")
    check_int("sample_toy_2d.n", n, 1)
    return _SAMPLERS[name](n, generator)


def sample_toy_2d(name: str, n: int, generator: torch.Generator) -> Tensor:
    """Points of a 2-D toy distribution, shape (n, 2); see :func:`sample_toy_2d_labelled`."""
    return sample_toy_2d_labelled(name, n, generator)[0]


@DATASETS.register_module()
class Toy2DDataset(BatchedIndexingMixin, Dataset):
    """A fixed draw of ``num_samples`` points of a 2-D toy distribution, with labels.

    The points are drawn once, at construction, by a generator seeded with ``seed``; a
    held-out set is another seed. Labels serve the conditional task (which moon, which
    centre); see :func:`sample_toy_2d_labelled`.

    Args:
        name (str): one of ``TOY_2D_NAMES``: ``"gaussian"``, ``"8gaussians"``, ``"moons"``.
        num_samples (int): number of points N, >= 1.
        seed (int): seed of the draw.

    Raises:
        ValueError: an unknown name, or num_samples < 1.

    Example:
        ``dataset=dict(type='Toy2DDataset', name='moons', num_samples=10000, seed=0)``
    """

    def __init__(self, name: str = "moons", num_samples: int = 10000, seed: int = 0) -> None:
        _check_name(name, "Toy2DDataset.name (*.dataset.name)")
        check_int("Toy2DDataset.num_samples (*.dataset.num_samples)", num_samples, 1)
        self.name, self.seed = name, int(seed)
        generator = torch.Generator().manual_seed(self.seed)
        self.points, self.labels = _SAMPLERS[name](num_samples, generator)  # (N, 2), (N,)

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, index: int) -> dict:
        """``inputs``: the point, shape (2,), float32; ``label``: int64 scalar."""
        return dict(inputs=self.points[index], label=self.labels[index])

    def get_batch(self, index: Tensor) -> dict:
        """``inputs`` (B, 2) float32, ``label`` (B,) int64."""
        return dict(inputs=self.points[index], label=self.labels[index])
