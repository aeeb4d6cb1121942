"""greenreg: flow-matching and diffusion models as registered components on mmengine."""

from greenreg import engine  # noqa: F401  (installs the checkpoint allow-list)

__version__ = "0.1.0"
