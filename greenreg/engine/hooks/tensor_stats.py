"""Statistics of a generator's training tensors, as JSON lines for tools/diagnose.py."""

from __future__ import annotations

import json
import math
import os

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import Tensor
from torch.utils.hooks import RemovableHandle

from greenreg.engine.hooks.run_state import is_resuming
from greenreg.models.generators.train_step import TrainStep
from greenreg.registry import HOOKS

# per-tensor statistics, in the order tensor_summary stacks them
STAT_NAMES = ("min", "max", "mean", "std", "nan", "inf")
# u of the declared sampler's quantiles: 100 points, away from the (possibly infinite) ends
QUANTILE_LEVELS = (0.005, 0.995, 100)
# how many of each schedule list's first and last values the schedule record keeps
SCHEDULE_EDGE = 10


def tensor_summary(x: Tensor) -> Tensor:
    """min, max, mean, std over the finite entries of x, then the NaN and Inf counts.

    Args:
        x (Tensor): any shape and floating dtype.

    Returns:
        Tensor: shape (6,), float32, on x's device; min/max/mean/std are NaN when no entry is
        finite. No host sync: the caller transfers all summaries at once.
    """
    x = x.detach().float().flatten()
    finite = torch.isfinite(x)
    count = finite.sum()
    mean = torch.where(finite, x, 0.0).sum() / count.clamp(min=1)
    var = torch.where(finite, x - mean, 0.0).square().sum() / (count - 1).clamp(min=1)
    low = torch.where(finite, x, math.inf).min()
    high = torch.where(finite, x, -math.inf).max()
    stats = torch.stack([low, high, mean, var.sqrt()])
    stats = torch.where(count > 0, stats, math.nan)
    # counts travel as float32 with the rest: exact up to 2^24 (16.7M) entries per tensor
    return torch.cat([stats, torch.stack([x.isnan().sum(), x.isinf().sum()]).float()])


def summarise_list(values: list[float]) -> dict:
    """First and last SCHEDULE_EDGE values, min, max, length and monotonicity of a list."""
    finite = [v for v in values if math.isfinite(v)]
    steps = [b - a for a, b in zip(values, values[1:])]
    if all(s >= 0 for s in steps):
        monotone = "nondecreasing"
    elif all(s <= 0 for s in steps):
        monotone = "nonincreasing"
    else:
        monotone = "neither"
    return dict(
        first=values[:SCHEDULE_EDGE],
        last=values[-SCHEDULE_EDGE:],
        min=min(finite, default=None),
        max=max(finite, default=None),
        len=len(values),
        monotone=monotone,
    )


def json_safe(value):
    """NaN and +-Inf become "nan", "inf", "-inf" (strict JSON; ``float()`` reads them back).

    Recursive through dicts and lists. Strings, not null: a log SNR of -inf at pure noise is
    a fact about the schedule, a NaN loss is a fault, and the reader must tell them apart.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


@HOOKS.register_module()
class TensorStatsHook(Hook):
    """Writes the schedule once, then the training tensors' statistics every ``interval``.

    Seed 004's debugging method: every hypothesis about a failing diffusion run (data range,
    t sampling, forward process, prediction, loss, constants, precision) is settled by a few
    numbers per iteration. The hook reads each step's :class:`TrainStep` through the
    generator's ``register_step_observer``, so it works for any generator that publishes
    one, and ``<work_dir>/<file_name>`` gets JSON lines:

    - ``{"kind": "schedule", ...}`` with the first recorded step: path type, its
      ``schedule_constants()`` summarised (first and last 10, min, max, len, monotone per
      list), its tensors' dtypes, sampling range, time sampler, target and loss types.
    - ``{"kind": "step", "iter": i, ...}`` at iterations ``i % interval == 0`` and the last
      (``i`` = ``runner.iter`` before the step, 0-based; mmengine's scalars.json logs it as
      ``i + 1``): lr, the logged loss, per-tensor min/max/mean/std (over finite entries),
      NaN/Inf counts, dtype and shape of x1, t, noise (x0), xt, prediction, target and
      per-sample loss; up to ``max_t_values`` raw t; the sampler's 100 quantiles at this
      iteration; and the forward residual ||xt - (alpha x1 + sigma x0)|| / ||xt||.

    Non-finite numbers are written as the strings ``"nan"``, ``"inf"``, ``"-inf"``. Only
    recorded iterations pay (statistics on the device, one host transfer); the others cost
    one Python call (``bench/overhead.py`` measures it).

    Args:
        interval (int): record every ``interval`` iterations, >= 1.
        file_name (str): JSON-lines file written in the work dir.
        max_t_values (int): raw t values kept per record, >= 0.

    Raises:
        ValueError: a bad argument, or (in ``before_train``) a model that publishes no
            training step.

    Example:
        ``custom_hooks = [dict(type='TensorStatsHook', interval=50)]``
    """

    priority = "NORMAL"

    def __init__(
        self, interval: int = 50, file_name: str = "tensor_stats.jsonl", max_t_values: int = 256
    ) -> None:
        if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
            raise ValueError(
                f"TensorStatsHook.interval (custom_hooks.TensorStatsHook.interval): expected an "
                f"int >= 1, got {interval!r}."
            )
        if not isinstance(max_t_values, int) or max_t_values < 0:
            raise ValueError(
                f"TensorStatsHook.max_t_values (custom_hooks.TensorStatsHook.max_t_values): "
                f"expected an int >= 0, got {max_t_values!r}."
            )
        if not file_name or os.sep in file_name:
            raise ValueError(
                f"TensorStatsHook.file_name (custom_hooks.TensorStatsHook.file_name): expected "
                f"a plain file name, got {file_name!r}."
            )
        self.interval, self.file_name, self.max_t_values = interval, file_name, max_t_values
        self.path = ""
        self._handle: RemovableHandle | None = None
        self._armed = False
        self._schedule_written = False
        self._model_name = ""
        self._pending: tuple[dict, Tensor] | None = None
        self._iter_info: dict = {}

    def before_train(self, runner) -> None:
        """Subscribes to the model's training steps; a resumed run appends to the file."""
        twins = [h for h in runner.hooks if isinstance(h, TensorStatsHook) and h is not self]
        if any(h.file_name == self.file_name for h in twins):
            raise ValueError(
                f"TensorStatsHook.file_name (custom_hooks): two TensorStatsHooks would write "
                f"{self.file_name!r}; expected one per file (the default runtime has one: "
                f"change its interval instead of adding another), got {len(twins) + 1}."
            )
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        resuming = is_resuming(runner)
        self.attach(model, os.path.join(runner.work_dir, self.file_name), append=resuming)

    def attach(self, model, path: str, append: bool = False) -> None:
        """Records ``model``'s training steps into ``path``.

        Args:
            model (nn.Module): the unwrapped model; it must have ``register_step_observer``.
            path (str): the JSONL file; ``append`` keeps an existing file's records.
            append (bool): append to ``path`` (a resumed run) instead of starting it afresh.
        """
        if not hasattr(model, "register_step_observer"):
            raise ValueError(
                f"TensorStatsHook (custom_hooks): the model publishes no training step; "
                f"expected a generator with `register_step_observer` (FlowGenerator), got "
                f"{type(model).__name__}."
            )
        self.path, self._model_name = path, type(model).__name__
        self._handle = model.register_step_observer(self._observe)
        if is_main_process():
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            if not (append and os.path.exists(path)):
                open(path, "w").close()

    def detach(self) -> None:
        """Stops recording."""
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def arm(self, iteration: int, lr: float) -> None:
        """Records the next training step as iteration ``iteration`` with learning rate ``lr``."""
        self._iter_info = dict(iter=iteration, lr=lr)
        self._pending, self._armed = None, True

    def after_train(self, runner) -> None:
        """Unsubscribes."""
        self.detach()

    def _schedule_record(self, step: TrainStep) -> dict:
        path = step.path
        constants = path.schedule_constants() if hasattr(path, "schedule_constants") else {}
        dtypes = {k: str(v.dtype) for k, v in vars(path).items() if isinstance(v, Tensor)}
        return dict(
            kind="schedule",
            model=self._model_name,
            path=type(path).__name__,
            constants={k: summarise_list(list(v)) for k, v in constants.items()},
            constants_dtype=dtypes,
            sampling_range=list(getattr(path, "sampling_range", (0.0, 1.0))),
            time_sampler=type(step.time_sampler).__name__,
            target=type(step.target_kind).__name__,
            loss=step.loss_name,
        )

    def _is_recorded(self, runner) -> bool:
        return runner.iter % self.interval == 0 or runner.iter + 1 == runner.max_iters

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Arms the observer on recorded iterations; reads the lr this step will use."""
        if self._handle is None or not self._is_recorded(runner) or not is_main_process():
            return
        lrs = runner.optim_wrapper.get_lr()
        self.arm(runner.iter, float(next(iter(lrs.values()))[0]))

    def _observe(self, step: TrainStep) -> None:
        """Summarises an armed step's tensors on their device; the transfer waits for the loss."""
        if not self._armed:
            return
        self._armed = False
        if not self._schedule_written and is_main_process():
            with open(self.path, "a") as f:
                f.write(json.dumps(json_safe(self._schedule_record(step)), allow_nan=False) + "\n")
            self._schedule_written = True
        tensors = dict(
            x1=step.x1, t=step.t, noise=step.x0, xt=step.xt, prediction=step.prediction,
            target=step.target, loss=step.loss,
        )  # fmt: skip
        t = step.t.detach()
        # fp32 statistics even under bf16 autocast: std of a bf16 sum loses 3 digits
        with torch.no_grad(), torch.autocast(t.device.type, enabled=False):
            summaries = [tensor_summary(v) for v in tensors.values()]
            levels = torch.linspace(*QUANTILE_LEVELS, device=t.device)
            quantiles = step.time_sampler.transform(levels, step.progress.iteration)
            flat = torch.cat(
                [*summaries, t.float()[: self.max_t_values], quantiles.float().flatten()]
            )
            flat = torch.cat([flat, forward_residual(step).reshape(1)])
        meta = {k: (str(v.dtype).removeprefix("torch."), list(v.shape)) for k, v in tensors.items()}
        self._pending = (meta, flat)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Appends the step record (one host transfer)."""
        self.write_pending(outputs)

    def write_pending(self, outputs: dict | None) -> None:
        """Writes the recorded step, with the logged ``loss`` from ``outputs``."""
        self._armed = False
        if self._pending is None:  # nothing recorded this step
            return
        meta, flat = self._pending
        self._pending = None
        loss = (outputs or {}).get("loss", math.nan)
        loss = loss.detach() if isinstance(loss, Tensor) else torch.tensor(float(loss))
        loss = loss.float().reshape(1).to(flat.device)
        values = torch.cat([flat, loss]).tolist()  # the one device -> host sync
        with open(self.path, "a") as f:
            record = self._step_record(meta, values)
            f.write(json.dumps(json_safe(record), allow_nan=False) + "\n")

    def _step_record(self, meta: dict, values: list[float]) -> dict:
        width = len(STAT_NAMES)
        tensors = {}
        for i, (name, (dtype, shape)) in enumerate(meta.items()):
            stats = dict(zip(STAT_NAMES, values[i * width : (i + 1) * width]))
            stats["nan"], stats["inf"] = int(stats["nan"]), int(stats["inf"])
            tensors[name] = dict(stats, dtype=dtype, shape=shape)
        rest = values[len(meta) * width :]
        num_t = min(self.max_t_values, math.prod(meta["t"][1]))
        num_q = QUANTILE_LEVELS[2]
        return dict(
            kind="step",
            **self._iter_info,
            loss=rest[-1],
            tensors=tensors,
            t_values=rest[:num_t],
            t_expected_quantiles=rest[num_t : num_t + num_q],
            forward_residual=rest[-2],
        )


def forward_residual(step: TrainStep) -> Tensor:
    """||xt - (alpha x1 + sigma x0)|| / ||xt||, from the step's own path coefficients."""
    x1, x0, xt = (v.detach().float() for v in (step.x1, step.x0, step.xt))
    c = step.coefficients
    expected = c.alpha.float() * x1 + c.sigma.float() * x0
    return (xt - expected).norm() / xt.norm().clamp(min=1e-12)
