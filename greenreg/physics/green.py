"""Green's-function helpers shared by the exact and the open-system solvers."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

# right-hand sides per triangular solve: bounds memory at N x 256 complex numbers
COLUMNS_PER_SOLVE = 256


def inverse_diagonal(matrix: sp.spmatrix) -> np.ndarray:
    """diag(A^{-1}) of a sparse invertible matrix A (N, N) by one LU factorisation.

    SuperLU factorises A once; the unit vectors are solved for in blocks of
    ``COLUMNS_PER_SOLVE`` columns, keeping only each block's diagonal entries.

    Args:
        matrix (scipy.sparse.spmatrix): A, shape (N, N), complex.

    Returns:
        np.ndarray: diag(A^{-1}), shape (N,), complex128.
    """
    size = matrix.shape[0]
    lu = spla.splu(sp.csc_matrix(matrix, dtype=np.complex128))
    diagonal = np.empty(size, dtype=np.complex128)
    for start in range(0, size, COLUMNS_PER_SOLVE):
        stop = min(start + COLUMNS_PER_SOLVE, size)
        units = np.zeros((size, stop - start), dtype=np.complex128)
        units[np.arange(start, stop), np.arange(stop - start)] = 1.0
        columns = lu.solve(units)  # (N, block): columns start..stop-1 of A^{-1}
        diagonal[start:stop] = columns[np.arange(start, stop), np.arange(stop - start)]
    return diagonal


def spectral_ldos(diagonal_green: np.ndarray) -> np.ndarray:
    """-Im G_ii / pi, states per site per unit energy, from diag(G) (..., N)."""
    return -diagonal_green.imag / np.pi
