r"""Batch normalisation (Ioffe and Szegedy, 2015): each feature normalised over the batch, then scaled and shifted.

Shapes: ``N`` samples per batch, ``n_features`` features, in and out.
"""
import numpy as np

from . import _checks
from .layers import Layer
from .registry import register


@register
class BatchNorm(Layer):
    r"""Normalise each feature over the batch, then scale and shift it: :math:`y = \gamma \hat x + \beta`.

    Training: per feature, :math:`\mu = \frac1N \sum_i x_i` and
    :math:`\sigma^2 = \frac1N \sum_i (x_i - \mu)^2` (the biased variance),
    :math:`\hat x = (x - \mu) / \sqrt{\sigma^2 + \epsilon}`. The running
    statistics follow :math:`r \leftarrow m\,r + (1 - m)\,b`, with :math:`b` the
    batch mean, and for the variance the *unbiased* batch variance
    :math:`\sigma^2 N / (N - 1)`, as PyTorch keeps it. Inference
    (``training=False``) normalises with the running statistics instead, so a
    prediction does not depend on the other samples of its batch.

    Parameters
    ----------
    n_features : int
        ``gamma``, ``beta`` and the running statistics have shape ``(1, n_features)``.
    momentum : float
        :math:`m` in [0, 1): how much of the running statistics each batch keeps.
    epsilon : float
        Added to the variance before the square root, so a constant feature divides by no zero.
    """

    params = ("gamma", "beta")
    buffers = ("running_mean", "running_var")
    non_negative = ("running_var",)  # a variance: set_buffers refuses a negative one, whose square root is NaN
    input_ndim = 2

    def __init__(self, n_features, momentum=0.9, epsilon=1e-5):
        self.n_features = _checks.positive_int("n_features", n_features)
        self.momentum = _checks.real_number("momentum", momentum, low=0.0, high=1.0)
        self.epsilon = _checks.real_number("epsilon", epsilon, low_open=True)
        # In np.zeros's dtype, as Dense's biases: float32 after nnfs.init(), so float32 data stays float32.
        self.beta = np.zeros((1, self.n_features))
        self.gamma = np.ones_like(self.beta)
        self.running_mean = np.zeros_like(self.beta)
        self.running_var = np.ones_like(self.beta)
        self.needs_input_gradient = True

    @classmethod
    def parameter_shapes(cls, config):
        """The shapes of ``params`` for the constructor arguments ``config``, known without building the layer."""
        n_features = _checks.positive_int("n_features", config["n_features"])
        return {"gamma": (1, n_features), "beta": (1, n_features)}

    @property
    def input_columns(self):
        return self.n_features

    def output_shape(self, input_shape):
        """One sample's output shape for one sample's ``input_shape``: ``(n_features,)`` in, the same out."""
        if tuple(input_shape) != (self.n_features,):
            raise ValueError(f"{self!r} takes samples of shape ({self.n_features},), got {tuple(input_shape)}")
        return (self.n_features,)

    def _forward(self, inputs, training=False):
        """``(N, n_features) -> (N, n_features)``; training needs ``N >= 2`` and updates the running statistics."""
        if training:
            n_samples = len(inputs)
            if n_samples < 2:
                raise ValueError(f"{self!r} in training needs at least 2 samples per batch to estimate each "
                                 f"feature's mean and variance, got {n_samples} (a last batch of 1: choose a "
                                 "batch_size that leaves 2 or more)")
            mean = inputs.mean(axis=0, keepdims=True)
            centred = inputs - mean
            variance = (centred * centred).mean(axis=0, keepdims=True)
            # In place, so the running statistics keep their dtype.
            self.running_mean *= self.momentum
            self.running_mean += (1 - self.momentum) * mean
            self.running_var *= self.momentum
            self.running_var += (1 - self.momentum) * variance * (n_samples / (n_samples - 1))
        else:
            centred, variance = inputs - self.running_mean, self.running_var
        self.training = training
        self.inv_std = 1 / np.sqrt(variance + self.epsilon)
        self.xhat = centred * self.inv_std
        self.output = self.gamma * self.xhat + self.beta
        return self.output

    def _backward(self, dvalues):
        r"""Back-propagate ``dvalues`` (G), shape ``(N, n_features)``.

        Sets :math:`\partial\gamma = \sum_i G_i \hat x_i`, :math:`\partial\beta = \sum_i G_i`. With
        :math:`\partial\hat x = G\gamma`, after a training pass (where :math:`\mu` and
        :math:`\sigma^2` depend on every sample) it returns
        :math:`\partial x = \frac{1}{N\sigma'} (N\,\partial\hat x - \sum_i \partial\hat x_i - \hat x \sum_i
        \partial\hat x_i \hat x_i)`, :math:`\sigma' = \sqrt{\sigma^2 + \epsilon}`; after an inference
        pass (constant statistics) :math:`\partial x = \partial\hat x / \sigma'`.
        """
        self.dgamma = (dvalues * self.xhat).sum(axis=0, keepdims=True)
        self.dbeta = dvalues.sum(axis=0, keepdims=True)
        if not self.needs_input_gradient:
            self.dinputs = None
            return self.dinputs
        dxhat = dvalues * self.gamma
        if not self.training:
            self.dinputs = dxhat * self.inv_std
            return self.dinputs
        n_samples = len(dvalues)
        self.dinputs = (1 / n_samples) * self.inv_std * (
            n_samples * dxhat - dxhat.sum(axis=0, keepdims=True)
            - self.xhat * (dxhat * self.xhat).sum(axis=0, keepdims=True))
        return self.dinputs

    def config(self):
        """Constructor arguments."""
        return {"n_features": self.n_features, "momentum": self.momentum, "epsilon": self.epsilon}

    def __repr__(self):
        return f"BatchNorm({self.n_features}, momentum={self.momentum!r})"
