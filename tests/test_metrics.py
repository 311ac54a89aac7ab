import numpy as np
import pytest

from nncore.metrics import CategoricalAccuracy, RegressionAccuracy, accuracy, confusion_matrix, r_squared


def test_accuracy_with_both_label_formats():
    probs = np.array([[0.7, 0.2, 0.1], [0.5, 0.1, 0.4], [0.02, 0.9, 0.08]])
    assert accuracy(probs, np.array([0, 1, 1])) == pytest.approx(2 / 3)
    assert accuracy(probs, np.eye(3)[[0, 1, 1]]) == pytest.approx(2 / 3)


def test_categorical_accuracy_accumulates():
    metric = CategoricalAccuracy()
    assert metric.calculate(np.array([0, 1]), np.array([0, 0])) == 0.5
    assert metric.calculate(np.array([2, 2, 2, 2]), np.array([2, 2, 2, 2])) == 1.0
    assert metric.calculate_accumulated() == pytest.approx(5 / 6)


def test_binary_accuracy_compares_element_wise():
    metric = CategoricalAccuracy(binary=True)
    assert metric.calculate(np.array([[1], [0], [1]]), np.array([[1], [1], [1]])) == pytest.approx(2 / 3)


def test_regression_accuracy_uses_the_spread_of_the_targets():
    y = np.array([[0.], [1.], [2.], [3.]])
    metric = RegressionAccuracy()
    metric.init(y)
    assert metric.precision == pytest.approx(np.std(y) / 250)
    metric.init(y * 100)
    assert metric.precision == pytest.approx(np.std(y) / 250), "init keeps the first precision"
    metric.init(y * 100, reinit=True)
    assert metric.precision == pytest.approx(np.std(y) * 100 / 250)
    assert metric.calculate(y + np.array([[0.], [1.], [0.], [10.]]), y) == 0.5


def test_confusion_matrix():
    cm = confusion_matrix(np.array([0, 1, 2, 2, 1]), np.array([0, 2, 2, 2, 1]))
    np.testing.assert_array_equal(cm, [[1, 0, 0], [0, 1, 1], [0, 0, 2]])
    assert confusion_matrix(np.array([0]), np.array([0]), n_classes=4).shape == (4, 4)


def test_r_squared_is_one_for_a_perfect_fit_zero_for_the_mean_and_ranks_like_mse():
    y = np.linspace(-1, 1, 50).reshape(-1, 1)
    assert r_squared(y, y) == 1.0
    assert abs(r_squared(y, np.full_like(y, y.mean()))) < 1e-12
    assert r_squared(y, -y) < 0
    fits = [y + noise for noise in (0.3 * np.sin(7 * y), 0.01 * np.cos(y), 0.1 * y ** 2)]
    by_mse = sorted(range(3), key=lambda k: np.mean((fits[k] - y) ** 2))
    by_r2 = sorted(range(3), key=lambda k: -r_squared(y, fits[k]))
    assert by_mse == by_r2


@pytest.mark.parametrize("call, error, words", [
    (lambda: r_squared(np.ones((3, 1)), np.ones((3, 1))), ValueError, "y_true must not be constant"),
    (lambda: r_squared(np.ones(3), np.ones((3, 1))), ValueError, "y_true must have the predictions' shape (3, 1)"),
    (lambda: r_squared(np.ones((1, 1)), np.ones((1, 1))), ValueError, "at least 2 targets"),
    (lambda: CategoricalAccuracy(binary=True).calculate(np.ones((3, 1)), np.ones(3)), ValueError,
     "y must have the predictions' shape (3, 1), got (3,)"),
    (lambda: CategoricalAccuracy().calculate(np.ones(3), np.ones(4)), ValueError, "got (4,)"),
    (lambda: RegressionAccuracy().calculate(np.ones((2, 1)), np.ones((2, 1))), ValueError, "needs init(y)"),
    (lambda: RegressionAccuracy(precision_divisor=0), ValueError, "precision_divisor must be in (0.0, inf)"),
    (lambda: accuracy(np.ones(3), np.ones(3)), ValueError, "probabilities must be a 2-D array"),
    (lambda: confusion_matrix(np.array([0, 1]), np.array([0])), ValueError, "y_pred must have y_true's shape (2,)"),
    (lambda: confusion_matrix(np.array([0.5]), np.array([0])), ValueError, "non-negative integer class indices"),
    (lambda: confusion_matrix(np.array([0, 3]), np.array([0, 1]), n_classes=3), ValueError, "below n_classes=3"),
])
def test_bad_input_is_refused_clearly(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
