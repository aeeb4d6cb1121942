"""Cross-modal flow matching: a flow from a caption's latent Gaussian to the image."""

from __future__ import annotations

import torch
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from torch import Tensor, nn

from greenreg.models.conditioners import LatentGaussian
from greenreg.models.losses.weight_schedule import LossWeightSchedule
from greenreg.registry import MODELS, PATHS, SOLVERS, TIME_SAMPLERS

# the loss terms this generator knows; loss() says what each is computed on
LOSS_TERMS = ("flow", "kl", "contrastive", "tv", "lpips")


@MODELS.register_module()
class CrossModalFlowMatcher(BaseModel):
    """Flows the conditioner's sample z ~ N(mu(c), sigma(c)^2) (t=0) to the image x1 (t=1).

    Seed 001 (and Liu et al. 2024, CrossFlow): the backbone sees only (x_t, t); the caption
    reaches the image through the source z, so the conditioner alone decides how much
    spatial structure the flow starts from. Loss terms, each with a weight schedule:
    ``flow`` (v_pred vs v_target), ``kl`` (mu, log_var vs N(0, I)), ``contrastive``
    (mu vs x1, digits of one label are positives), ``tv`` (on z), ``lpips`` (x1 estimate
    vs x1).

    Args:
        text_encoder (dict): caption tokens (B, L) -> TextEncoding.
        conditioner (dict): TextEncoding -> LatentGaussian over (B, C, H, W).
        backbone (dict): (x_t, t) -> velocity, shapes (B, C, H, W), (B,).
        path (dict): probability path (PATHS).
        time_sampler (dict): training-time sampler (TIME_SAMPLERS).
        solver (dict): ODE solver used by :meth:`sample` (SOLVERS).
        losses (dict): term name (one of LOSS_TERMS) -> loss config (MODELS).
        loss_weights (dict): term name -> constant or [(iteration, weight), ...].
        data_preprocessor (dict | None): mmengine data preprocessor.

    Example:
        see ``configs/_base_/models/fm_crossmodal.py``.
    """

    def __init__(
        self,
        text_encoder: dict,
        conditioner: dict,
        backbone: dict,
        path: dict,
        time_sampler: dict,
        solver: dict,
        losses: dict,
        loss_weights: dict,
        data_preprocessor: dict | None = None,
    ) -> None:
        super().__init__(data_preprocessor=data_preprocessor)
        unknown = sorted(set(losses) - set(LOSS_TERMS))
        if unknown:
            raise KeyError(
                f"CrossModalFlowMatcher.losses (model.losses): unknown term(s) {unknown}; "
                f"expected names from {LOSS_TERMS}."
            )
        if set(losses) != set(loss_weights):
            raise KeyError(
                f"CrossModalFlowMatcher.loss_weights (model.loss_weights): every loss needs "
                f"exactly one weight; losses {sorted(losses)}, weights {sorted(loss_weights)}."
            )
        self.text_encoder = MODELS.build(text_encoder)
        self.conditioner = MODELS.build(conditioner)
        self.backbone = MODELS.build(backbone)
        self.path = PATHS.build(path)
        self.time_sampler = TIME_SAMPLERS.build(time_sampler)
        self.solver = SOLVERS.build(solver)
        self.losses = nn.ModuleDict({name: MODELS.build(cfg) for name, cfg in losses.items()})
        self.loss_weights = {n: LossWeightSchedule(n, w) for n, w in loss_weights.items()}
        self._check_shapes_agree()

    def _check_shapes_agree(self) -> None:
        """The source z must have the shape of the images the backbone takes."""
        latent = tuple(getattr(self.conditioner, "latent_shape", ()))
        size = getattr(self.backbone, "image_size", None)
        channels = getattr(self.backbone, "in_channels", None)
        if latent and size is not None and latent != (channels, size, size):
            raise ValueError(
                f"CrossModalFlowMatcher (model.conditioner.latent_shape): the flow's source "
                f"must have the backbone's image shape; expected {(channels, size, size)}, "
                f"got {latent}."
            )

    def forward(
        self,
        tokens: Tensor,
        inputs: Tensor | None = None,
        label: Tensor | None = None,
        seed: Tensor | None = None,
        mode: str = "loss",
    ) -> dict | list:
        """The Runner's entry point (mmengine calls it with the batch's keys).

        Args:
            tokens (Tensor): caption ids, shape (B, L).
            inputs (Tensor | None): images x1, shape (B, C, H, W), in [-1, 1]; for ``loss``.
            label (Tensor | None): digit per caption, shape (B,).
            seed (Tensor | None): noise seed per caption, shape (B,); for ``predict``.
            mode (str): ``"loss"`` or ``"predict"``.

        Returns:
            dict | list: ``loss``: see :meth:`loss`; ``predict``: one dict per caption with
            ``samples`` (C, H, W) in [-1, 1] and ``label``.
        """
        if mode == "loss":
            if inputs is None:
                raise ValueError("CrossModalFlowMatcher.forward: mode 'loss' needs `inputs`.")
            return self.loss(inputs, tokens, label)
        if mode == "predict":
            samples = self.sample(tokens, None if seed is None else seed.tolist())
            labels = [-1] * len(tokens) if label is None else label.tolist()
            return [dict(samples=s, label=y) for s, y in zip(samples, labels)]
        raise ValueError(
            f"CrossModalFlowMatcher.forward: mode must be 'loss' or 'predict', got {mode!r}."
        )

    def loss(self, x1: Tensor, tokens: Tensor, label: Tensor | None = None) -> dict[str, Tensor]:
        """One training step's losses.

        Args:
            x1 (Tensor): images, shape (B, C, H, W), in [-1, 1].
            tokens (Tensor): caption ids, shape (B, L).
            label (Tensor | None): digit per caption, shape (B,); contrastive positives.

        Returns:
            dict[str, Tensor]: ``loss_<term>`` -> weighted scalar, for every term whose
            weight at the current iteration is > 0.
        """
        iteration = MessageHub.get_current_instance().get_info("iter", 0)
        weights = {name: schedule(iteration) for name, schedule in self.loss_weights.items()}
        latent = self.encode(tokens)  # mu, log_var: (B, C, H, W)
        x0 = latent.sample()
        t = self.time_sampler(len(x1), iteration, device=x1.device)
        sample = self.path.sample(x0, x1, t)
        v_pred = self.backbone(sample.xt, t)
        inputs = dict(
            flow=lambda: (v_pred, sample.v_target),
            kl=lambda: (latent.mu, latent.log_var),
            contrastive=lambda: (latent.mu, x1, label),
            tv=lambda: (x0,),
            lpips=lambda: (self.path.predict_x1(sample.xt, v_pred, t), x1),
        )
        out: dict[str, Tensor] = {}
        for name, loss_fn in self.losses.items():
            # a term switched off by its schedule costs nothing (LPIPS after its window)
            if weights[name] > 0:
                out[f"loss_{name}"] = weights[name] * loss_fn(*inputs[name]()).mean()
        return out

    def encode(self, tokens: Tensor) -> LatentGaussian:
        """The source Gaussian for caption ids of shape (B, L)."""
        return self.conditioner(self.text_encoder(tokens))

    @torch.no_grad()
    def sample(self, tokens: Tensor, seeds: list[int] | None = None) -> Tensor:
        """Images for captions: z ~ source Gaussian, then the solver integrates to t=1.

        Args:
            tokens (Tensor): caption ids, shape (B, L).
            seeds (list[int] | None): one seed per caption, so an image does not depend on
                the batch it was drawn in; None draws from the global generator.

        Returns:
            Tensor: images, shape (B, C, H, W), clamped to [-1, 1].
        """
        latent = self.encode(tokens)
        if seeds is None:
            z = latent.sample()
        else:
            z = torch.stack(
                [
                    LatentGaussian(latent.mu[i : i + 1], latent.log_var[i : i + 1]).sample(
                        torch.Generator(tokens.device).manual_seed(int(seed))
                    )[0]
                    for i, seed in enumerate(seeds)
                ]
            )
        return self.solver.solve(self.backbone, z).x1.clamp(-1, 1)
