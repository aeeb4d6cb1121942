import pytest
import torch

from greenreg.engine.optim import autocast_optim_wrapper
from greenreg.registry import OPTIM_WRAPPERS


def build(dtype="bfloat16", model=None, on_emulated_bf16="bf16"):
    model = model or torch.nn.Linear(4, 1)
    return model, OPTIM_WRAPPERS.build(
        dict(
            type="AutocastOptimWrapper",
            dtype=dtype,
            on_emulated_bf16=on_emulated_bf16,
            clip_grad=dict(max_norm=1.0),
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        )
    )


def test_bf16_autocast_runs_on_cpu_and_steps_without_a_scaler():
    model, wrapper = build()
    assert wrapper.scaler is None
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.randn(8, 4))
        assert out.dtype == torch.bfloat16
        loss = out.float().pow(2).mean()
    wrapper.update_params(loss)
    assert not torch.equal(before, model.weight)
    assert "loss_scaler" not in wrapper.state_dict()


def test_fp16_is_refused_without_a_gpu_and_unknown_dtypes_are_named():
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="float16 needs a CUDA GPU"):
            build("float16")
    with pytest.raises(ValueError, match="dtype"):
        build("float8")


def test_a_device_without_bf16_units_trains_in_fp32_with_a_warning(monkeypatch):
    monkeypatch.setattr(autocast_optim_wrapper, "has_native_bf16", lambda device: False)
    with pytest.warns(UserWarning, match="no native bf16 units.*fp32 instead"):
        model, wrapper = build(on_emulated_bf16="fp32")
    with wrapper.optim_context(model):
        assert model(torch.randn(8, 4)).dtype == torch.float32
    with pytest.raises(ValueError, match="no native bf16 units"):
        build(on_emulated_bf16="error")
    _, forced = build(on_emulated_bf16="bf16")
    assert forced.enabled
    with pytest.raises(ValueError, match="on_emulated_bf16"):
        build(on_emulated_bf16="maybe")


def test_a_device_with_bf16_units_autocasts(monkeypatch):
    monkeypatch.setattr(autocast_optim_wrapper, "has_native_bf16", lambda device: True)
    model, wrapper = build(on_emulated_bf16="error")
    with wrapper.optim_context(model):
        assert model(torch.randn(8, 4)).dtype == torch.bfloat16
