"""FD and KID against their closed forms for Gaussian features."""

import numpy as np
import pytest
from scipy import linalg

from greenreg.evaluation import frechet_distance, kernel_distance


def gaussian_fd(mu_a, cov_a, mu_b, cov_b):
    """||mu_a - mu_b||^2 + tr(S_a + S_b - 2 (S_a S_b)^1/2), Heusel et al. 2017, Eq. 6."""
    root = linalg.sqrtm(cov_a @ cov_b).real
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def test_frechet_distance_of_gaussian_samples_matches_the_closed_form():
    rng = np.random.default_rng(0)
    mu_a, mu_b = np.zeros(3), np.array([1.0, -0.5, 0.0])
    cov_a = np.diag([1.0, 2.0, 0.5])
    mix = rng.normal(size=(3, 3))
    cov_b = mix @ mix.T / 3 + 0.2 * np.eye(3)
    a = rng.multivariate_normal(mu_a, cov_a, 40_000)
    b = rng.multivariate_normal(mu_b, cov_b, 40_000)
    expected = gaussian_fd(mu_a, cov_a, mu_b, cov_b)
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.03)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def cubic_kernel_mean(m_x, v_x, m_y, v_y):
    """E[(x y + 1)^3] for independent 1-D x ~ N(m_x, v_x), y ~ N(m_y, v_y)."""

    def moments(m, v):  # E[x], E[x^2], E[x^3] of N(m, v)
        return m, m * m + v, m**3 + 3 * m * v

    (x1, x2, x3), (y1, y2, y3) = moments(m_x, v_x), moments(m_y, v_y)
    return x3 * y3 + 3 * x2 * y2 + 3 * x1 * y1 + 1


def test_kernel_distance_is_the_unbiased_mmd_of_the_cubic_kernel():
    # 1-D: k(x, y) = (x y + 1)^3, so MMD^2 = E k(x,x') + E k(y,y') - 2 E k(x,y) in closed form
    rng = np.random.default_rng(1)
    a = rng.normal(0.0, 1.0, (4000, 1))
    b = rng.normal(0.7, 0.8, (4000, 1))
    expected = (
        cubic_kernel_mean(0.0, 1.0, 0.0, 1.0)
        + cubic_kernel_mean(0.7, 0.64, 0.7, 0.64)
        - 2 * cubic_kernel_mean(0.0, 1.0, 0.7, 0.64)
    )
    estimate = kernel_distance(a, b, subset_size=4000, num_subsets=1)
    assert estimate == pytest.approx(expected, rel=0.1)
    # unbiased: two samples of one distribution average to 0 well inside the shift's value
    same = kernel_distance(a[:2000], a[2000:], subset_size=2000, num_subsets=1)
    assert abs(same) < 0.1 * expected


def test_distances_name_bad_shapes():
    with pytest.raises(ValueError, match=r"\(N, D\)"):
        kernel_distance(np.zeros((5, 2)), np.zeros((5, 3)))
