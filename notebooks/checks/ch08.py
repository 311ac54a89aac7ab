"""Checks for the exercises of 08_regression."""
import numpy as np

from nncore import gradcheck

from . import correct, expect


def check_sigmoid_and_bce(sigmoid_class, bce_class):
    rng = np.random.default_rng(10)
    z = rng.standard_normal((5, 3))
    error = gradcheck.check_layer(sigmoid_class(), z, tol=None)["dinputs"]
    expect(error < 1e-6, f"sigmoid backward: relative error {error:.1e} (expected < 1e-6); use sigma * (1 - sigma)")
    probs, labels = rng.uniform(0.05, 0.95, (5, 3)), rng.integers(0, 2, (5, 3)).astype(float)
    error = gradcheck.check_loss(bce_class(), probs, labels, tol=None)["dinputs"]
    expect(error < 1e-6, f"BCE backward: relative error {error:.1e} (expected < 1e-6); remember / outputs / samples")
    correct("sigmoid and binary cross-entropy pass their gradient checks")


def check_mae_sign(book_class, my_class):
    rng = np.random.default_rng(11)
    pred, true = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    book = gradcheck.check_loss(book_class(), pred, true, tol=None)["dinputs"]
    mine = gradcheck.check_loss(my_class(), pred, true, tol=None)["dinputs"]
    expect(book > 1e-3, f"the book's MAE passed the check (error {book:.1e}): was BookMAE changed?")
    expect(mine < 1e-6, f"your MAE fails the gradient check (relative error {mine:.1e}): the gradient is "
           "sign(y_pred - y_true) / outputs / samples")
    correct(f"the book's sign fails (error {book:.0e}); yours passes (error below 1e-6)")


def check_count_within(count_within):
    y = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    precision = np.std(y) / 250
    predictions = y + np.array([[0.0], [precision / 2], [-precision / 2], [2 * precision], [-1.0]])
    got = count_within(predictions, y)
    expect(got == 3, f"expected 3 predictions within std(y)/250, got {got}")
    expect(count_within(predictions, y, divisor=1) == 5, "with divisor=1 the precision is std(y) = 1.41: expected all 5")
    correct("count_within counts predictions inside the precision")


def check_mse_ratio(mse_ratio):
    ratio = mse_ratio()
    expect(ratio > 10, f"expected the identity network's MSE to be over 10 times the ReLU one's, got {ratio:.2f}"
           " (identity divided by ReLU, not the other way round)")
    correct("the identity network's error is more than ten times the ReLU network's")
