"""Shared fixtures: NumPy as nnfs.init() leaves it, undone after each test."""
import matplotlib
import nnfs
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def nnfs_init():
    """Run the test after ``nnfs.init()`` (seed 0, float32 defaults, float64 dot) and restore NumPy afterwards."""
    saved = {(np, "dot"): np.dot, (np, "zeros"): np.zeros, (np, "eye"): np.eye,
             (np.random, "randn"): np.random.randn}
    state = np.random.get_state()
    nnfs.init()
    yield
    for (module, name), function in saved.items():
        setattr(module, name, function)
    np.random.set_state(state)


@pytest.fixture
def rng():
    """A private generator, so tests never depend on each other's draws."""
    return np.random.default_rng(1234)
