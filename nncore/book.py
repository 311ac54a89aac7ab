"""The book's class names for nncore's classes, so that code written in the book's style runs on nncore.

``from nncore.book import *`` gives the book's names. Most are nncore's own
classes (``Layer_Dense is Dense``), named from nncore's registry by the book's
rule, a prefix naming the kind of class: ``Layer_``, ``Activation_``, ``Loss_``,
``Optimizer_`` and ``Accuracy_`` (``CategoricalAccuracy`` is the book's
``Accuracy_Categorical``). Four classes the registry does not hold are named
here: the input layer, the two base classes and the combined softmax and
cross-entropy, ``Activation_Softmax_Loss_CategoricalCrossentropy``.

Where the book's classes behave otherwise on purpose, the book's name is a thin
subclass that follows the book, and nncore's own class keeps its behaviour:

- ``Layer_Dropout``: ``forward(inputs)`` is a training pass unless
  ``training=False`` (chapter 15 calls it without the flag); ``rate`` holds the
  *kept* fraction, ``1 - rate`` of the constructor; the mask is float64,
  ``binomial(1, kept, shape) / kept``, the same numbers as the book's.
- ``Model``: ``train`` prints the book's lines. Without ``batch_size`` it is
  chapter 18's loop: ``epoch: N, acc: ..., loss: ... (data_loss: ...,
  reg_loss: ...), lr: ...`` every ``print_every`` epochs, validation once at the
  end. With ``batch_size`` it is chapter 19's: ``epoch: N``, a ``step:`` line
  every ``print_every`` steps and after the last, ``training, ...`` for the
  epoch and ``validation, ...`` after it. Losses are reported as the book does,
  the regularization loss computed before the step. ``evaluate`` prints
  ``validation, acc: ..., loss: ...``. nncore's ``Model`` counts epochs and keeps
  a history instead.
- ``Activation_Sigmoid``: the book's formula ``1 / (1 + exp(-z))``, which warns of
  overflow for large negative ``z`` where nncore's stable formula does not;
  the two differ in the last float32 digit, which long training grows.

Where the book is wrong, nncore stays right: the book's MAE gradient has the wrong
sign, and its cross-entropy gradient ``-y_true / dvalues`` divides by zero for a
zero probability (nncore clips as the forward pass does).
"""
import math

import numpy as np

from . import _checks, activations, layers, model, registry
from .layers import Input
from .losses import Loss, SoftmaxCategoricalCrossentropy
from .metrics import Accuracy


@registry.register
class Layer_Dropout(layers.Dropout):
    """Dropout as the book writes it: training by default, ``rate`` the kept fraction, a float64 mask."""

    def __init__(self, rate, *, rng=None):
        super().__init__(rate, rng=rng)
        self.dropped = self.rate
        self.rate = self.keep_prob  # the book's "success rate": 0.9 for Layer_Dropout(0.1)

    def forward(self, inputs, training=True):
        """A training pass (mask applied) unless ``training=False``: the book's chapter 15 passes no flag."""
        return super().forward(inputs, training)

    def mask_dtype(self, inputs):
        """float64 whatever the inputs, as the book's ``binomial(1, kept, shape) / kept``."""
        return np.dtype(np.float64)

    def config(self):
        return {"rate": self.dropped}

    def __repr__(self):
        return f"Layer_Dropout({self.dropped!r})"


@registry.register
class Activation_Sigmoid(activations.Sigmoid):
    """The sigmoid by the book's formula, ``1 / (1 + exp(-z))``."""

    def _forward(self, inputs, training=False):
        self.inputs = inputs
        self.output = 1 / (1 + np.exp(-inputs))
        return self.output

PREFIXES = {"loss": "Loss_", "optimizer": "Optimizer_", "accuracy": "Accuracy_"}


class Model(model.Model):
    """nncore's ``Model`` with the book's ``train`` and ``evaluate`` printouts (see the module's docstring)."""

    def train(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None):
        """Train as the book's chapter 18 (no ``batch_size``) or chapter 19 (with it) does, printing its lines."""
        self._ready("loss", "optimizer", "accuracy")
        X, y = self._data(X, y)
        epochs = _checks.positive_int("epochs", epochs)
        print_every = _checks.positive_int("print_every", print_every)
        if batch_size is not None:
            batch_size = _checks.positive_int("batch_size", batch_size)
        y = self.checked_targets(X, y, batch_size)
        self.accuracy.init(y)
        checked = True
        for epoch in range(1, epochs + 1):
            if batch_size is None:
                data_loss, reg_loss, accuracy = self._step(X, y, epoch, checked)
                checked = False
                if not epoch % print_every:
                    print(f"epoch: {epoch}, {self._line(accuracy, data_loss, reg_loss)}")
                continue
            print(f"epoch: {epoch}")
            self.loss.new_pass()
            self.accuracy.new_pass()
            steps = -(-len(X) // batch_size)
            for step, (batch_X, batch_y) in enumerate(model.batches(X, y, batch_size)):
                data_loss, reg_loss, accuracy = self._step(batch_X, batch_y, epoch, checked)
                checked = False
                if not step % print_every or step == steps - 1:
                    print(f"step: {step}, {self._line(accuracy, data_loss, reg_loss)}")
            data_loss, reg_loss = self.loss.calculate_accumulated(include_regularization=True)
            print(f"training, {self._line(self.accuracy.calculate_accumulated(), data_loss, reg_loss)}")
            if validation_data is not None:
                self.evaluate(*validation_data, batch_size=batch_size)
        if batch_size is None and validation_data is not None:
            self.evaluate(*validation_data)

    def _step(self, X, y, epoch, checked):
        """One training step; returns the data loss, the regularization loss (before the step) and the accuracy."""
        output = self.forward(X, training=True, checked=checked)
        data_loss, reg_loss = self.loss.calculate(output, y, include_regularization=True, checked=checked)
        if not math.isfinite(data_loss):
            raise model.diverged(f"the loss must stay finite, got {float(data_loss)} in epoch {epoch}",
                                 self.optimizer.current_learning_rate)
        accuracy = self.accuracy.calculate(self.output_layer_activation.predictions(output), y)
        self.backward(output, y, checked=checked)
        self.optimizer.step(self.trainable_layers)
        return data_loss, reg_loss, accuracy

    def _line(self, accuracy, data_loss, reg_loss):
        return (f"acc: {accuracy:.3f}, loss: {data_loss + reg_loss:.3f} (data_loss: {data_loss:.3f}, "
                f"reg_loss: {reg_loss:.3f}), lr: {self.optimizer.current_learning_rate}")

    def evaluate(self, X_val, y_val, *, batch_size=None):
        """Print ``validation, acc: ..., loss: ...`` for ``(X_val, y_val)`` in inference mode."""
        loss, accuracy = super().evaluate(X_val, y_val, batch_size=batch_size, verbose=False)
        print(f"validation, acc: {accuracy:.3f}, loss: {loss:.3f}")


def book_name(kind, cls):
    """The book's name for ``cls``, registered as ``kind``: ``book_name("layer", Dense) == "Layer_Dense"``."""
    if kind == "layer":
        return ("Activation_" if cls.__module__ == activations.__name__ else "Layer_") + cls.__name__
    if kind == "accuracy":
        return PREFIXES[kind] + cls.__name__.removesuffix("Accuracy")
    return PREFIXES[kind] + cls.__name__


def book_names():
    """Every book name, mapped to nncore's class or, where the book behaves otherwise, to the subclass here.

    The book has no learning-rate schedules, so they have no book names."""
    names = {book_name(kind, cls): cls
             for kind, classes in registry.CLASSES.items() if kind != "schedule" for cls in classes.values()
             if cls.__module__.startswith("nncore.") and cls.__module__ != __name__}
    names.update(Layer_Input=Input, Loss=Loss, Accuracy=Accuracy,
                 Activation_Softmax_Loss_CategoricalCrossentropy=SoftmaxCategoricalCrossentropy,
                 Layer_Dropout=Layer_Dropout, Activation_Sigmoid=Activation_Sigmoid, Model=Model)
    return names


globals().update(book_names())
__all__ = sorted(book_names())
