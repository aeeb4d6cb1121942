"""The lattice contract, shared by SquareLattice, HoneycombLattice and ChainLattice."""

import numpy as np
import pytest

from greenreg.physics import BaseLattice, ChainLattice, HoneycombLattice, SquareLattice
from greenreg.registry import LATTICES

CONFIGS = [
    dict(type="SquareLattice", size=5),
    dict(type="SquareLattice", size=6, hopping=1.5, next_hopping=0.3),
    dict(type="SquareLattice", size=6, next_hopping=-0.7),
    dict(type="HoneycombLattice", size=5),
    dict(type="HoneycombLattice", size=4, next_hopping=0.2),
    dict(type="ChainLattice", size=7),
]
IDS = [f"{c['type']}-{c.get('next_hopping', 0)}" for c in CONFIGS]


@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_builds_from_its_config_through_the_registry(cfg):
    lattice = LATTICES.build(dict(cfg))
    assert isinstance(lattice, BaseLattice) and type(lattice).__name__ == cfg["type"]
    assert lattice.num_sites == np.prod(lattice.grid_shape) == len(lattice.sites())
    assert lattice.positions.shape == (lattice.num_sites, 2)


@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_hamiltonian_is_kwants_full_system_in_grid_order(cfg):
    """The cached clean part + diag(V) must equal kwant's own build of the whole system."""
    lattice = LATTICES.build(dict(cfg))
    potential = np.random.default_rng(0).normal(size=lattice.num_sites)
    fsyst = lattice.builder(potential).finalized()
    order = lattice.grid_index(fsyst)
    expected = np.zeros((lattice.num_sites, lattice.num_sites), dtype=complex)
    expected[np.ix_(order, order)] = fsyst.hamiltonian_submatrix(sparse=False)
    matrix = lattice.hamiltonian(potential).toarray()
    assert matrix.dtype == np.float64
    np.testing.assert_array_equal(matrix, expected.real)
    np.testing.assert_array_equal(expected.imag, 0)
    np.testing.assert_array_equal(matrix, matrix.T)
    np.testing.assert_array_equal(np.diag(matrix), potential)
    # the hopping sign: -t between nearest neighbours
    nearest = matrix[np.abs(matrix + lattice.hopping) < 1e-12]
    assert nearest.size >= lattice.num_sites


@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_clean_spectrum_lies_inside_the_band_edges(cfg):
    """A finite open lattice is a compression of the infinite one: its spectrum is inside."""
    lattice = LATTICES.build(dict(cfg))
    levels = np.linalg.eigvalsh(lattice.hamiltonian().toarray())
    low, high = lattice.band_edges
    assert low - 1e-12 <= levels.min() and levels.max() <= high + 1e-12


@pytest.mark.parametrize(
    "lattice, band",
    [
        (SquareLattice(4), (-4, 4)),
        (SquareLattice(4, hopping=2.0), (-8, 8)),
        (SquareLattice(4, next_hopping=0.25), (-5, 3)),  # corners -4t-4t2, 4t-4t2, 4t2
        (HoneycombLattice(4), (-3, 3)),
        (HoneycombLattice(4, next_hopping=0.1), (-3.6, 2.4)),  # u = 3: +-3t - 6t2
        (ChainLattice(4, hopping=0.5), (-1, 1)),
    ],
)
def test_band_edges_are_the_dispersions_extremes(lattice, band):
    """Against a dense k-grid of the dispersion (independent of the closed-form extremes)."""
    k = np.linspace(-np.pi, np.pi, 241)
    kx, ky = np.meshgrid(k, k)
    t = lattice.hopping
    if isinstance(lattice, SquareLattice):
        t2 = lattice.next_hopping
        energies = -2 * t * (np.cos(kx) + np.cos(ky)) - 4 * t2 * np.cos(kx) * np.cos(ky)
    elif isinstance(lattice, HoneycombLattice):
        t2 = lattice.next_hopping
        u = np.abs(1 + np.exp(1j * kx) + np.exp(1j * ky))  # |f(k)| in reduced coordinates
        energies = np.concatenate([s * t * u - t2 * (u**2 - 3) for s in (1, -1)])
    else:
        energies = -2 * t * np.cos(k)
    np.testing.assert_allclose(lattice.band_edges, (energies.min(), energies.max()), atol=1e-3)
    np.testing.assert_allclose(lattice.band_edges, band)


@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_to_grid_and_from_grid_are_inverse(cfg):
    lattice = LATTICES.build(dict(cfg))
    values = np.random.default_rng(1).normal(size=(3, 2, lattice.num_sites))
    image = lattice.to_grid(values)
    assert image.shape == (3, 2, *lattice.grid_shape)
    np.testing.assert_array_equal(lattice.from_grid(image), values)
    np.testing.assert_array_equal(lattice.to_grid(lattice.from_grid(image)), image)
    with pytest.raises(ValueError, match="to_grid"):
        lattice.to_grid(values[..., :-1])
    with pytest.raises(ValueError, match="from_grid"):
        lattice.from_grid(image[..., :-1, :])


def test_square_grid_is_row_major_with_row_y_and_column_x():
    lattice = SquareLattice(4)
    grid_x, grid_y = (
        lattice.to_grid(lattice.positions[:, 0]),
        lattice.to_grid(lattice.positions[:, 1]),
    )
    np.testing.assert_array_equal(grid_x, np.tile(np.arange(4), (4, 1)))
    np.testing.assert_array_equal(grid_y, np.tile(np.arange(4)[:, None], (1, 4)))


def test_honeycomb_grid_is_the_documented_brick_wall():
    """Bonds: left and right in the row, then up if r + c is even, down if odd."""
    lattice = HoneycombLattice(4)
    rows, columns = lattice.grid_shape
    matrix = lattice.hamiltonian().toarray()
    index = np.arange(lattice.num_sites).reshape(rows, columns)
    for r in range(rows):
        for c in range(columns):
            expected = {index[r, cc] for cc in (c - 1, c + 1) if 0 <= cc < columns}
            rr = r + 1 if (r + c) % 2 == 0 else r - 1
            if 0 <= rr < rows:
                expected.add(index[rr, c])
            assert set(np.flatnonzero(matrix[index[r, c]])) == expected
    # pixels: x = c / 2; y = r sqrt(3) / 2, lowered by 1 / (2 sqrt 3) where r + c is odd
    r, c = np.meshgrid(np.arange(rows), np.arange(columns), indexing="ij")
    y = r * np.sqrt(3) / 2 - ((r + c) % 2) / (2 * np.sqrt(3))
    np.testing.assert_allclose(lattice.to_grid(lattice.positions[:, 0]), c / 2, atol=1e-12)
    np.testing.assert_allclose(lattice.to_grid(lattice.positions[:, 1]), y, atol=1e-12)
    np.testing.assert_allclose(lattice.grid_spacing, (np.sqrt(3) / 2, 0.5))


@pytest.mark.parametrize("name", ["SquareLattice", "HoneycombLattice", "ChainLattice"])
@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(size=1), r"\.size \(lattice\.size\).*expected an int >= 2, got 1"),
        (dict(size=4.0), r"\.size.*got 4\.0"),
        (dict(size=True), r"\.size"),
        (dict(size=4, hopping=0.0), r"\.hopping \(lattice\.hopping\).*> 0, got 0\.0"),
        (dict(size=4, hopping=-1.0), r"\.hopping.*got -1\.0"),
    ],
)
def test_rejects_bad_arguments_naming_them(name, bad, match):
    with pytest.raises(ValueError, match=match):
        LATTICES.build(dict(type=name, **bad))


def test_rejects_a_potential_of_the_wrong_shape_or_with_nan():
    lattice = SquareLattice(3)
    with pytest.raises(ValueError, match=r"SquareLattice\.hamiltonian\(potential\).*\(9,\)"):
        lattice.hamiltonian(np.zeros(8))
    with pytest.raises(ValueError, match="NaN or inf"):
        lattice.hamiltonian(np.full(9, np.nan))
