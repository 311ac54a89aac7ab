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
- ``Activation_Sigmoid``: the book's formula ``1 / (1 + exp(-z))``, which warns of
  overflow for large negative ``z`` where nncore's stable formula does not;
  the two differ in the last float32 digit, which long training grows.

Where the book is wrong, nncore stays right: the book's MAE gradient has the wrong
sign, and its cross-entropy gradient ``-y_true / dvalues`` divides by zero for a
zero probability (nncore clips as the forward pass does).
"""
import numpy as np

from . import activations, layers, registry
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

    def _forward(self, inputs, training=True):
        self.inputs = inputs
        if not training:
            self.binary_mask = None
            self.output = inputs.copy()
            return self.output
        binomial = np.random.binomial if self.rng is None else self.rng.binomial
        self.binary_mask = binomial(1, self.rate, size=inputs.shape) / self.rate
        self.output = inputs * self.binary_mask
        return self.output

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


def book_name(kind, cls):
    """The book's name for ``cls``, registered as ``kind``: ``book_name("layer", Dense) == "Layer_Dense"``."""
    if kind == "layer":
        return ("Activation_" if cls.__module__ == activations.__name__ else "Layer_") + cls.__name__
    if kind == "accuracy":
        return PREFIXES[kind] + cls.__name__.removesuffix("Accuracy")
    return PREFIXES[kind] + cls.__name__


def book_names():
    """Every book name, mapped to nncore's class or, where the book behaves otherwise, to the subclass here."""
    names = {book_name(kind, cls): cls
             for kind, classes in registry.CLASSES.items() for cls in classes.values()
             if cls.__module__.startswith("nncore.") and cls.__module__ != __name__}
    names.update(Layer_Input=Input, Loss=Loss, Accuracy=Accuracy,
                 Activation_Softmax_Loss_CategoricalCrossentropy=SoftmaxCategoricalCrossentropy,
                 Layer_Dropout=Layer_Dropout, Activation_Sigmoid=Activation_Sigmoid)
    return names


globals().update(book_names())
__all__ = sorted(book_names())
