"""nncore: the neural-network library built in the course, one chapter at a time.

The clean names live here; ``nncore.book`` offers the book's names for the same classes.
"""
from . import (activations, autograd, convolution, datasets, functional, gradcheck, layers, losses, metrics, model,
               normalization, optimizers, registry, saving, schedules)
from .activations import Linear, LeakyReLU, ReLU, Sigmoid, Softmax, Swish, Tanh
from .convolution import Conv2D, Flatten, MaxPool2D
from .layers import Dense, Dropout, Input
from .losses import (BinaryCrossentropy, CategoricalCrossentropy, Loss, MeanAbsoluteError, MeanSquaredError,
                     SoftmaxCategoricalCrossentropy)
from .metrics import CategoricalAccuracy, RegressionAccuracy, accuracy, confusion_matrix, r_squared
from .model import Model
from .normalization import BatchNorm
from .optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from .registry import register
from .schedules import CosineWarmup, ExponentialDecay, InverseTimeDecay, StepDecay

__version__ = "0.1.0"
