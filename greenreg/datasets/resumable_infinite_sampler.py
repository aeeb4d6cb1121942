"""An infinite sampler that can start anywhere in its index stream (fast, exact resume)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from mmengine.dataset import InfiniteSampler

from greenreg.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class ResumableInfiniteSampler(InfiniteSampler):
    """mmengine's InfiniteSampler (same seed, same order) plus :meth:`skip_samples`.

    mmengine resumes an iteration-based run by loading every batch it already trained on
    (mmengine #1520): minutes of data loading for a long run, and any randomness in the data
    pipeline is consumed twice. Here the resumed loop tells the sampler how far this rank's
    stream had got, and iteration starts there without touching the data.

    Args:
        dataset (Sized): the dataset.
        shuffle (bool): a new permutation per pass (seeded), else in order.
        seed (int | None): permutation seed; None draws one shared by all ranks.

    Example:
        ``sampler=dict(type='ResumableInfiniteSampler', shuffle=True)``
    """

    def __init__(self, dataset, shuffle: bool = True, seed: int | None = None) -> None:
        super().__init__(dataset, shuffle=shuffle, seed=seed)
        self.start = 0

    def skip_samples(self, num_samples: int) -> None:
        """The next iterator starts after this rank's first ``num_samples`` indices."""
        if num_samples < 0:
            raise ValueError(
                f"ResumableInfiniteSampler.skip_samples: expected num_samples >= 0, "
                f"got {num_samples}."
            )
        self.start = num_samples

    def __iter__(self) -> Iterator[int]:
        """This rank's indices from position ``start`` on, forever."""
        yield from itertools.islice(self._indices_of_rank(), self.start, None)
