import warnings

import numpy as np
import pytest

from nncore import gradcheck, losses
from nncore.activations import Softmax
from nncore.layers import Dense
from nncore.losses import (BinaryCrossentropy, CategoricalCrossentropy, Loss, MeanAbsoluteError, MeanSquaredError,
                           SoftmaxCategoricalCrossentropy)

PROBS = np.array([[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]])
LABELS = np.array([0, 1, 1])


def test_cross_entropy_of_known_probabilities():
    expected = -np.log([0.7, 0.5, 0.9])
    np.testing.assert_allclose(CategoricalCrossentropy().forward(PROBS, LABELS), expected)
    assert np.isclose(CategoricalCrossentropy().calculate(PROBS, LABELS), expected.mean())


def test_sparse_and_one_hot_labels_agree():
    one_hot = np.eye(3)[LABELS]
    np.testing.assert_allclose(CategoricalCrossentropy().forward(PROBS, one_hot),
                               CategoricalCrossentropy().forward(PROBS, LABELS))
    np.testing.assert_allclose(CategoricalCrossentropy().backward(PROBS, one_hot),
                               CategoricalCrossentropy().backward(PROBS, LABELS))


def test_probabilities_of_exactly_zero_and_one_stay_finite_and_non_negative():
    probs = np.array([[1., 0.], [0., 1.]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cce = CategoricalCrossentropy().forward(probs, np.array([0, 0]))
        bce = BinaryCrossentropy().forward(probs, np.array([[1., 0.], [1., 0.]]))
        grad = CategoricalCrossentropy().backward(probs, np.array([0, 0]))
    for values in (cce, bce, grad):
        assert np.all(np.isfinite(values))
    assert np.all(cce >= 0) and np.all(bce >= 0)
    np.testing.assert_allclose(cce, [-np.log(1 - 1e-7), -np.log(1e-7)])


def test_regression_losses_of_known_values():
    y_pred, y_true = np.array([[1., 2.], [0., 0.]]), np.array([[0., 4.], [1., 1.]])
    np.testing.assert_allclose(MeanSquaredError().forward(y_pred, y_true), [2.5, 1.])
    np.testing.assert_allclose(MeanAbsoluteError().forward(y_pred, y_true), [1.5, 1.])


def test_mae_gradient_descends():
    y_pred, y_true = np.array([[3.]]), np.array([[1.]])
    assert MeanAbsoluteError().backward(y_pred, y_true)[0, 0] > 0, "a too-large prediction must be pushed down"


@pytest.mark.parametrize("loss, y_pred, y_true", [
    (CategoricalCrossentropy(), PROBS, LABELS),
    (CategoricalCrossentropy(), PROBS, np.eye(3)[LABELS]),
    (BinaryCrossentropy(), np.array([[0.3, 0.8], [0.6, 0.1], [0.5, 0.95]]), np.array([[0., 1.], [1., 0.], [1., 1.]])),
    (MeanSquaredError(), np.array([[0.3, -1.2], [2.0, 0.4]]), np.array([[0.1, 0.2], [1.0, -0.3]])),
    (MeanAbsoluteError(), np.array([[0.3, -1.2], [2.0, 0.4]]), np.array([[0.1, 0.2], [1.0, -0.3]])),
    (SoftmaxCategoricalCrossentropy(), np.array([[2.0, -1.0, 0.5], [0.1, 0.2, -0.3]]), np.array([2, 0])),
    (SoftmaxCategoricalCrossentropy(), np.array([[2.0, -1.0, 0.5], [0.1, 0.2, -0.3]]), np.eye(3)[[2, 0]]),
], ids=lambda value: repr(value) if isinstance(value, (Loss, SoftmaxCategoricalCrossentropy)) else "")
def test_backward_matches_numerical_gradient(loss, y_pred, y_true):
    assert gradcheck.check_loss(loss, y_pred, y_true)["dinputs"] < 1e-6


def test_combined_gradient_equals_the_separate_path(rng):
    logits, labels = rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    combined = SoftmaxCategoricalCrossentropy()
    combined.forward(logits, labels)
    softmax, cce = Softmax(), CategoricalCrossentropy()
    softmax.forward(logits)
    separate = softmax.backward(cce.backward(softmax.output, labels))
    np.testing.assert_allclose(combined.backward(combined.output, labels), separate, atol=1e-12)


def test_combined_forward_returns_the_mean_loss_and_sets_output():
    combined = SoftmaxCategoricalCrossentropy()
    loss = combined.forward(np.log(PROBS), LABELS)
    np.testing.assert_allclose(combined.output, PROBS / PROBS.sum(axis=1, keepdims=True))
    assert np.isclose(loss, np.mean(-np.log([0.7, 0.5, 0.9])))


def test_sparse_labels_give_gradients_in_the_predictions_dtype():
    probabilities = PROBS.astype(np.float32)
    assert CategoricalCrossentropy().backward(probabilities, LABELS).dtype == np.float32

def test_calculate_accumulates_a_sample_weighted_mean():
    loss = CategoricalCrossentropy()
    loss.calculate(PROBS[:1], LABELS[:1])
    loss.calculate(PROBS[1:], LABELS[1:])
    assert np.isclose(loss.calculate_accumulated(), np.mean(-np.log([0.7, 0.5, 0.9])))
    loss.new_pass()
    with pytest.raises(ValueError, match="no batches"):
        loss.calculate_accumulated()


def test_regularization_loss_per_layer_and_for_remembered_layers():
    layer = Dense(2, 2, weight_regularizer_l1=0.1, weight_regularizer_l2=0.2,
                  bias_regularizer_l1=0.3, bias_regularizer_l2=0.4)
    layer.set_parameters(np.array([[1., -2.], [0., 3.]]), np.array([[-1., 2.]]))
    expected = 0.1 * 6 + 0.2 * 14 + 0.3 * 3 + 0.4 * 5
    loss = MeanSquaredError()
    assert np.isclose(loss.regularization_loss(layer), expected)
    assert loss.regularization_loss() == 0
    loss.remember_trainable_layers([layer, Dense(2, 1)])
    assert np.isclose(loss.regularization_loss(), expected)
    data, penalty = loss.calculate(np.zeros((1, 2)), np.ones((1, 2)), include_regularization=True)
    assert np.isclose(data, 1) and np.isclose(penalty, expected)


def test_registry():
    assert isinstance(losses.get("mse"), MeanSquaredError)
    assert isinstance(losses.get("categorical_crossentropy"), CategoricalCrossentropy)
