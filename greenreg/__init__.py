"""greenreg: flow-matching and diffusion models as registered components on mmengine."""

from greenreg import engine  # noqa: F401  (registers hooks and the atomic file backend)

__version__ = "0.1.0"
