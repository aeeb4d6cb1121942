"""Min-SNR-gamma: the paper's closed forms per target, and no NaN at SNR 0 or inf."""

import pytest
import torch

from greenreg.registry import LOSS_WEIGHTINGS, PATHS, TARGETS

GAMMA = 5.0


def weigh(target: str, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    path = PATHS.build(dict(type="VPCosinePath"))
    c = path.coefficients(t)
    weighting = LOSS_WEIGHTINGS.build(dict(type="MinSNRWeighting", gamma=GAMMA))
    return weighting(c, TARGETS.build(dict(type=target))).double(), path.log_snr(t).exp()


T = torch.tensor([0.05, 0.3, 0.5, 0.7, 0.85, 0.95], dtype=torch.float64)


def test_eps_weight_divides_by_snr():
    w, snr = weigh("EpsilonTarget", T)
    torch.testing.assert_close(w, snr.clamp(max=GAMMA) / snr, rtol=1e-5, atol=0)
    # the forgotten division: without it high-SNR steps would weigh gamma, not gamma/SNR
    assert bool((w[snr > GAMMA] < 1).all())


def test_v_weight_divides_by_snr_plus_one():
    w, snr = weigh("VTarget", T)
    torch.testing.assert_close(w, snr.clamp(max=GAMMA) / (snr + 1), rtol=1e-5, atol=0)


def test_data_weight_is_clipped_snr():
    w, snr = weigh("DataTarget", T)
    torch.testing.assert_close(w, snr.clamp(max=GAMMA), rtol=1e-5, atol=0)


@pytest.mark.parametrize("target", ["EpsilonTarget", "DataTarget", "VTarget", "VelocityTarget"])
def test_weights_stay_finite_at_zero_and_infinite_snr(target):
    w, _ = weigh(target, torch.tensor([0.0, 1.0]))
    assert bool(torch.isfinite(w).all())
    if target == "VTarget":  # zero terminal SNR: weight 0, not NaN (diffusers #9451)
        assert float(w[0]) == 0.0
    if target == "EpsilonTarget":  # the limit of min(SNR, g) / SNR as SNR -> 0
        assert float(w[0]) == 1.0


def test_gamma_must_be_positive():
    with pytest.raises(ValueError, match="gamma"):
        LOSS_WEIGHTINGS.build(dict(type="MinSNRWeighting", gamma=0))
