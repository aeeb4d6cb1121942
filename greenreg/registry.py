"""Every registry of greenreg, in one place.

Each is a child of mmengine's root registry of the same role, so mmengine's Runner builds
greenreg components (and greenreg configs may name mmengine's). ``locations`` lists the
packages imported on first use, so a config needs no ``custom_imports`` for greenreg itself.
"""

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNER_CONSTRUCTORS as MMENGINE_RUNNER_CONSTRUCTORS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import STRATEGIES as MMENGINE_STRATEGIES
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import Registry

# networks: generators, backbones, conditioners, text encoders, losses, EMA models
MODELS = Registry("model", parent=MMENGINE_MODELS, locations=["greenreg.models"])
# datasets (and, for image pipelines, mmcv-style transforms)
DATASETS = Registry("dataset", parent=MMENGINE_DATASETS, locations=["greenreg.datasets"])
TRANSFORMS = Registry("transform", parent=MMENGINE_TRANSFORMS, locations=["greenreg.datasets"])
DATA_SAMPLERS = Registry(
    "data sampler", parent=MMENGINE_DATA_SAMPLERS, locations=["greenreg.datasets"]
)
# training machinery: hooks, loops, optimizers and their wrappers, parameter schedulers
HOOKS = Registry("hook", parent=MMENGINE_HOOKS, locations=["greenreg.engine"])
LOOPS = Registry("loop", parent=MMENGINE_LOOPS, locations=["greenreg.engine"])
OPTIMIZERS = Registry("optimizer", parent=MMENGINE_OPTIMIZERS)
OPTIM_WRAPPERS = Registry(
    "optim_wrapper", parent=MMENGINE_OPTIM_WRAPPERS, locations=["greenreg.engine"]
)
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    "optimizer wrapper constructor", parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
)
PARAM_SCHEDULERS = Registry(
    "parameter scheduler", parent=MMENGINE_PARAM_SCHEDULERS, locations=["greenreg.engine"]
)
# runners, their constructors and strategies (FSDP, DeepSpeed), model wrappers (DDP), functions
# (collate): children so that a greenreg-scoped build finds mmengine's without a warning
RUNNERS = Registry("runner", parent=MMENGINE_RUNNERS)
RUNNER_CONSTRUCTORS = Registry("runner constructor", parent=MMENGINE_RUNNER_CONSTRUCTORS)
STRATEGIES = Registry("strategy", parent=MMENGINE_STRATEGIES, locations=["greenreg.engine"])
MODEL_WRAPPERS = Registry("model_wrapper", parent=MMENGINE_MODEL_WRAPPERS)
FUNCTIONS = Registry("function", parent=MMENGINE_FUNCTIONS, locations=["greenreg.datasets"])
LOG_PROCESSORS = Registry("log_processor", parent=MMENGINE_LOG_PROCESSORS)
EVALUATOR = Registry("evaluator", parent=MMENGINE_EVALUATOR)
# evaluation metrics and visualisation backends
METRICS = Registry("metric", parent=MMENGINE_METRICS, locations=["greenreg.evaluation"])
VISBACKENDS = Registry("vis_backend", parent=MMENGINE_VISBACKENDS)
VISUALIZERS = Registry("visualizer", parent=MMENGINE_VISUALIZERS)

# domain registries (no mmengine root has these roles)
# probability paths: x_t and the velocity target from (x0, x1, t)
PATHS = Registry("path", locations=["greenreg.paths"])
# time samplers: draw t in [0, 1] per sample, optionally as a function of the iteration
TIME_SAMPLERS = Registry("time sampler", locations=["greenreg.timesteps"])
# samplers that step a model (velocity or denoiser view) along a time grid from t=0 to t=1
SOLVERS = Registry("solver", locations=["greenreg.solvers"])
# time grids: where samplers evaluate the model (uniform, log SNR, Karras, DDPM spacings)
TIME_GRIDS = Registry("time grid", locations=["greenreg.timegrids"])
# prediction targets: what the backbone regresses (eps, data, v, velocity) and conversions
TARGETS = Registry("prediction target", locations=["greenreg.targets"])
# loss weightings over time (Min-SNR-gamma, ...), kept apart from the losses they scale
LOSS_WEIGHTINGS = Registry("loss weighting", locations=["greenreg.models.weightings"])
# guidance: wraps the model while sampling (classifier-free, gradient of an objective)
GUIDANCE = Registry("guidance", locations=["greenreg.solvers"])
# couplings: pair the sources x0 with the data x1 in a batch (independent, OT, ...)
COUPLINGS = Registry("coupling", locations=["greenreg.couplings"])
# schedules: hyperparameters as functions of training progress (iterations or kimg)
SCHEDULES = Registry("schedule", locations=["greenreg.schedules"])
# physics (seed 000): tight-binding lattices, disorder models and LDOS solvers (kwant underneath)
LATTICES = Registry("lattice", locations=["greenreg.physics"])
DISORDERS = Registry("disorder model", locations=["greenreg.physics"])
LDOS_SOLVERS = Registry("LDOS solver", locations=["greenreg.physics"])
