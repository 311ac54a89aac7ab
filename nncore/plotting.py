"""Figures the chapters share. Every function returns its Axes and draws no random numbers."""
import matplotlib.pyplot as plt
import numpy as np

from . import _checks


def _axes(ax, figsize=(5, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _same_length(name, values, X):
    """``values`` flattened, refused unless it has one entry per row of ``X``."""
    values = _checks.as_array(name, values).reshape(-1)
    if len(values) != len(X):
        raise ValueError(f"{name} must have one value per row of X ({len(X)}), got {len(values)}")
    return values


def _predict_classes(model_or_fn, points):
    """Class per point from a callable returning scores/labels, or an object with ``predict``."""
    predict = model_or_fn.predict if hasattr(model_or_fn, "predict") else model_or_fn
    scores = np.asarray(predict(points))
    if scores.dtype.kind not in "biuf" or len(scores) != len(points):
        raise ValueError(f"the model must map the {len(points)} grid points to {len(points)} scores or labels, "
                         f"got {type(scores).__name__} of shape {scores.shape} and dtype {scores.dtype}")
    if scores.ndim == 2 and scores.shape[1] > 1:
        return np.argmax(scores, axis=1)
    return (scores.reshape(-1) > 0.5).astype(int) if scores.dtype.kind == "f" else scores.reshape(-1)


def plot_decision_boundary(model_or_fn, X, y, *, ax=None, resolution=200, title=None):
    """Colour the plane by predicted class and draw the points ``X`` ``(N, 2)`` coloured by ``y`` on top.

    ``model_or_fn`` maps an ``(M, 2)`` array to class scores ``(M, K)``, to
    sigmoid outputs ``(M, 1)`` or to labels ``(M,)``; an object with ``predict`` works too.
    """
    X = _checks.as_array("X", X, ndim=2, n_columns=2)
    y = _same_length("y", y, X)
    ax = _axes(ax)
    margin = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    grid = np.c_[xx.ravel(), yy.ravel()].astype(X.dtype)
    classes = _predict_classes(model_or_fn, grid).reshape(xx.shape)
    n_classes = int(max(classes.max(), y.max())) + 1
    ax.contourf(xx, yy, classes, levels=np.arange(n_classes + 1) - 0.5, cmap="brg", alpha=0.3,
                vmin=0, vmax=max(n_classes - 1, 1))
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="brg", s=12, vmin=0, vmax=max(n_classes - 1, 1), edgecolors="k",
               linewidths=0.2)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_history(history, *, keys=("loss", "accuracy"), ax=None):
    """Curves of ``history[key]`` against ``history['epoch']``, with ``val_<key>`` dashed if present.

    With several keys and no ``ax``, one panel per key side by side; returns a list of Axes then.
    """
    if not isinstance(history, dict):
        raise TypeError(f"history must be the dict that Model.train returns, got {type(history).__name__}")
    for key in keys:
        if key not in history:
            raise ValueError(f"history has no {key!r}; it has: {', '.join(sorted(history))}")
    if ax is None:
        _, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys), 3.5), squeeze=False)
        axes = list(axes[0])
    else:
        axes = [ax] * len(keys)
    for key, axis in zip(keys, axes):
        epochs = history.get("epoch", range(len(history[key])))
        axis.plot(epochs, history[key], label=f"training {key}")
        if f"val_{key}" in history and len(history[f"val_{key}"]):
            val_epochs = history.get("val_epoch", range(len(history[f"val_{key}"])))
            axis.plot(val_epochs, history[f"val_{key}"], "--o", markersize=3, label=f"validation {key}")
        axis.set_xlabel("epoch")
        axis.set_ylabel(key)
        axis.legend()
    return axes if len(axes) > 1 else axes[0]


def plot_activation_shapes(activations, *, x=None, derivatives=True):
    """One panel per activation: its output over ``x`` and, dashed, its derivative.

    ``activations`` maps a title to an nncore activation object. Returns the Axes array.
    """
    if not isinstance(activations, dict) or not activations:
        raise TypeError(f"activations must map titles to activation objects, e.g. {{'ReLU': ReLU()}}, "
                        f"got {activations!r}")
    x = np.linspace(-4, 4, 401).reshape(-1, 1) if x is None else np.asarray(x, dtype=np.float64).reshape(-1, 1)
    _, axes = plt.subplots(1, len(activations), figsize=(3 * len(activations), 2.8), squeeze=False)
    for (title, activation), axis in zip(activations.items(), axes[0]):
        y = activation.forward(x)
        axis.plot(x[:, 0], y[:, 0], label="f(z)")
        if derivatives:
            axis.plot(x[:, 0], activation.backward(np.ones_like(y))[:, 0], "--", label="f'(z)")
        axis.axhline(0, color="grey", linewidth=0.5)
        axis.axvline(0, color="grey", linewidth=0.5)
        axis.set_title(title)
        axis.set_xlabel("z")
    axes[0][0].legend()
    return axes[0]


def plot_lr_schedule(learning_rate, decays, steps):
    r"""The learning rate :math:`\eta_0 / (1 + d\,t)` over ``steps`` steps, one curve per decay ``d``."""
    learning_rate = _checks.real_number("learning_rate", learning_rate, low_open=True)
    if not isinstance(decays, (list, tuple, np.ndarray)):
        raise TypeError(f"decays must be a list of decay values, e.g. [0, 1e-3], got {decays!r}")
    ax = _axes(None)
    t = np.arange(_checks.positive_int("steps", steps))
    for decay in decays:
        ax.plot(t, learning_rate / (1 + decay * t), label=f"decay={decay:g}")
    ax.set_xlabel("step t")
    ax.set_ylabel("learning rate")
    ax.legend()
    return ax


def plot_images(X, y=None, *, image_shape, predictions=None, labels=None, n=16):
    """A grid of the first ``n`` images (rows of ``X`` reshaped to ``image_shape``) with their labels.

    Titles show the true label, and the prediction when ``predictions`` are given
    (red when wrong). ``labels`` maps class indices to names.
    """
    X = _checks.as_array("X", X)
    if X.ndim < 2 or int(np.prod(X.shape[1:])) != int(np.prod(image_shape)):
        raise ValueError(f"X must hold one image of {tuple(image_shape)} per row, got shape {X.shape}")
    for name, values in (("y", y), ("predictions", predictions)):
        if values is not None and len(values) < min(n, len(X)):
            raise ValueError(f"{name} must have a value for each of the first {min(n, len(X))} images, "
                             f"got {len(values)}")
    n = min(_checks.positive_int("n", n), len(X))
    columns = min(n, 8)
    rows = -(-n // columns)
    _, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.5 * rows), squeeze=False)
    name = (lambda k: labels[int(k)]) if labels is not None else (lambda k: str(int(k)))
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= n:
            continue
        axis.imshow(X[index].reshape(image_shape), cmap="gray")
        title, colour = "", "black"
        if y is not None:
            title = name(y[index])
        if predictions is not None:
            title = f"{title} → {name(predictions[index])}" if title else name(predictions[index])
            colour = "red" if y is not None and predictions[index] != y[index] else "black"
        axis.set_title(title, fontsize=8, color=colour)
    return axes


def plot_confusion_matrix(cm, labels=None):
    """A heat map of a ``(K, K)`` confusion matrix (rows true, columns predicted) with counts written in."""
    cm = _checks.as_array("cm", cm, ndim=2)
    if cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be square (K, K), got shape {cm.shape}")
    labels = [str(k) for k in range(len(cm))] if labels is None else list(labels)
    ax = _axes(None, figsize=(5, 5))
    ax.imshow(cm, cmap="Blues")
    for (row, column), count in np.ndenumerate(cm):
        ax.text(column, row, int(count), ha="center", va="center", fontsize=8,
                color="white" if count > cm.max() / 2 else "black")
    ax.set_xticks(range(len(cm)), labels)
    ax.set_yticks(range(len(cm)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return ax


def plot_regression_fit(X, y, y_pred, *, ax=None):
    """Targets ``y`` as points and predictions ``y_pred`` as a line, against the single feature ``X`` ``(N, 1)``."""
    X = _checks.as_array("X", X, ndim=2, n_columns=1)
    y, y_pred = _same_length("y", y, X), _same_length("y_pred", y_pred, X)
    order = np.argsort(X[:, 0], kind="stable")
    ax = _axes(ax)
    ax.scatter(X[:, 0], y, s=4, color="grey", label="target")
    ax.plot(X[order, 0], y_pred[order], color="C1", label="prediction")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend()
    return ax
