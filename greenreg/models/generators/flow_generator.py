"""One generator for every recipe: slots a config fills, a loss that reads top to bottom."""

from __future__ import annotations

from collections import OrderedDict

import torch
from mmengine.model import BaseModel
from torch import Tensor, nn
from torch.utils.hooks import RemovableHandle

from greenreg.models.generators.sampling import SamplingMixin
from greenreg.models.generators.slots import (
    build_optional,
    build_or_default,
    component_config,
    take,
    take_all,
)
from greenreg.models.generators.train_step import TrainStep
from greenreg.registry import (
    COUPLINGS,
    GUIDANCE,
    LOSS_WEIGHTINGS,
    MODELS,
    PATHS,
    SOLVERS,
    TARGETS,
    TIME_GRIDS,
    TIME_SAMPLERS,
)
from greenreg.schedules.base import TrainProgress
from greenreg.targets.base import Denoised


@MODELS.register_module()
class FlowGenerator(SamplingMixin, BaseModel):
    """Learns a flow from a source x0 (t=0) to data x1 (t=1); every part is a slot.

    One training step (:meth:`loss`) reads top to bottom: encode the data (optional frozen
    autoencoder), draw sources, couple them with the data, draw t, build x_t and the
    target on the path, run the backbone on (x_t, t, condition), take the per-sample loss
    and its weighting, then every loss term on the resulting :class:`TrainStep`. Diffusion
    (DDPM, eps/x0/v targets) and flow matching are configs of it (Kingma & Gao 2023);
    sampling (:meth:`sample`) runs any solver on any time grid, guided or not.

    Args:
        backbone (dict): (x_t (B, C, H, W), t (B,), cond) -> prediction (B, C, H, W).
        path (dict): probability path / noise schedule (PATHS).
        target (dict): what the backbone predicts (TARGETS).
        time_sampler (dict): training times (TIME_SAMPLERS).
        source (dict | None): x0 (MODELS, ``models/sources``); None = GaussianNoiseSource.
        coupling (dict | None): pairs x0 with x1 (COUPLINGS); None = IndependentCoupling.
        conditioning (dict | None): batch entry -> condition for the backbone (MODELS),
            e.g. ClassEmbeddingConditioner (adaLN); None = unconditional backbone.
        loss (dict | None): per-sample main loss (MODELS); None = FlowMSELoss.
        weighting (dict | None): per-time loss weight (LOSS_WEIGHTINGS); None = 1.
        loss_terms (dict | None): name -> loss term (MODELS, ``models/loss_terms``), each
            logged as ``loss_<name>`` with its own weight schedule.
        autoencoder (dict | None): frozen encoder/decoder around the flow (MODELS).
        solver (dict | None): sampler (SOLVERS); None = EulerSolver.
        time_grid (dict | None): sampling times (TIME_GRIDS); None = UniformTimeGrid(50).
        guidance (dict | None): wraps the model while sampling (GUIDANCE).
        sample_shape (tuple | None): (C, H, W) of x0; None = the source's or backbone's.
        data_preprocessor (dict | None): mmengine data preprocessor.

    Example:
        see ``configs/_base_/models/ddpm_unet.py`` and ``fm_crossmodal.py``.
    """

    def __init__(
        self,
        backbone: dict,
        path: dict,
        target: dict,
        time_sampler: dict,
        source: dict | None = None,
        coupling: dict | None = None,
        conditioning: dict | None = None,
        loss: dict | None = None,
        weighting: dict | None = None,
        loss_terms: dict | None = None,
        autoencoder: dict | None = None,
        solver: dict | None = None,
        time_grid: dict | None = None,
        guidance: dict | None = None,
        sample_shape: tuple | list | None = None,
        data_preprocessor: dict | None = None,
    ) -> None:
        super().__init__(data_preprocessor=data_preprocessor)
        self.backbone = MODELS.build(component_config(backbone, "backbone"))
        self.path = PATHS.build(component_config(path, "path"))
        self.target = TARGETS.build(component_config(target, "target"))
        self.time_sampler = TIME_SAMPLERS.build(component_config(time_sampler, "time_sampler"))
        self.source = build_or_default(MODELS, source, "source", "GaussianNoiseSource")
        self.coupling = build_or_default(COUPLINGS, coupling, "coupling", "IndependentCoupling")
        self.conditioning = build_optional(MODELS, conditioning, "conditioning")
        self.loss_fn = build_or_default(MODELS, loss, "loss", "FlowMSELoss")
        self.weighting = build_optional(LOSS_WEIGHTINGS, weighting, "weighting")
        self.loss_terms = nn.ModuleDict(
            {
                name: MODELS.build(component_config(cfg, f"loss_terms.{name}"))
                for name, cfg in (loss_terms or {}).items()
            }
        )
        self.autoencoder = build_optional(MODELS, autoencoder, "autoencoder")
        self.solver = build_or_default(SOLVERS, solver, "solver", "EulerSolver")
        self.time_grid = build_or_default(TIME_GRIDS, time_grid, "time_grid", "UniformTimeGrid")
        self.guidance = build_optional(GUIDANCE, guidance, "guidance")
        self.sample_shape = self._resolve_sample_shape(sample_shape)
        # an OrderedDict, as torch's own hooks: RemovableHandle keeps a weak reference to it
        self._step_observers: OrderedDict[int, object] = OrderedDict()
        self._check_guidance()

    def _resolve_sample_shape(self, given) -> tuple[int, ...]:
        """x0's shape: given, the source's or autoencoder's, or the backbone's (C, H, W)."""
        channels = getattr(self.backbone, "out_channels", None)
        channels = channels or getattr(self.backbone, "in_channels", None)
        backbone = channels, getattr(self.backbone, "image_size", None)
        own = tuple(getattr(self.source, "shape", ()) or ())
        own = own or tuple(getattr(self.autoencoder, "latent_shape", None) or ())
        from_backbone = (backbone[0], backbone[1], backbone[1]) if None not in backbone else ()
        shape = tuple(given) if given is not None else own or from_backbone
        if self.autoencoder is None and own and from_backbone and own != from_backbone:
            raise ValueError(
                f"FlowGenerator (model.source): the flow's source must have the backbone's "
                f"image shape; expected {from_backbone}, got {own}."
            )
        if not shape:
            raise ValueError(
                "FlowGenerator.sample_shape (model.sample_shape): cannot tell x0's shape from "
                "the source or the backbone; expected (C, H, W), got None."
            )
        return shape

    def _check_guidance(self) -> None:
        if getattr(self.guidance, "needs_objective", False):
            raise ValueError(
                f"FlowGenerator.guidance (model.guidance): {type(self.guidance).__name__} needs "
                f"an objective known only at sampling time; expected a guidance that wraps the "
                f"model alone (ClassifierFreeGuidance), got it in the config. Pass it to "
                f"model.sample(batch, guide=...) instead."
            )
        needs_uncond = self.guidance is not None and hasattr(self.guidance, "scale_at")
        if needs_uncond and not hasattr(self.conditioning, "unconditional_embedding"):
            raise ValueError(
                "FlowGenerator.guidance (model.guidance): classifier-free guidance needs a "
                "conditioning with an unconditional branch; expected model.conditioning such "
                f"as ClassEmbeddingConditioner, got {type(self.conditioning).__name__}."
            )

    def register_step_observer(self, observer) -> RemovableHandle:
        """Calls ``observer(step: TrainStep)`` after every training step's losses.

        The way hooks read a step (torch's hook-handle pattern): ``handle.remove()`` stops it.
        """
        handle = RemovableHandle(self._step_observers)
        self._step_observers[handle.id] = observer
        return handle

    def forward(
        self,
        inputs: Tensor | None = None,
        mode: str = "loss",
        progress: TrainProgress | None = None,
        seed: Tensor | None = None,
        **batch: Tensor,
    ) -> dict | list:
        """The Runner's entry point, called with the batch's keys.

        Args:
            inputs (Tensor | None): data x1, shape (B, C, H, W), in [-1, 1]; for ``loss``.
            mode (str): ``"loss"`` or ``"predict"``.
            progress (TrainProgress | None): training progress (TrainProgressHook adds it).
            seed (Tensor | None): noise seed per sample, shape (B,); for ``predict``.
            **batch (Tensor): the batch's other entries (``label``, ``tokens``, ...).

        Returns:
            dict | list: ``loss``: see :meth:`loss`; ``predict``: one dict per sample with
            ``samples`` (C, H, W) in [-1, 1] and ``label`` (-1 without one).
        """
        if mode == "loss":
            if inputs is None:
                raise ValueError("FlowGenerator.forward: mode 'loss' needs `inputs` (x1).")
            if progress is None:
                raise ValueError(
                    "FlowGenerator.forward: mode 'loss' needs `progress` in the batch; expected "
                    "TrainProgressHook in custom_hooks (configs/_base_/default_runtime.py)."
                )
            return self.loss(dict(batch, inputs=inputs), progress)
        if mode == "predict":
            samples = self.sample(batch, None if seed is None else seed.tolist())
            labels = batch["label"].tolist() if "label" in batch else [-1] * len(samples)
            return [dict(samples=s, label=y) for s, y in zip(samples, labels)]
        raise ValueError(f"FlowGenerator.forward: mode must be 'loss' or 'predict', got {mode!r}.")

    def loss(self, batch: dict, progress: TrainProgress) -> dict[str, Tensor]:
        """One training step's losses.

        Args:
            batch (dict): ``inputs`` (x1, (B, C, H, W)) and the other entries.
            progress (TrainProgress): iteration and images seen before this step.

        Returns:
            dict[str, Tensor]: ``loss_flow`` and ``loss_<term>`` for every loss term whose
            weight is > 0 now, each a weighted scalar.
        """
        x1 = self.encode(batch["inputs"])
        drawn = self.source(batch, x1)
        cond = self.condition(batch)
        plan = self.coupling.plan(drawn.x0, x1, cond, progress)
        x0, source_extras = (
            take(drawn.x0, plan.source_index),
            take_all(drawn.extras, plan.source_index),
        )
        x1, cond = take(x1, plan.data_index), take(cond, plan.data_index)
        others = take_all({k: v for k, v in batch.items() if k != "inputs"}, plan.data_index)
        step = self.flow_step(x0, x1, cond, progress, batch=others, source=source_extras)
        return self.step_losses(step)

    def flow_step(
        self, x0: Tensor, x1: Tensor, cond: Tensor | None, progress: TrainProgress, **extras
    ) -> TrainStep:
        """The flow-matching step on coupled pairs: draw t, build x_t and the target, predict.

        Args:
            x0 (Tensor): sources, shape (B, ...), paired row by row with x1.
            x1 (Tensor): data (in the flow's space), same shape.
            cond (Tensor | None): the backbone's condition, batch first.
            progress (TrainProgress): iteration and images seen before this step.
            **extras: further TrainStep fields (``batch``, ``source``, ``one_step``, ...).

        Returns:
            TrainStep: with the weighted per-sample main loss, shape (B,).
        """
        t = self.time_sampler(len(x1), progress.iteration, device=x1.device)
        xt = self.path.sample(x0, x1, t).xt
        per_time = self.path.coefficients(t)  # (B,): what the weighting reads
        c = per_time.expand_like(x1)  # (B, 1, 1, 1)
        target = self.target.from_denoised(Denoised(x1=x1, eps=x0), c)
        prediction = self.network(xt, t, cond)  # bf16 under autocast
        per_sample = self.loss_fn(prediction.float(), target)  # (B,)
        weight = None
        if self.weighting is not None:
            weight = self.weighting(per_time, self.target).to(per_sample)
            per_sample = weight * per_sample
        return TrainStep(
            x0=x0, x1=x1, t=t, xt=xt, coefficients=c, target=target, prediction=prediction,
            loss=per_sample, weight=weight, cond=cond, progress=progress, path=self.path,
            time_sampler=self.time_sampler, target_kind=self.target,
            loss_name=type(self.loss_fn).__name__, **extras,
        )  # fmt: skip

    def step_losses(self, step: TrainStep) -> dict[str, Tensor]:
        """``loss_flow`` and every loss term whose weight is > 0 now; observers see the step."""
        losses = dict(loss_flow=step.loss.mean())
        for name, term in self.loss_terms.items():
            weight_now = term.weight(step.progress)
            if weight_now > 0:  # a term switched off costs nothing
                losses[f"loss_{name}"] = weight_now * term(step).mean()
        for observer in list(self._step_observers.values()):
            observer(step)
        return losses

    def encode(self, x: Tensor) -> Tensor:
        """Data (B, C, H, W) into the flow's space (the autoencoder's latent, if any)."""
        return x if self.autoencoder is None else self.autoencoder.encode(x)

    def decode(self, z: Tensor) -> Tensor:
        """The flow's space back to data."""
        return z if self.autoencoder is None else self.autoencoder.decode(z)

    def condition(self, batch: dict) -> Tensor | None:
        """The backbone's condition from the batch (None without a conditioning)."""
        if self.conditioning is None:
            return None
        key = self.conditioning.key
        if key not in batch:
            raise KeyError(
                f"{type(self.conditioning).__name__}.key (model.conditioning.key): the batch has "
                f"no {key!r}; expected a dataset that yields it, got keys {sorted(batch)}."
            )
        return self.conditioning(batch[key])

    def network(self, xt: Tensor, t: Tensor, cond: Tensor | None) -> Tensor:
        """The backbone's raw prediction at (x_t (B, ...), t (B,), cond).

        The conditioning's ``reaches`` says how: ``"embedding"`` (the default) hands cond to
        the backbone (adaLN / AdaGN), ``"channels"`` concatenates it to x_t,
        ``"channels_and_embedding"`` does both (the embedding from the conditioning's
        ``embedding(cond)``).
        """
        if cond is None:
            return self.backbone(xt, t)
        reaches = getattr(self.conditioning, "reaches", "embedding")
        if reaches == "channels":
            return self.backbone(torch.cat([xt, cond.to(xt.dtype)], dim=1), t)
        if reaches == "channels_and_embedding":
            stacked = torch.cat([xt, cond.to(xt.dtype)], dim=1)
            return self.backbone(stacked, t, self.conditioning.embedding(cond))
        return self.backbone(xt, t, cond)
