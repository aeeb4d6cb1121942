"""FlowGenerator's sampling: source -> solver over a time grid -> decoder."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from greenreg.models.sources.base import seeded_normal
from greenreg.solvers.model_fn import ModelFn, time_like


class SamplingMixin:
    """:meth:`sample` for FlowGenerator (kept apart so each file reads in one sitting)."""

    def sampling_model(self, batch: dict) -> ModelFn:
        """The model as solvers see it for this batch: conditioned and guided as configured."""
        cond = self.condition(batch)
        uncond = None
        if cond is not None and hasattr(self.conditioning, "unconditional_embedding"):
            uncond = self.conditioning.unconditional_embedding(len(cond))
        model = ModelFn(self.network, self.path, self.target, cond, uncond)
        return model if self.guidance is None else self.guidance.wrap(model)

    def loss_term_guides(self, batch: dict) -> list[Callable[[ModelFn], ModelFn]]:
        """Guides that loss terms owning a physics operator offer (``sampling_guidance``)."""
        offers = (getattr(term, "sampling_guidance", None) for term in self.loss_terms.values())
        return [g for g in (offer(batch) for offer in offers if offer is not None) if g]

    def condition_keys(self) -> tuple[str, ...]:
        """The batch keys sampling needs (the source's and the conditioning's)."""
        own = (self.conditioning.key,) if self.conditioning is not None else ()
        return tuple(self.source.keys) + own

    @torch.no_grad()
    def sample(
        self,
        batch: dict,
        seeds: list[int] | None = None,
        guide: Callable[[ModelFn], ModelFn] | None = None,
    ) -> Tensor:
        """Samples for a batch of conditions; per-sample seeds make each batch-independent.

        Args:
            batch (dict): what :meth:`condition_keys` names (``tokens``, ``label``, ...),
                batch dimension B first.
            seeds (list[int] | None): one seed per sample (its x0 and any sampler noise);
                None draws from the global generator.
            guide (Callable | None): wraps the (configured) sampling model once more, e.g.
                ``lambda m: ObjectiveGradientGuidance(1.0).wrap(m, objective)``; None
                applies what the loss terms offer (LatentGreenOperatorLoss's guidance).

        Returns:
            Tensor: samples, shape (B, C, H, W), clamped to [-1, 1].
        """
        device = next(self.parameters()).device
        batch = {k: v.to(device) if isinstance(v, Tensor) else v for k, v in batch.items()}
        gens = [torch.Generator(device).manual_seed(int(s)) for s in seeds] if seeds else None
        grid = self.time_grid(self.path)
        x0 = self.source.draw(batch, self.sample_shape, gens, device)
        # x at t_0 = alpha x1 + sigma x0 with alpha(t_0) = 0 on noise-to-data paths
        x = self.path.coefficients(time_like(x0, float(grid[0]))).expand_like(x0).sigma * x0

        def noise(like: Tensor) -> Tensor:
            if gens is None:
                return torch.randn_like(like)
            return seeded_normal(tuple(like.shape[1:]), gens, device).to(like.dtype)

        model = self.sampling_model(batch)
        guides = [guide] if guide is not None else self.loss_term_guides(batch)
        for wrap in guides:
            model = wrap(model)
        x1 = self.solver.solve(model, x, grid, noise).x1
        return self.decode(x1).clamp(-1, 1)
