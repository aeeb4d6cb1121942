"""The typed record of one training step, read by loss terms and hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath, PathCoefficients
from greenreg.schedules.base import TrainProgress
from greenreg.targets.base import BasePredictionTarget
from greenreg.timesteps.base import BaseTimeSampler

ONE_STEP_FIELDS = ("one_step", "one_step_features", "x1_features")


@dataclass
class TrainStep:
    """Everything one step of FlowGenerator.loss computed, in the flow's space.

    Attributes:
        x0 (Tensor): sources after coupling, shape (B, C, H, W) (latents under an
            autoencoder), float32.
        x1 (Tensor): data after coupling, same shape.
        t (Tensor): times, shape (B,), in [0, 1]; t=1 is data.
        xt (Tensor): alpha x1 + sigma x0, same shape as x1.
        coefficients (PathCoefficients): alpha, sigma and derivatives at t, each (B, 1, ...).
        target (Tensor): the regression target, same shape as x1.
        prediction (Tensor): the backbone's raw output (bf16 under autocast), same shape.
        loss (Tensor): weighted per-sample main loss, shape (B,).
        weight (Tensor | None): the per-sample weighting applied, shape (B,); None = 1.
        cond (Tensor | None): the condition the backbone saw, batch dimension first.
        progress (TrainProgress): iteration and images seen before this step.
        path (BaseProbabilityPath): the path that built xt (its schedule, for diagnosis).
        time_sampler (BaseTimeSampler): the sampler that drew t (its quantiles).
        target_kind (BasePredictionTarget): what the backbone predicts.
        loss_name (str): the main loss's registered name (``FlowMSELoss``, ...).
        batch (dict[str, Tensor]): the batch's other entries after coupling (``label``,
            ``tokens``, ...), readable as ``batch.<key>``.
        source (dict[str, Tensor]): what the source reported, as ``source.<key>``.
        one_step (Tensor | None): the one-step map's output at x0 (OneStepGenerator),
            shape of x1, with gradients; None for multi-step generators.
        one_step_features (Tensor | None): its features, shape (B, D), with gradients.
        x1_features (Tensor | None): the features of the data each row trains towards,
            shape (B, D): the memory entries a memory coupling chose, else those of x1.
    """

    x0: Tensor
    x1: Tensor
    t: Tensor
    xt: Tensor
    coefficients: PathCoefficients
    target: Tensor
    prediction: Tensor
    loss: Tensor
    weight: Tensor | None
    cond: Tensor | None
    progress: TrainProgress
    path: BaseProbabilityPath
    time_sampler: BaseTimeSampler
    target_kind: BasePredictionTarget
    loss_name: str
    batch: dict = field(default_factory=dict)
    source: dict = field(default_factory=dict)
    one_step: Tensor | None = None
    one_step_features: Tensor | None = None
    x1_features: Tensor | None = None

    @cached_property
    def x1_estimate(self) -> Tensor:
        """The data estimate implied by the prediction, shape of x1 (computed once)."""
        c = self.coefficients
        return self.target_kind.to_denoised(self.prediction.float(), self.xt, c).x1

    def get(self, name: str):
        """A field by name: ``"x1"``, ``"x1_estimate"``, ``"source.mu"``, ``"batch.label"``.

        Raises:
            KeyError: no such field; the message lists what there is.
        """
        scope, _, key = name.partition(".")
        if key and scope in ("source", "batch"):
            entries = getattr(self, scope)
            if key in entries:
                return entries[key]
            known = [f"{scope}.{k}" for k in sorted(entries)]
            raise KeyError(f"TrainStep has no {name!r}; this step's {scope} holds {known}.")
        if not key and (name in self.__dataclass_fields__ or name == "x1_estimate"):
            value = getattr(self, name)
            if value is None and name in ONE_STEP_FIELDS:
                raise KeyError(
                    f"TrainStep.{name} is empty: only OneStepGenerator computes the one-step "
                    f"output and the features; expected model.type='OneStepGenerator' for a "
                    f"loss term on {name!r}."
                )
            return value
        raise KeyError(
            f"TrainStep has no {name!r}; expected one of {sorted(self.__dataclass_fields__)}, "
            f"'x1_estimate', 'source.<key>' or 'batch.<key>'."
        )
