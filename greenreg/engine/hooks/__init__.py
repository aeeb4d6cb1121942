"""Hooks greenreg adds to mmengine's (EMAHook, CheckpointHook, ... are used as they are)."""

from greenreg.engine.hooks.checkpoint_compatibility import CheckpointCompatibilityHook
from greenreg.engine.hooks.kimg_stats import KimgStatsHook
from greenreg.engine.hooks.latent_statistics import LatentStatisticsHook
from greenreg.engine.hooks.loss_ema import LossEMAHook
from greenreg.engine.hooks.metrics_json import MetricsJsonHook
from greenreg.engine.hooks.non_finite_guard import NonFiniteGuardHook, NonFiniteTrainingError
from greenreg.engine.hooks.preemption import EXIT_PREEMPTED, PreemptionHook
from greenreg.engine.hooks.rng_state import RNGStateHook
from greenreg.engine.hooks.run_record import RunRecordHook
from greenreg.engine.hooks.safe_checkpoints import SafeCheckpointsHook
from greenreg.engine.hooks.sample_grid import SampleGridHook
from greenreg.engine.hooks.sharded_ema import ShardedEMAHook
from greenreg.engine.hooks.speed_switches import SpeedSwitchesHook
from greenreg.engine.hooks.tensor_stats import TensorStatsHook
from greenreg.engine.hooks.train_progress import TrainProgressHook

__all__ = [
    "CheckpointCompatibilityHook",
    "KimgStatsHook",
    "LatentStatisticsHook",
    "LossEMAHook",
    "MetricsJsonHook",
    "NonFiniteGuardHook",
    "NonFiniteTrainingError",
    "EXIT_PREEMPTED",
    "PreemptionHook",
    "RNGStateHook",
    "RunRecordHook",
    "SafeCheckpointsHook",
    "SampleGridHook",
    "ShardedEMAHook",
    "SpeedSwitchesHook",
    "TensorStatsHook",
    "TrainProgressHook",
]
