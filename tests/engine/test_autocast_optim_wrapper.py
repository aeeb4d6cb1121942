import pytest
import torch

from greenreg.registry import OPTIM_WRAPPERS


def build(dtype="bfloat16", model=None):
    model = model or torch.nn.Linear(4, 1)
    return model, OPTIM_WRAPPERS.build(
        dict(
            type="AutocastOptimWrapper",
            dtype=dtype,
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
