"""Loss terms: weighted objectives beside the main flow loss, each reading the TrainStep."""

from greenreg.models.loss_terms.base import BaseLossTerm
from greenreg.models.loss_terms.latent_green import LatentGreenOperatorLoss
from greenreg.models.loss_terms.mapped import MappedLossTerm

__all__ = ["BaseLossTerm", "LatentGreenOperatorLoss", "MappedLossTerm"]
