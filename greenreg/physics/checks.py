"""Input checks shared by the lattices and the LDOS solvers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from greenreg.physics.base import BaseLattice


def check_potential(lattice: BaseLattice, potential: np.ndarray | None, owner: str) -> np.ndarray:
    """The potential as float64 of shape (N,) (zeros for None), or ValueError.

    Args:
        lattice (BaseLattice): the lattice the potential lives on.
        potential (np.ndarray | None): on-site energies, shape (N,), units of t.
        owner (str): ``<Class>.<method>``, the start of the message.
    """
    if potential is None:
        return np.zeros(lattice.num_sites)
    values = np.asarray(potential, dtype=np.float64)
    if values.shape != (lattice.num_sites,) or not np.isfinite(values).all():
        bad = "non-finite values" if values.shape == (lattice.num_sites,) else "shape"
        raise ValueError(
            f"{owner}(potential): wrong {bad}; expected finite on-site energies of shape "
            f"({lattice.num_sites},) for {type(lattice).__name__}, got shape {values.shape}"
            f"{' with NaN or inf' if bad != 'shape' else ''}."
        )
    return values


def spectral_window(lattice: BaseLattice, potential: np.ndarray) -> tuple[float, float]:
    """[E_min - max|V|, E_max + max|V|]: holds the whole spectrum (Weyl's inequality)."""
    low, high = lattice.band_edges
    shift = float(np.abs(potential).max(initial=0.0))
    return low - shift, high + shift


def check_energies(
    lattice: BaseLattice,
    energies: np.ndarray,
    potential: np.ndarray | None = None,
    owner: str = "LDOS solver",
) -> np.ndarray:
    """Energies as float64 of shape (E,), or ValueError naming the first bad one.

    An energy must be finite and inside the clean band widened by the largest |V|,
    [E_min - max|V|, E_max + max|V|], which holds every eigenvalue of H; outside it every
    LDOS is zero or a Lorentzian tail, almost surely a unit or sign mistake.

    Args:
        lattice (BaseLattice): gives ``band_edges``.
        energies (np.ndarray): shape (E,) or scalar, units of t.
        potential (np.ndarray | None): on-site energies (N,), units of t; None = clean.
        owner (str): ``<Class>.ldos``, the start of the message.

    Returns:
        np.ndarray: the energies, float64, shape (E,).

    Raises:
        ValueError: for an empty, non-finite or out-of-band energy.
    """
    values = np.atleast_1d(np.asarray(energies, dtype=np.float64))
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"{owner}(energies): expected a non-empty 1-D array of energies, got shape "
            f"{values.shape}."
        )
    if not np.isfinite(values).all():
        raise ValueError(
            f"{owner}(energies): expected finite energies in units of t, got {values.tolist()}."
        )
    potential = check_potential(lattice, potential, owner)
    low, high = spectral_window(lattice, potential)
    outside = values[(values < low) | (values > high)]
    if outside.size:
        band = lattice.band_edges
        raise ValueError(
            f"{owner}(energies): energy {outside[0]:g} lies outside the spectrum of "
            f"{type(lattice).__name__}; expected energies in the band [{band[0]:g}, "
            f"{band[1]:g}] widened by max|V| = {high - band[1]:g}, i.e. in [{low:g}, "
            f"{high:g}], got {outside[0]:g}."
        )
    return values


def check_positive(where: str, value: float, allow_zero: bool = False) -> float:
    """``value`` as a float, or ValueError unless it is finite and > 0 (>= 0 if allowed).

    Args:
        where (str): ``<Class>.<arg> (<config key>)``, the start of the message.
        value (float): the value given.
        allow_zero (bool): accept 0.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{where}: expected a number, got {value!r}.")
    ok = np.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        rule = "a finite float >= 0" if allow_zero else "a finite float > 0"
        raise ValueError(f"{where}: out of range; expected {rule}, got {value}.")
    return float(value)


def check_size(where: str, value: int, minimum: int = 2) -> int:
    """``value`` as an int, or ValueError unless it is an int (not a bool) >= ``minimum``.

    Args:
        where (str): ``<Class>.<arg> (<config key>)``, the start of the message.
        value (int): the value given.
        minimum (int): the smallest accepted value.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{where}: out of range; expected an int >= {minimum}, got {value!r}.")
    return int(value)


def check_finite(where: str, value: float) -> float:
    """``value`` as a float, or ValueError unless it is a finite number (any sign).

    Args:
        where (str): ``<Class>.<arg> (<config key>)``, the start of the message.
        value (float): the value given.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{where}: expected a number, got {value!r}.")
    if not np.isfinite(value):
        raise ValueError(f"{where}: expected a finite float, got {value}.")
    return float(value)
