"""A one-step generator trained on coupled pairs, optionally against a memory bank (seed 003)."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.models.generators.flow_generator import FlowGenerator
from greenreg.models.generators.slots import build_optional, component_config, take, take_all
from greenreg.registry import COUPLINGS, MODELS
from greenreg.schedules.base import TrainProgress
from greenreg.utils import check_int


@MODELS.register_module()
class OneStepGenerator(FlowGenerator):
    """x1 = network(x0, t=0) in one evaluation; GFGW-FM (seed 003) is its memory-bank config.

    A FlowGenerator whose network also answers at the source end: the one-step output
    ``one_step`` = the denoised x1 at (x_t = x0, t = 0), kept with gradients, and its
    features from a frozen ``feature_network`` go into the TrainStep, where loss terms
    read them (``one_step``, ``one_step_features``, ``x1_features``). One step:

    1. draw x0; run the one-step map and the feature network on it;
    2. pair each x0 with a data point. With a ``memory_bank`` and ``memory_coupling``
       (GFGW-FM), the batch's data features (and images) go into the FIFO bank and the
       coupling (FGWCoupling) plans the one-step outputs' features against ``memory_draw``
       entries of the bank: batch x memory. Each row's target is the bank entry it sends
       most mass to. Without a bank, the FlowGenerator's batch ``coupling`` pairs x0 with
       the batch's x1 (independent, exact OT in pixel space);
    3. the flow step on the pairs (t from the time sampler, x_t, main loss), as
       FlowGenerator; the loss terms (feature, perceptual, structure, boundary) then see
       both the path and the one-step output.

    Sampling is FlowGenerator's: with ``UniformTimeGrid(num_steps=1)`` and Euler, one
    evaluation at t = 0 returns exactly the one-step output; more steps refine along the
    straight path.

    Args:
        feature_network (dict): frozen images -> (B, D) network (MODELS, e.g.
            ClassifierFeatureNetwork, DINOv2FeatureNetwork).
        memory_bank (dict | None): MemoryBank config; its ``feature_dim`` and
            ``item_shape`` are filled from the feature network and the data if absent.
        memory_coupling (dict | None): batch-features x memory-features coupling
            (COUPLINGS, FGWCoupling); needs ``memory_bank``.
        memory_draw (int): K, bank entries each step's plan is solved against (seed 003:
            2,048 of ~50k); the whole bank when it holds fewer.
        **kwargs: FlowGenerator's slots (backbone, path, target, time_sampler, coupling,
            loss, loss_terms, solver, time_grid, ...).

    Raises:
        ValueError: a memory coupling without a bank (or the reverse), a bank whose
            feature_dim is not the feature network's, a conditioning with a memory bank
            (bank entries carry no condition), a path whose t = 0 is not the source
            (alpha(0) = 0, sigma(0) = 1), or memory_draw < 1.

    Example:
        see ``configs/gfgw_fm.py``.
    """

    def __init__(
        self,
        feature_network: dict,
        memory_bank: dict | None = None,
        memory_coupling: dict | None = None,
        memory_draw: int = 2048,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.feature_network = MODELS.build(component_config(feature_network, "feature_network"))
        if (memory_bank is None) != (memory_coupling is None):
            raise ValueError(
                "OneStepGenerator (model.memory_bank, model.memory_coupling): a memory coupling "
                "plans against a memory bank; expected both or neither, got "
                f"memory_bank={memory_bank!r}, memory_coupling={memory_coupling!r}."
            )
        if memory_bank is not None and self.conditioning is not None:
            raise ValueError(
                "OneStepGenerator.conditioning (model.conditioning): memory bank entries carry "
                "no condition; expected None with a memory bank, got "
                f"{type(self.conditioning).__name__}."
            )
        check_int("OneStepGenerator.memory_draw (model.memory_draw)", memory_draw, 1)
        self.memory_draw = memory_draw
        self.memory_coupling = build_optional(COUPLINGS, memory_coupling, "memory_coupling")
        self.memory_bank = None
        if memory_bank is not None:
            bank = dict(memory_bank)
            bank.setdefault("feature_dim", self.feature_network.feature_dim)
            bank.setdefault("item_shape", self.sample_shape)
            self.memory_bank = MODELS.build(component_config(bank, "memory_bank"))
            if self.memory_bank.feature_dim != self.feature_network.feature_dim:
                raise ValueError(
                    f"OneStepGenerator.memory_bank.feature_dim (model.memory_bank.feature_dim): "
                    f"the bank holds the feature network's features; expected "
                    f"{self.feature_network.feature_dim} ({type(self.feature_network).__name__}"
                    f"), got {self.memory_bank.feature_dim}."
                )
        self._check_source_end()

    def _check_source_end(self) -> None:
        c = self.path.coefficients(torch.zeros(1))
        if not (abs(float(c.alpha[0])) < 1e-6 and abs(float(c.sigma[0]) - 1) < 1e-6):
            raise ValueError(
                f"OneStepGenerator.path (model.path): the one-step map runs the network at "
                f"t = 0 on x0 itself; expected a path with alpha(0) = 0 and sigma(0) = 1 "
                f"(LinearPath), got alpha {float(c.alpha[0]):.3g}, sigma "
                f"{float(c.sigma[0]):.3g}."
            )

    def one_step(self, x0: Tensor, cond: Tensor | None = None) -> Tensor:
        """The denoised x1 at (x_t = x0, t = 0), shape of x0, with gradients."""
        t = torch.zeros(len(x0), device=x0.device)
        c = self.path.coefficients(t).expand_like(x0)
        prediction = self.network(x0, t, cond)
        return self.target.to_denoised(prediction.float(), x0, c).x1

    def loss(self, batch: dict, progress: TrainProgress) -> dict[str, Tensor]:
        """One training step's losses (see the class docstring for its order).

        Args:
            batch (dict): ``inputs`` (x1, (B, C, H, W)) and the other entries.
            progress (TrainProgress): iteration and images seen before this step.

        Returns:
            dict[str, Tensor]: ``loss_flow``, ``loss_<term>`` per active term, and with a
            memory coupling the logged (not optimised) ``coupling_alpha``,
            ``coupling_epsilon`` and ``coupling_distinct`` (share of distinct targets).
        """
        data = self.encode(batch["inputs"])
        drawn = self.source(batch, data)
        cond = self.condition(batch)
        one_step = self.one_step(drawn.x0, cond)  # (B, C, H, W)
        one_step_features = self.feature_network(one_step)  # (B, D)
        if self.memory_bank is None:
            plan = self.coupling.plan(drawn.x0, data, cond, progress)
            pick = plan.source_index
            x0, one_step = take(drawn.x0, pick), take(one_step, pick)
            one_step_features, extras = take(one_step_features, pick), take_all(drawn.extras, pick)
            x1, cond = take(data, plan.data_index), take(cond, plan.data_index)
            others = take_all({k: v for k, v in batch.items() if k != "inputs"}, plan.data_index)
            with torch.no_grad():
                x1_features = self.feature_network(x1)
            logged = {}
        else:
            x0, extras, others = drawn.x0, drawn.extras, {}
            x1, x1_features, logged = self._memory_targets(data, one_step_features, progress)
        step = self.flow_step(
            x0, x1, cond, progress, batch=others, source=extras, one_step=one_step,
            one_step_features=one_step_features, x1_features=x1_features,
        )  # fmt: skip
        return dict(self.step_losses(step), **logged)

    def _memory_targets(
        self, data: Tensor, one_step_features: Tensor, progress: TrainProgress
    ) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
        """Pushes the batch into the bank; the bank entries the plan gives each row.

        Returns:
            tuple: targets x1 (B, C, H, W), their features (B, D), and the logged values.
        """
        with torch.no_grad():
            self.memory_bank.push(self.feature_network(data), data)
        entries = self.memory_bank.draw(self.memory_draw)
        plan = self.memory_coupling.plan(one_step_features.detach(), entries.features, progress)
        index = plan.target_index
        distinct = index.unique().numel() / len(index)
        logged = dict(
            coupling_alpha=torch.tensor(plan.alpha),
            coupling_epsilon=torch.tensor(plan.epsilon),
            coupling_distinct=torch.tensor(distinct),
        )
        return entries.items[index], entries.features[index], logged
