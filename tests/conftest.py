"""Shared fixtures: NumPy as nnfs.init() leaves it, undone after each test."""
import matplotlib
import numpy as np
import pytest

from book_reference import nnfs_initialised

matplotlib.use("Agg")


@pytest.fixture
def nnfs_init():
    """Run the test after ``nnfs.init()`` (seed 0, float32 defaults, float64 dot) and restore NumPy afterwards."""
    with nnfs_initialised():
        yield


@pytest.fixture
def rng():
    """A private generator, so tests never depend on each other's draws."""
    return np.random.default_rng(1234)
