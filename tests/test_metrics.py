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
