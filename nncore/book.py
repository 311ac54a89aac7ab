"""The book's class names, as aliases of nncore's classes (the same objects).

``from nncore.book import *`` lets code written in the book's style run on
nncore: ``Layer_Dense is Dense``. The names come from nncore's registry by the
book's rule, a prefix naming the kind of class: ``Layer_``, ``Activation_``,
``Loss_``, ``Optimizer_`` and ``Accuracy_`` (``CategoricalAccuracy`` is the
book's ``Accuracy_Categorical``). Four classes the registry does not hold are
named here: the input layer, the two base classes and the combined softmax and
cross-entropy, ``Activation_Softmax_Loss_CategoricalCrossentropy``.
"""
from . import activations, registry
from .layers import Input
from .losses import Loss, SoftmaxCategoricalCrossentropy
from .metrics import Accuracy

PREFIXES = {"loss": "Loss_", "optimizer": "Optimizer_", "accuracy": "Accuracy_"}


def book_name(kind, cls):
    """The book's name for ``cls``, registered as ``kind``: ``book_name("layer", Dense) == "Layer_Dense"``."""
    if kind == "layer":
        return ("Activation_" if cls.__module__ == activations.__name__ else "Layer_") + cls.__name__
    if kind == "accuracy":
        return PREFIXES[kind] + cls.__name__.removesuffix("Accuracy")
    return PREFIXES[kind] + cls.__name__


def book_names():
    """Every book name of nncore's own classes, mapped to the class."""
    names = {book_name(kind, cls): cls
             for kind, classes in registry.CLASSES.items() for cls in classes.values()
             if cls.__module__.startswith("nncore.")}
    names.update(Layer_Input=Input, Loss=Loss, Accuracy=Accuracy,
                 Activation_Softmax_Loss_CategoricalCrossentropy=SoftmaxCategoricalCrossentropy)
    return names


globals().update(book_names())
__all__ = sorted(book_names())
