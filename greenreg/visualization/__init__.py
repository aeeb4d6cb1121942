"""Pictures: sample grids."""

from greenreg.visualization.sample_grid import sample_grid

__all__ = ["sample_grid"]
