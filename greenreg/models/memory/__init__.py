"""Stateful feature memories that travel in the model's checkpoint."""

from greenreg.models.memory.memory_bank import MemoryBank, MemoryDraw

__all__ = ["MemoryBank", "MemoryDraw"]
