"""Tests of greenreg.physics: lattices, disorder models, LDOS solvers."""
