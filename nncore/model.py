"""``Model``: a list of layers with a loss, an optimizer and an accuracy, trained by ``train``.

Shapes: ``X`` is ``(N, n_features)``; ``y`` is what the loss expects (class
indices ``(N,)`` or one-hot for cross-entropy, ``(N, J)`` for the others).
"""
import math

import numpy as np

from . import _checks, layers, saving
from .activations import Softmax
from .early_stopping import EARLY_STOPPING_KEYS, EarlyStopping
from .layers import Input
from .losses import EPSILON, CategoricalCrossentropy, SoftmaxCategoricalCrossentropy

HISTORY_KEYS = ("epoch", "loss", "data_loss", "reg_loss", "accuracy", "lr", "val_epoch", "val_loss", "val_accuracy",
                *EARLY_STOPPING_KEYS)
"""The keys of ``train``'s history: lists of per-epoch (``val_``: per-evaluation) values, then the two
``EARLY_STOPPING_KEYS``, each an epoch or ``None``."""


def format_loss(value):
    """A loss for a progress line, never rounded to zero: ``0.874``, ``0.012``, ``3.10e-04``, ``0.000`` (exact 0)."""
    if value == 0 or abs(value) >= 0.01:
        return f"{value:.3f}"
    return f"{value:.2e}"


def progress_line(values):
    """One epoch's progress: accuracy, loss (data and penalty), learning rate, and validation if it ran."""
    line = (f"epoch {values['epoch']}, acc {values['accuracy']:.3f}, loss {format_loss(values['loss'])} "
            f"(data {format_loss(values['data_loss'])}, reg {format_loss(values['reg_loss'])}), "
            f"lr {values['lr']:.6g}")
    if "val_loss" in values:
        line += f", val_acc {values['val_accuracy']:.3f}, val_loss {format_loss(values['val_loss'])}"
    return line


def diverged(what, learning_rate):
    """The error that stops a diverging run: what went wrong, and what to try."""
    return FloatingPointError(f"{what}: training diverged (try a smaller learning_rate than {learning_rate:g})")


def check_not_diverged(loss, epoch, learning_rate):
    """At the end of an epoch: at most half the samples at the loss's ceiling.

    A clipped loss (cross-entropy) cannot grow past its ceiling, so a run whose
    predictions are confidently wrong for most samples shows a finite loss while
    its weights run away; the share of samples at the ceiling shows it.
    """
    if loss.fraction_at_ceiling() > 0.5:
        raise diverged(f"in epoch {epoch}, {loss.fraction_at_ceiling():.0%} of the samples got a probability of "
                       f"at most {EPSILON:g} for their target, where the loss stops growing", learning_rate)


def check_parameters_finite(trainable_layers, epoch, learning_rate):
    """After the last step: every parameter finite.

    Earlier steps need no such check: a NaN or infinite weight makes the next
    step's loss NaN or infinite, and that stops training.
    """
    for layer in trainable_layers:
        for name in layer.params:
            if not np.isfinite(getattr(layer, name).sum()):
                raise diverged(f"the parameters must stay finite, got NaN or inf in the {name} of {layer!r} "
                               f"after epoch {epoch}", learning_rate)


def expected_x_ndim(first_layer):
    """2 (a batch of flat samples), or None where the first layer takes other batches and checks X itself.

    Conv2D and MaxPool2D take ``(N, C, H, W)`` (``input_ndim = 4``); Flatten, which knows its output shape for
    any sample shape, takes any batch.
    """
    ndim = getattr(first_layer, "input_ndim", None)
    if ndim is None:
        return None if callable(getattr(first_layer, "output_shape", None)) else 2
    return 2 if ndim == 2 else None


def _step(layer, direction, checked):
    """``layer.forward`` or ``layer.backward``; unchecked, the math behind it (``_forward``), where there is one."""
    public = getattr(layer, direction)
    return public if checked else getattr(layer, f"_{direction}", public)


def batches(X, y, batch_size):
    """Yield ``(X_batch, y_batch)`` in order; the last batch may be smaller. ``None`` means one full batch."""
    if batch_size is None:
        yield X, y
        return
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], (None if y is None else y[start:start + batch_size])


class Model:
    """A sequential network: ``add`` layers, ``set`` the loss, optimizer and accuracy, ``finalize``, ``train``.

    ``Model(Dense(2, 64), ReLU(), Dense(64, 3), Softmax(), loss=..., optimizer=..., accuracy=...)`` does
    all of that but ``train`` in one call; the book's ``add`` / ``set`` / ``finalize`` steps work as well.
    """

    def __init__(self, *layers, loss=None, optimizer=None, accuracy=None):
        self.layers = []
        self.trainable_layers = []
        self.input_layer = Input()
        self.output_layer_activation = None
        self.softmax_classifier_output = None
        self.loss = None
        self.optimizer = None
        self.accuracy = None
        self.history = None
        self.finalized = False
        for layer in layers:
            self.add(layer)
        self.set(loss=loss, optimizer=optimizer, accuracy=accuracy)
        if layers:
            self.finalize()

    def add(self, layer):
        """Append a layer or activation (anything with ``forward``)."""
        if isinstance(layer, type):
            raise TypeError(f"layer must be a layer object, got the class {layer.__name__}: "
                            f"call it, e.g. {layer.__name__}(...)")
        if not callable(getattr(layer, "forward", None)):
            raise TypeError(f"layer must have a forward method, got {type(layer).__name__}")
        self.layers.append(layer)
        self.finalized = False

    def set(self, *, loss=None, optimizer=None, accuracy=None):
        """Choose the loss, the optimizer and the accuracy (keyword arguments only), each an object."""
        _checks.has_methods("loss", loss, ("forward", "backward", "calculate"), example="CategoricalCrossentropy()")
        _checks.has_methods("optimizer", optimizer, ("step",), example="Adam()")
        _checks.has_methods("accuracy", accuracy, ("calculate", "init"), example="CategoricalAccuracy()")
        if loss is not None:
            self.loss = loss
        if optimizer is not None:
            self.optimizer = optimizer
        if accuracy is not None:
            self.accuracy = accuracy
        self.finalized = False

    def finalize(self):
        """Collect the trainable layers, hand them to the loss, and pick the softmax + cross-entropy shortcut."""
        if not self.layers:
            raise ValueError("the model has no layers; add(...) at least one before finalize()")
        last = self.layers[-1]
        if not callable(getattr(last, "predictions", None)):
            raise ValueError(f"the last layer must be an output activation with predictions(), got {last!r}")
        self.output_layer_activation = last
        self.trainable_layers = [layer for layer in self.layers if getattr(layer, "params", ())]
        for layer in self.trainable_layers:
            if hasattr(layer, "needs_input_gradient"):
                layer.needs_input_gradient = layer is not self.layers[0]
        if self.loss is not None:
            self.loss.remember_trainable_layers(self.trainable_layers)
        combined = isinstance(last, Softmax) and isinstance(self.loss, CategoricalCrossentropy)
        self.softmax_classifier_output = SoftmaxCategoricalCrossentropy() if combined else None
        self.finalized = True

    def forward(self, X, training=False, *, checked=True):
        """Run every layer in order; returns the last layer's output.

        With ``checked`` (the default) each layer checks its input. Training
        steps after the first pass ``checked=False`` and call the layers' math
        (``_forward``, where a layer has one): the first step checked every
        layer, and later steps feed each layer the same kind of array.
        """
        output = self.input_layer.forward(X, training)
        for layer in self.layers:
            output = _step(layer, "forward", checked)(output, training)
        return output

    def backward(self, output, y, *, checked=True):
        """Back-propagate the loss of ``output`` against ``y`` through every layer, last to first.

        ``checked=False`` skips the checks of ``dvalues`` in the loss and the layers (``_backward``),
        as ``forward`` does.
        """
        if self.softmax_classifier_output is not None:
            dvalues = _step(self.softmax_classifier_output, "backward", checked)(output, y)
            self.layers[-1].dinputs = dvalues
            layers = self.layers[:-1]
        else:
            dvalues = _step(self.loss, "backward", checked)(output, y)
            layers = self.layers
        for layer in reversed(layers):
            dvalues = _step(layer, "backward", checked)(dvalues)

    def _ready(self, *parts):
        if not self.finalized:
            raise ValueError("call finalize() after add(...) and set(...)")
        missing = [part for part in parts if getattr(self, part) is None]
        if missing:
            raise ValueError(f"set({', '.join(f'{part}=...' for part in missing)}) first")

    def _data(self, X, y):
        X = _checks.as_array("X", X, ndim=expected_x_ndim(self.layers[0]))
        if X.ndim < 2:
            raise ValueError(f"X must be a batch (N, ...) with one sample per entry of its first axis, got shape {X.shape}")
        y = _checks.as_array("y", y)
        if len(X) == 0:
            raise ValueError(f"X must hold at least one sample, got shape {X.shape}")
        if len(y) != len(X):
            raise ValueError(f"y must have one target per sample of X ({len(X)}), got {len(y)}")
        return X, y

    def train(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None, validate_every=None,
              shuffle=False, verbose=True, patience=None):
        """Train for ``epochs`` passes over ``(X, y)`` and return the history (also kept in ``self.history``).

        Each epoch runs ceil(N / batch_size) steps (one full-batch step without
        ``batch_size``); its loss and accuracy are sample-weighted means over
        the steps. One line is printed every ``print_every`` epochs and after
        the last; ``validation_data=(X_val, y_val)`` is evaluated every
        ``validate_every`` epochs (by default ``print_every``) and after the last.
        ``shuffle=True`` permutes the samples every epoch (from the global stream).
        A loss that stops being finite (training diverged) raises ``FloatingPointError``.

        ``patience=N`` (with ``validation_data``) stops early once the
        validation loss has not improved for N evaluations in a row; either way
        training ends with the weights of the evaluation with the lowest loss
        (parameters and buffers such as BatchNorm's running statistics, not the
        optimizer's state). ``history['best_epoch']`` is that evaluation's
        epoch, ``history['stopped_epoch']`` the epoch it stopped at (``None``
        if it ran every epoch, and both without ``patience``).
        """
        self._ready("loss", "optimizer", "accuracy")
        X, y = self._data(X, y)
        epochs = _checks.positive_int("epochs", epochs)
        print_every = _checks.positive_int("print_every", print_every)
        validate_every = print_every if validate_every is None else _checks.positive_int("validate_every",
                                                                                          validate_every)
        if validation_data is not None:
            validation_data = self._data(*_checks.pair("validation_data", validation_data, "(X_val, y_val)"))
        if batch_size is not None:
            batch_size = _checks.positive_int("batch_size", batch_size)
        stopper = None
        if patience is not None:
            patience = _checks.positive_int("patience", patience)
            if validation_data is None:
                raise ValueError(f"patience={patience} counts evaluations of the validation loss: pass "
                                 "validation_data=(X_val, y_val) too")
            stopper = EarlyStopping(patience, [layer for layer in self.layers
                                               if getattr(layer, "params", ()) or getattr(layer, "buffers", ())],
                                    format_loss)
        y = self.checked_targets(X, y, batch_size)
        self.accuracy.init(y)
        history = {key: None if key in EARLY_STOPPING_KEYS else [] for key in HISTORY_KEYS}
        first_step = True
        for epoch in range(1, epochs + 1):
            X_epoch, y_epoch = X, y
            if shuffle:
                keys = np.random.permutation(len(X))
                X_epoch, y_epoch = X[keys], y[keys]
            self.loss.new_pass()
            self.accuracy.new_pass()
            for batch_X, batch_y in batches(X_epoch, y_epoch, batch_size):
                self._train_step(batch_X, batch_y, epoch, checked=first_step)
                first_step = False
            check_not_diverged(self.loss, epoch, self.optimizer.current_learning_rate)
            if epoch == epochs:
                check_parameters_finite(self.trainable_layers, epoch, self.optimizer.current_learning_rate)
            data_loss, reg_loss = self.loss.calculate_accumulated(include_regularization=True)
            values = {"epoch": epoch, "loss": float(data_loss + reg_loss), "data_loss": float(data_loss),
                      "reg_loss": float(reg_loss), "accuracy": self.accuracy.calculate_accumulated(),
                      "lr": float(self.optimizer.current_learning_rate)}
            for key, value in values.items():
                history[key].append(value)
            last = epoch == epochs
            stopped = False
            if validation_data is not None and (epoch % validate_every == 0 or last):
                val_loss, val_accuracy = self.evaluate(*validation_data, batch_size=batch_size, verbose=False)
                values.update(val_loss=val_loss, val_accuracy=val_accuracy)
                history["val_epoch"].append(epoch)
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_accuracy)
                stopped = stopper is not None and stopper.exhausted(epoch, val_loss) and not last
            if verbose and (epoch % print_every == 0 or last or stopped):
                print(progress_line(values))
            if stopped:
                break
        if stopper is not None:
            outcome = stopper.finish(history, epoch, stopped)
            if verbose and outcome is not None:
                print(outcome)
        self.history = history
        return history

    def checked_targets(self, X, y, batch_size=None):
        """All of ``y`` checked once by the loss (``loss.targets``) against the model's outputs for ``X``.

        Training steps then skip the targets' checks: each batch is a slice of the checked array. The
        outputs' shape comes from the first batch in inference mode, which draws no random numbers and
        changes no running statistics (and refuses a bad ``X`` as the first step would). A loss without
        ``targets`` checks its targets itself.
        """
        self._ready("loss")
        targets = getattr(self.loss, "targets", None)
        if targets is None:
            return y
        first_batch = X if batch_size is None else X[:batch_size]
        return targets(y, (len(X),) + self.forward(first_batch).shape[1:])

    def _train_step(self, X, y, epoch, *, checked):
        """Forward (with the layers' checks if ``checked``), loss, accuracy, backward, one optimizer step."""
        output = self.forward(X, training=True, checked=checked)
        data_loss = self.loss.calculate(output, y, checked=checked)
        if not math.isfinite(data_loss):
            raise diverged(f"the loss must stay finite, got {float(data_loss)} in epoch {epoch}",
                           self.optimizer.current_learning_rate)
        self.accuracy.calculate(self.output_layer_activation.predictions(output), y)
        self.backward(output, y, checked=checked)
        self.optimizer.step(self.trainable_layers, checked=checked)

    def evaluate(self, X_val, y_val, *, batch_size=None, verbose=True):
        """Data loss and accuracy on ``(X_val, y_val)`` in inference mode (dropout off); returns ``(loss, accuracy)``."""
        self._ready("loss", "accuracy")
        X_val, y_val = self._data(X_val, y_val)
        if batch_size is not None:
            batch_size = _checks.positive_int("batch_size", batch_size)
        self.accuracy.init(y_val)
        self.loss.new_pass()
        self.accuracy.new_pass()
        for batch_X, batch_y in batches(X_val, y_val, batch_size):
            output = self.forward(batch_X, training=False)
            self.loss.calculate(output, batch_y)
            self.accuracy.calculate(self.output_layer_activation.predictions(output), batch_y)
        loss, accuracy = float(self.loss.calculate_accumulated()), self.accuracy.calculate_accumulated()
        if verbose:
            print(f"validation: acc {accuracy:.3f}, loss {format_loss(loss)}")
        return loss, accuracy

    def predict(self, X, *, batch_size=None):
        """The output layer's values for ``X`` (confidences, not labels), stacked over batches: ``(N, J)``."""
        if not self.finalized:
            raise ValueError("call finalize() before predict()")
        X = _checks.as_array("X", X, ndim=expected_x_ndim(self.layers[0]))
        if batch_size is not None:
            batch_size = _checks.positive_int("batch_size", batch_size)
        outputs = [self.forward(batch_X, training=False) for batch_X, _ in batches(X, None, batch_size)]
        return np.vstack(outputs)

    def get_parameters(self):
        """A list of parameter tuples (copies), one per trainable layer: ``(W, b)`` for ``Dense``."""
        return [layers.get_parameters(layer) for layer in self.trainable_layers]

    def set_parameters(self, parameters):
        """Load a list of parameter tuples into the trainable layers; counts and shapes must match."""
        if not self.finalized:
            raise ValueError("call finalize() before set_parameters()")
        parameters = list(parameters)
        if len(parameters) != len(self.trainable_layers):
            raise ValueError(f"expected parameters for {len(self.trainable_layers)} trainable layers, "
                             f"got {len(parameters)}")
        for index, (layer, values) in enumerate(zip(self.trainable_layers, parameters)):
            try:
                layers.set_parameters(layer, values)
            except ValueError as error:
                raise ValueError(f"trainable layer {index} ({layer!r}): {error}") from None

    def save_parameters(self, path):
        """Write the parameters to a NumPy archive; returns the path written (``.npz`` appended if missing)."""
        return saving.save_parameters(self, path)

    def load_parameters(self, path):
        """Read parameters written by ``save_parameters`` into this (finalized, same-shaped) model."""
        saving.load_parameters(self, path)

    def save(self, path, *, include_optimizer=True):
        """Write architecture, settings and parameters to one NumPy archive; returns the path written."""
        return saving.save_model(self, path, include_optimizer=include_optimizer)

    @classmethod
    def load(cls, path):
        """Rebuild a model saved by ``save`` (no pickle: loading a file never runs code)."""
        return saving.load_model(cls, path)

    def summary(self):
        """A table of the layers and their parameter counts, as a string."""
        rows = [(repr(layer), sum(np.size(getattr(layer, name)) for name in getattr(layer, "params", ())))
                for layer in self.layers]
        width = max([len(name) for name, _ in rows] + [5])
        lines = [f"{'layer':<{width}}  parameters"] + [f"{name:<{width}}  {count:>10,}" for name, count in rows]
        lines.append(f"{'total':<{width}}  {sum(count for _, count in rows):>10,}")
        for part in ("loss", "optimizer", "accuracy"):
            if getattr(self, part) is not None:
                lines.append(f"{part}: {getattr(self, part)!r}")
        return "\n".join(lines)

    def __repr__(self):
        return f"Model({len(self.layers)} layers)"
