"""Checks for the exercises of 06_optimizers."""
import numpy as np

from nncore import SGD, Adam

from . import correct, expect, expect_close


def check_lr_at(lr_at):
    for step, lr0, decay in ((0, 1.0, 0.1), (1, 1.0, 0.1), (19, 1.0, 0.1), (1000, 0.05, 5e-7), (10, 0.02, 0.0)):
        expected = lr0 / (1 + decay * step)
        got = lr_at(step, lr0, decay)
        expect(np.isclose(got, expected), f"lr_at({step}, {lr0}, {decay}): expected {expected:.6g}, got {got:.6g}"
               + (" (the first update, step 0, uses the full rate)" if step == 0 else ""))
    correct("lr_at follows lr0 / (1 + decay * step)")


def check_first_adam_step(first_adam_step):
    weights = np.array([[1.0, 1.0, 1.0, 1.0]])
    dweights = np.array([[3.0, -0.01, 50.0, -2.0]])
    got = first_adam_step(weights.copy(), dweights, 0.01)
    expect_close("weights after one Adam step", got, weights - 0.01 * np.sign(dweights), rtol=1e-4)
    correct("the first Adam step moves each weight by the learning rate against its gradient's sign")


def check_minimise(minimise):
    for optimizer in (SGD(learning_rate=0.1, momentum=0.5), Adam(learning_rate=0.1)):
        w = minimise(optimizer, 1000)
        expect(abs(w - 3) < 1e-3, f"with {optimizer!r}, w ended at {w:.5f}, expected 3 within 1e-3")
    correct("both optimizers find w = 3")
