"""A per-sample loss applied to named fields of the training step."""

from __future__ import annotations

from torch import Tensor

from greenreg.models.generators.train_step import TrainStep
from greenreg.models.loss_terms.base import BaseLossTerm
from greenreg.registry import MODELS


@MODELS.register_module()
class MappedLossTerm(BaseLossTerm):
    """``loss(*[step.get(name) for name in inputs])``: any registered loss, on any fields.

    Fields are TrainStep names (``x0``, ``x1``, ``xt``, ``x1_estimate``, ``prediction``,
    ``target``, ``t``, ``cond``), the source's extras (``source.mu``) or batch entries
    (``batch.label``). Seed 001's terms: KL on (source.mu, source.log_var), contrastive on
    (source.mu, x1, batch.label), TV on (x0,), LPIPS on (x1_estimate, x1).

    Args:
        loss (dict): a per-sample loss (MODELS) returning shape (B,).
        inputs (list[str]): the fields handed to it, in order.
        weight (float | list | dict): constant, (iteration, weight) pairs or a schedule.

    Raises:
        TypeError: ``inputs`` is not a non-empty list of strings.
        KeyError: an input names no TrainStep field (``source.<key>`` and ``batch.<key>``
            are checked when the step is read: the source and the dataset decide them).

    Example:
        ``dict(type='MappedLossTerm', loss=dict(type='GaussianKLLoss'),
        inputs=['source.mu', 'source.log_var'], weight=[(0, 0.0), (1500, 0.1)])``
    """

    def __init__(self, loss: dict, inputs: list | tuple, weight: float | list | dict = 1.0):
        super().__init__(weight)
        if not (
            isinstance(inputs, (list, tuple)) and inputs and all(isinstance(n, str) for n in inputs)
        ):
            raise TypeError(
                f"MappedLossTerm.inputs (model.loss_terms.<name>.inputs): expected a list of "
                f"TrainStep field names, got {inputs!r}."
            )
        for name in inputs:
            check_field(name)
        self.loss = MODELS.build(loss)
        self.inputs = tuple(inputs)
        self.reads = self.inputs

    def forward(self, step: TrainStep) -> Tensor:
        """The loss on the named fields; shape (B,)."""
        return self.loss(*(step.get(name) for name in self.inputs))


def check_field(name: str) -> None:
    """Raises KeyError unless ``name`` can be a TrainStep field (see ``TrainStep.get``)."""
    scope, _, key = name.partition(".")
    if key and scope in ("source", "batch"):
        return
    fields = sorted(TrainStep.__dataclass_fields__) + ["x1_estimate"]
    if not key and name in fields:
        return
    raise KeyError(
        f"MappedLossTerm.inputs (model.loss_terms.<name>.inputs): no TrainStep field "
        f"{name!r}; expected one of {fields}, 'source.<key>' or 'batch.<key>', got {name!r}."
    )
