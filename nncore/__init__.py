"""nncore: the neural-network library built in the course, one chapter at a time.

The clean names live here; ``nncore.book`` offers the book's names for the same classes.
"""
from . import (activations, autograd, datasets, functional, gradcheck, layers, losses, metrics, model, optimizers,
               registry, saving)
from .activations import Linear, LeakyReLU, ReLU, Sigmoid, Softmax, Swish, Tanh
from .layers import Dense, Dropout, Input
from .losses import (BinaryCrossentropy, CategoricalCrossentropy, Loss, MeanAbsoluteError, MeanSquaredError,
                     SoftmaxCategoricalCrossentropy)
from .metrics import CategoricalAccuracy, RegressionAccuracy, accuracy, confusion_matrix, r_squared
from .model import Model
from .optimizers import SGD, Adagrad, Adam, RMSprop
from .registry import register

__version__ = "0.1.0"
