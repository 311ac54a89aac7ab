import matplotlib.pyplot as plt
import numpy as np
import pytest

from nncore import plotting
from nncore.activations import ReLU, Sigmoid


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_figures_draw_no_random_numbers():
    state = np.random.get_state()[1].copy()
    X = np.array([[0., 0.], [1., 1.], [0., 1.]])
    plotting.plot_decision_boundary(lambda points: np.c_[points[:, :1], 1 - points[:, :1]], X, [0, 1, 0], resolution=20)
    plotting.plot_history({"epoch": [0, 1], "loss": [1., .5], "accuracy": [.3, .6], "val_epoch": [1],
                           "val_loss": [.6], "val_accuracy": [.5]})
    plotting.plot_activation_shapes({"ReLU": ReLU(), "sigmoid": Sigmoid()})
    plotting.plot_lr_schedule(1.0, [1e-2, 1e-3], 100)
    plotting.plot_images(np.arange(64 * 3).reshape(3, 64), np.array([0, 1, 2]), image_shape=(8, 8),
                         predictions=np.array([0, 2, 2]))
    plotting.plot_confusion_matrix(np.array([[3, 1], [0, 4]]))
    plotting.plot_regression_fit(np.array([[0.], [1.]]), np.array([[0.], [1.]]), np.array([[0.1], [0.9]]))
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_decision_boundary_accepts_sigmoid_outputs_and_labels():
    X = np.array([[0., 0.], [1., 1.]])
    assert plotting.plot_decision_boundary(lambda p: 1 / (1 + np.exp(-p[:, :1])), X, [0, 1], resolution=10)
    assert plotting.plot_decision_boundary(lambda p: (p[:, 0] > 0.5).astype(int), X, [0, 1], resolution=10)
