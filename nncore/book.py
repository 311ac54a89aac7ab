"""The book's class names, as aliases of nncore's classes (the same objects).

``from nncore.book import *`` lets code written in the book's style run on
nncore: ``Layer_Dense is Dense``.
"""
from .activations import Linear as Activation_Linear
from .activations import ReLU as Activation_ReLU
from .activations import Sigmoid as Activation_Sigmoid
from .activations import Softmax as Activation_Softmax
from .layers import Dense as Layer_Dense
from .layers import Dropout as Layer_Dropout
from .layers import Input as Layer_Input
from .losses import BinaryCrossentropy as Loss_BinaryCrossentropy
from .losses import CategoricalCrossentropy as Loss_CategoricalCrossentropy
from .losses import Loss
from .losses import MeanAbsoluteError as Loss_MeanAbsoluteError
from .losses import MeanSquaredError as Loss_MeanSquaredError
from .losses import SoftmaxCategoricalCrossentropy as Activation_Softmax_Loss_CategoricalCrossentropy
from .metrics import Accuracy
from .metrics import CategoricalAccuracy as Accuracy_Categorical
from .metrics import RegressionAccuracy as Accuracy_Regression
from .optimizers import SGD as Optimizer_SGD
from .optimizers import Adagrad as Optimizer_Adagrad
from .optimizers import Adam as Optimizer_Adam
from .optimizers import RMSprop as Optimizer_RMSprop

__all__ = [
    "Layer_Dense", "Layer_Dropout", "Layer_Input",
    "Activation_ReLU", "Activation_Softmax", "Activation_Sigmoid", "Activation_Linear",
    "Loss", "Loss_CategoricalCrossentropy", "Loss_BinaryCrossentropy", "Loss_MeanSquaredError",
    "Loss_MeanAbsoluteError", "Activation_Softmax_Loss_CategoricalCrossentropy",
    "Optimizer_SGD", "Optimizer_Adagrad", "Optimizer_RMSprop", "Optimizer_Adam",
    "Accuracy", "Accuracy_Categorical", "Accuracy_Regression",
]
