"""Noise-to-data generation on any path, with any prediction target, optionally guided."""

from __future__ import annotations

from collections.abc import Callable

import torch
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from torch import Tensor

from greenreg.registry import (
    GUIDANCE,
    LOSS_WEIGHTINGS,
    MODELS,
    PATHS,
    SOLVERS,
    TARGETS,
    TIME_SAMPLERS,
)
from greenreg.solvers.diffusion_base import BaseDiffusionSampler
from greenreg.targets import Denoised, VelocityTarget

# called with the step's tensors when set (TensorStatsHook does); None costs nothing
TensorProbe = Callable[[dict[str, Tensor]], None]


@MODELS.register_module()
class DiffusionGenerator(BaseModel):
    """Learns to map x0 ~ N(0, I) (t=0) to data x1 (t=1), class-conditionally.

    Diffusion and flow matching are one model here (Kingma & Gao 2023): the path fixes
    x_t = alpha x1 + sigma x0, the target fixes what the backbone predicts (eps for DDPM,
    velocity for rectified flow), the weighting fixes each time's share of the loss.
    Sampling works with any solver: ODE solvers get the prediction converted to a velocity,
    diffusion samplers (DDPM, DDIM) get it as (x1, eps).

    Args:
        backbone (dict): (x_t (B, C, H, W), t (B,), cond (B, D)) -> prediction (B, C, H, W).
        path (dict): probability path / noise schedule (PATHS).
        target (dict): prediction target (TARGETS).
        time_sampler (dict): training times (TIME_SAMPLERS).
        loss (dict): per-sample loss (MODELS), e.g. FlowMSELoss (a plain MSE).
        solver (dict): sampler used by :meth:`sample` (SOLVERS).
        conditioner (dict | None): labels -> embeddings (ClassEmbeddingConditioner).
        weighting (dict | None): per-time loss weights (LOSS_WEIGHTINGS); None = 1.
        guidance (dict | None): classifier-free guidance at sampling time (GUIDANCE).
        data_preprocessor (dict | None): mmengine data preprocessor.

    Example:
        see ``configs/ddpm_mnist.py``.
    """

    def __init__(
        self,
        backbone: dict,
        path: dict,
        target: dict,
        time_sampler: dict,
        loss: dict,
        solver: dict,
        conditioner: dict | None = None,
        weighting: dict | None = None,
        guidance: dict | None = None,
        data_preprocessor: dict | None = None,
    ) -> None:
        super().__init__(data_preprocessor=data_preprocessor)
        self.backbone = MODELS.build(backbone)
        self.path = PATHS.build(path)
        self.target = TARGETS.build(target)
        self.time_sampler = TIME_SAMPLERS.build(time_sampler)
        self.loss_fn = MODELS.build(loss)
        self.solver = SOLVERS.build(solver)
        self.conditioner = None if conditioner is None else MODELS.build(conditioner)
        self.weighting = None if weighting is None else LOSS_WEIGHTINGS.build(weighting)
        self.guidance = None if guidance is None else GUIDANCE.build(guidance)
        if self.guidance is not None and self.conditioner is None:
            raise ValueError(
                "DiffusionGenerator.guidance (model.guidance): guidance needs a conditioner; "
                "expected model.conditioner to be set, got None."
            )
        self.tensor_probe: TensorProbe | None = None

    def forward(
        self,
        inputs: Tensor | None = None,
        label: Tensor | None = None,
        seed: Tensor | None = None,
        mode: str = "loss",
        **unused: Tensor,
    ) -> dict | list:
        """The Runner's entry point; extra batch keys (caption tokens) are ignored.

        Args:
            inputs (Tensor | None): images x1, shape (B, C, H, W), in [-1, 1]; for ``loss``.
            label (Tensor | None): class per sample, shape (B,).
            seed (Tensor | None): noise seed per sample, shape (B,); for ``predict``.
            mode (str): ``"loss"`` or ``"predict"``.
            **unused (Tensor): other batch keys.

        Returns:
            dict | list: ``loss``: see :meth:`loss`; ``predict``: one dict per sample with
            ``samples`` (C, H, W) in [-1, 1] and ``label``.
        """
        if mode == "loss":
            if inputs is None:
                raise ValueError("DiffusionGenerator.forward: mode 'loss' needs `inputs`.")
            return self.loss(inputs, label)
        if mode == "predict":
            if label is None:
                raise ValueError("DiffusionGenerator.forward: mode 'predict' needs `label`.")
            samples = self.sample(label, None if seed is None else seed.tolist())
            return [dict(samples=s, label=y) for s, y in zip(samples, label.tolist())]
        raise ValueError(
            f"DiffusionGenerator.forward: mode must be 'loss' or 'predict', got {mode!r}."
        )

    def loss(self, x1: Tensor, label: Tensor | None = None) -> dict[str, Tensor]:
        """One training step: noise, times, x_t, prediction, weighted per-sample loss.

        Args:
            x1 (Tensor): images, shape (B, C, H, W), in [-1, 1].
            label (Tensor | None): class per image, shape (B,); needed with a conditioner.

        Returns:
            dict[str, Tensor]: ``loss`` -> scalar.
        """
        iteration = MessageHub.get_current_instance().get_info("iter", 0)
        x0 = torch.randn_like(x1)
        t = self.time_sampler(len(x1), iteration, device=x1.device)
        xt = self.path.sample(x0, x1, t).xt
        c = self.path.coefficients(t)
        target = self.target.from_denoised(Denoised(x1=x1, eps=x0), c.expand_like(x1))
        raw = self.backbone(xt, t, self._condition(label, len(x1)))  # bf16 under autocast
        prediction = raw.float()
        per_sample = self.loss_fn(prediction, target)  # (B,)
        if self.weighting is not None:
            per_sample = self.weighting(c, self.target).to(per_sample.device) * per_sample
        if self.tensor_probe is not None:
            self.tensor_probe(
                dict(x1=x1, t=t, noise=x0, xt=xt, prediction=raw, target=target, loss=per_sample)
            )
        return dict(loss=per_sample.mean())

    def _condition(self, label: Tensor | None, batch_size: int) -> Tensor | None:
        if self.conditioner is None:
            return None
        if label is None:
            raise ValueError(
                "DiffusionGenerator: the conditioner needs `label` in every batch; expected a "
                "dataset that yields `label`, got none."
            )
        return self.conditioner(label)

    def predict(self, xt: Tensor, t: Tensor, label: Tensor | None) -> Tensor:
        """The backbone's prediction at (xt (B, ...), t (B,)), guided when configured."""
        cond = self._condition(label, len(xt))
        if self.guidance is None or self.guidance.scale_at(float(t[0])) == 1.0:
            return self.backbone(xt, t, cond).float()
        uncond = self.conditioner.unconditional_embedding(len(xt))
        both = self.backbone(torch.cat([xt, xt]), torch.cat([t, t]), torch.cat([cond, uncond]))
        conditional, unconditional = both.float().chunk(2)
        return self.guidance(conditional, unconditional, float(t[0]))

    @torch.no_grad()
    def sample(self, label: Tensor, seeds: list[int] | None = None) -> Tensor:
        """Images for labels (B,), from per-sample seeds so each is independent of its batch.

        Returns:
            Tensor: images, shape (B, C, H, W), clamped to [-1, 1].
        """
        shape = (self.backbone.in_channels, self.backbone.image_size, self.backbone.image_size)
        device = label.device
        gens = [torch.Generator(device).manual_seed(int(s)) for s in (seeds or [])]

        def noise(like: Tensor) -> Tensor:
            if not gens:
                return torch.randn_like(like)
            return torch.stack(
                [torch.randn(like.shape[1:], device=device, generator=g) for g in gens]
            )

        start, stop = self.path.sampling_range
        x = noise(torch.empty(len(label), *shape, device=device))
        x = x * self.path.coefficients(torch.full((len(label),), start, device=device)).sigma.view(
            -1, 1, 1, 1
        )

        def coefficients(x: Tensor, t: Tensor):
            return self.path.coefficients(t).expand_like(x)

        def denoiser(x: Tensor, t: Tensor) -> Denoised:
            return self.target.to_denoised(self.predict(x, t, label), x, coefficients(x, t))

        if isinstance(self.solver, BaseDiffusionSampler):
            return self.solver.solve(denoiser, x, self.path, start, noise).x1.clamp(-1, 1)
        to_velocity = VelocityTarget()

        def velocity(x: Tensor, tau: Tensor) -> Tensor:
            # the solver runs tau in [0, 1]; t = start + (stop - start) tau
            t = start + (stop - start) * tau
            u = self.target.convert(self.predict(x, t, label), x, coefficients(x, t), to_velocity)
            return (stop - start) * u

        x = self.solver.solve(velocity, x).x1
        if stop < 1.0:  # the velocity diverges at t=1 here: jump to the x1 estimate
            x = denoiser(x, torch.full((len(x),), stop, device=device)).x1
        return x.clamp(-1, 1)
