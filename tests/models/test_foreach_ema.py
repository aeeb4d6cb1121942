import torch
from mmengine.model import MomentumAnnealingEMA

from greenreg.registry import MODELS


def test_matches_mmengine_momentum_annealing_ema_step_for_step():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 1)
    )
    ours = MODELS.build(
        dict(type="ForeachMomentumAnnealingEMA", model=model, momentum=0.01, gamma=5)
    )
    reference = MomentumAnnealingEMA(model, momentum=0.01, gamma=5)
    for _ in range(30):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p))
        model(torch.randn(8, 3))  # moves BatchNorm's running stats (buffers)
        ours.update_parameters(model)
        reference.update_parameters(model)
    for (name, a), b in zip(
        ours.module.state_dict().items(), reference.module.state_dict().values()
    ):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6, msg=name)
    assert int(ours.steps) == int(reference.steps) == 30
