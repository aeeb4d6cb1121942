"""The Latent Green Operator's loss term: fit it on noisy latents, hold the denoiser to it."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor
from torch.func import functional_call

from greenreg.models.generators.train_step import TrainStep
from greenreg.models.loss_terms.base import BaseLossTerm
from greenreg.paths.base import PathCoefficients
from greenreg.registry import MODELS
from greenreg.solvers.gradient_guidance import ObjectiveGradientGuidance
from greenreg.solvers.model_fn import ModelFn


@MODELS.register_module()
class LatentGreenOperatorLoss(BaseLossTerm):
    """Trains a LatentGreenOperator beside the flow and uses it as a physics constraint.

    Seed 000's Latent Green Operator (LGO), a learned potential -> LDOS map on latents:

    - fit: LGO(x_t, t) against the batch's LDOS maps, with x_t the noisy latent of the
      step (detached: this part trains the operator only), under the multi-scale loss;
    - consistency (``consistency_weight`` > 0): LGO(x1_hat, t=1) against the same maps,
      with x1_hat the denoiser's clean estimate and the operator's weights detached, so the
      gradient reaches the denoiser only: its estimate must have the measured LDOS;
    - guidance (``guidance_scale`` > 0): at sampling time, FlowGenerator.sample adds the
      gradient of log N(LDOS | LGO(x1_hat, 1), observation_std^2) to the score
      (ObjectiveGradientGuidance, DPS).

    Args:
        operator (dict): the operator network (MODELS), e.g. LatentGreenOperator.
        key (str): the batch key of the LDOS maps (the conditioning's).
        loss (dict | None): per-sample map loss (MODELS); None = MultiScaleMSELoss.
        consistency_weight (float): weight of the consistency part, >= 0; 0 = off.
        guidance_scale (float): gradient-guidance strength at sampling, >= 0; 0 = off.
        observation_std (float): std of the LDOS maps' noise in the guidance likelihood,
            in the data set's normalised units, > 0.
        weight (float | list | dict): the term's weight (constant, pairs or a schedule).

    Example:
        ``loss_terms=dict(lgo=dict(type='LatentGreenOperatorLoss',
        operator=dict(type='LatentGreenOperator'), consistency_weight=0.1))``
    """

    def __init__(
        self,
        operator: dict,
        key: str = "ldos",
        loss: dict | None = None,
        consistency_weight: float = 0.1,
        guidance_scale: float = 0.0,
        observation_std: float = 0.1,
        weight: float | list | dict = 1.0,
    ) -> None:
        super().__init__(weight)
        where = "LatentGreenOperatorLoss.{} (model.loss_terms.<name>.{})"
        for name, value in (("consistency_weight", consistency_weight),
                            ("guidance_scale", guidance_scale)):  # fmt: skip
            if not value >= 0:
                raise ValueError(f"{where.format(name, name)}: expected a float >= 0, got {value}.")
        if not observation_std > 0:
            raise ValueError(
                f"{where.format('observation_std', 'observation_std')}: expected a float > 0, "
                f"got {observation_std}."
            )
        self.operator = MODELS.build(operator)
        self.map_loss = MODELS.build(loss or dict(type="MultiScaleMSELoss"))
        self.key, self.consistency_weight = key, float(consistency_weight)
        self.guidance_scale, self.observation_std = float(guidance_scale), float(observation_std)
        self.reads = ("xt", "t", "x1_estimate", f"batch.{key}")

    def forward(self, step: TrainStep) -> Tensor:
        """The fit + consistency_weight x consistency, per sample (B,)."""
        ldos = step.get(f"batch.{self.key}").float()
        loss = self.map_loss(self.operator(step.xt.detach().float(), step.t), ldos)
        if self.consistency_weight > 0:
            frozen = {name: p.detach() for name, p in self.operator.named_parameters()}
            at_data = torch.ones_like(step.t)
            pred = functional_call(self.operator, frozen, (step.x1_estimate.float(), at_data))
            loss = loss + self.consistency_weight * self.map_loss(pred, ldos)
        return loss

    def objective(self, ldos: Tensor) -> Callable[[Tensor, PathCoefficients], Tensor]:
        """The guidance objective: log N(ldos | LGO(x1, 1), observation_std^2) per sample (B,)."""

        def log_likelihood(x1: Tensor, c: PathCoefficients) -> Tensor:
            pred = self.operator(x1.float(), torch.ones(len(x1), device=x1.device))
            residual = (pred - ldos.to(pred)).flatten(1)
            return -0.5 * residual.pow(2).sum(1) / self.observation_std**2

        return log_likelihood

    def sampling_guidance(self, batch: dict) -> Callable[[ModelFn], ModelFn] | None:
        """The guide FlowGenerator.sample applies for ``batch`` (None when switched off)."""
        if self.guidance_scale == 0:
            return None
        guidance = ObjectiveGradientGuidance(self.guidance_scale)
        objective = self.objective(batch[self.key].float())
        return lambda model: guidance.wrap(model, objective)
