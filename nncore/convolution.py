r"""Layers for batches of images: ``Conv2D``, ``MaxPool2D`` and ``Flatten``.

Images come as ``(N, C, H, W)``: N samples of C channels, H rows and W columns, the layout PyTorch uses, so
that weights copy across unchanged. Along each spatial axis a window of size k moved in steps of s over an
input padded by p gives

.. math:: H' = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1,

rounded down as in PyTorch: rows and columns past the last window that fits are not used (their gradient is 0).

Both layers compute on every window of a batch at once, with no loop over samples or pixels. ``windows`` views
the input as ``(N, C, H', W', k, k)`` without copying it, so a convolution is one matrix product of those windows
(im2col) with the kernels, and ``add_windows`` sends each window's gradient back to the pixels it was cut from.
Max pooling takes the maximum over the k*k views ``window_offsets`` picks: pixel (u, v) of every window at once.
"""
import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import _checks
from .layers import Layer, get_parameters, initial_scale, set_parameters
from .registry import register

INITS = ("he", "glorot", "book")
"""``nncore.layers.INITS`` with Conv2D's default first, as its messages list them."""

def output_size(size, kernel, stride=1, padding=0):
    r"""How many ``kernel`` windows fit on ``size`` pixels padded by ``padding``.

    :math:`\lfloor (size + 2p - k) / s \rfloor + 1`.
    """
    return (size + 2 * padding - kernel) // stride + 1


def windows(images, size, stride):
    """Every ``size`` x ``size`` window of ``images`` ``(N, C, H, W)``, ``stride`` apart.

    A view ``(N, C, H', W', size, size)`` of the same memory: nothing is copied.
    """
    return sliding_window_view(images, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]


def window_offsets(size, stride, H_out, W_out):
    """For each offset (u, v) within a window, in reading order: ``(u, v, rows, columns)``, slices such that
    ``images[:, :, rows, columns]`` holds pixel (u, v) of every window, ``(N, C, H', W')``."""
    return [(u, v, slice(u, u + stride * H_out, stride), slice(v, v + stride * W_out, stride))
            for u in range(size) for v in range(size)]


def add_windows(dwindows, image_shape, stride):
    """The gradient of ``windows``: add every window's gradient ``(N, C, H', W', k, k)`` back to its pixels.

    Returns an array of ``image_shape`` ``(N, C, H, W)``. Windows overlap when ``stride < k``, and a pixel then
    collects the shares of all its windows. The loop runs over the k*k offsets within a window (9 for a 3x3
    kernel), never over samples or pixels: each step adds one strided slice of the whole batch.
    """
    _, _, H_out, W_out, k, _ = dwindows.shape
    dimages = np.zeros(image_shape, dtype=dwindows.dtype)
    for u, v, rows, columns in window_offsets(k, stride, H_out, W_out):
        dimages[:, :, rows, columns] += dwindows[:, :, :, :, u, v]
    return dimages


def _image_batch(layer, inputs):
    """Check that ``inputs`` is a finite batch of images ``(N, C, H, W)`` that ``layer`` takes; return it."""
    name = type(layer).__name__
    inputs = _checks.as_array(f"{name} inputs", inputs)
    if inputs.ndim != 4:
        raise ValueError(f"{name} inputs must be a batch of images (N, C, H, W), got shape {inputs.shape}"
                         f"{_reshape_hint(inputs.shape, getattr(layer, 'in_channels', 1))}")
    layer.output_shape(inputs.shape[1:])
    return inputs


def _reshape_hint(shape, channels):
    """How to turn a flat ``(N, C*s*s)`` batch, one image or a batch without its channel axis into ``(N, C, H, W)``."""
    side = int(round((shape[-1] / channels) ** 0.5)) if len(shape) == 2 else 0
    if side and side * side * channels == shape[1]:
        return f": reshape to (N, {channels}, {side}, {side}) with X.reshape(-1, {channels}, {side}, {side})"
    if len(shape) == 3 and shape[0] == channels:
        return ": for one image (C, H, W) use X[np.newaxis]"
    if len(shape) == 3 and channels == 1:
        return ": for a batch of one-channel images (N, H, W) use X[:, np.newaxis]"
    return ""


def _sample_shape(layer, input_shape, size, padding):
    """Check one sample's shape ``(C, H, W)``, of at least one ``size`` window after ``padding``; return it."""
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else ()
    if len(shape) != 3 or not all(isinstance(side, numbers.Integral) and side > 0 for side in shape):
        raise ValueError(f"{layer!r} input_shape must be one sample's shape (C, H, W), got {input_shape!r}")
    if min(shape[1:]) + 2 * padding < size:
        raise ValueError(f"{layer!r} needs images of at least {size}x{size} after padding {padding}, got "
                         f"{shape[1]}x{shape[2]} (one sample's shape {shape})")
    return shape


@register
class Conv2D(Layer):
    r"""A 2-D convolution (a cross-correlation, as in PyTorch), :math:`Y = W \star X + b`.

    :math:`y_{n,o,i,j} = b_o + \sum_{c,u,v} w_{o,c,u,v}\, x_{n,c,\,is+u,\,js+v}` over the zero-padded input.

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` channels in, ``O`` out: ``weights`` has shape ``(O, C, k, k)`` and ``biases`` shape ``(O,)``.
    kernel_size : int
        ``k``: square kernels of k x k pixels.
    stride : int
        Steps of s pixels between windows; a last window that does not fit is dropped (see the module).
    padding : int
        p zeros added on every side of each image.
    init : str
        The initial weights, ``std * randn(O, C, k, k)`` with fan_in = C*k*k and fan_out = O*k*k:
        ``"he"`` (the default, std = sqrt(2 / fan_in), which keeps ReLU activations at their scale),
        ``"glorot"`` (std = sqrt(2 / (fan_in + fan_out))) or ``"book"`` (std = 0.01). Biases start at 0.
    rng : numpy.random.Generator, optional
        Draw the initial weights from this generator instead of the global stream.
    """

    params = ("weights", "biases")
    input_ndim = 4

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, *, init="he", rng=None):
        self.in_channels = _checks.positive_int("in_channels", in_channels)
        self.out_channels = _checks.positive_int("out_channels", out_channels)
        self.kernel_size = _checks.positive_int("kernel_size", kernel_size)
        self.stride = _checks.positive_int("stride", stride)
        self.padding = _checks.non_negative_int("padding", padding)
        self.init = _checks.choice("init", init, INITS)
        std = initial_scale(self.init, self.in_channels * self.kernel_size ** 2,
                            self.out_channels * self.kernel_size ** 2)
        shape = (self.out_channels, self.in_channels, self.kernel_size, self.kernel_size)
        normals = np.random.randn(*shape) if rng is None else rng.standard_normal(shape)
        self.weights = std * normals
        self.biases = np.zeros(self.out_channels)
        self.needs_input_gradient = True

    @classmethod
    def parameter_shapes(cls, config):
        """The shapes of ``params`` for the constructor arguments ``config``, known without building the layer."""
        out_channels = _checks.positive_int("out_channels", config["out_channels"])
        in_channels = _checks.positive_int("in_channels", config["in_channels"])
        k = _checks.positive_int("kernel_size", config["kernel_size"])
        return {"weights": (out_channels, in_channels, k, k), "biases": (out_channels,)}

    def output_shape(self, input_shape):
        """One sample's output shape ``(O, H', W')`` for its input shape ``(C, H, W)``."""
        C, H, W = _sample_shape(self, input_shape, self.kernel_size, self.padding)
        if C != self.in_channels:
            hint = " (channels last? use X.transpose(0, 3, 1, 2))" if W == self.in_channels else ""
            raise ValueError(f"{self!r} takes {self.in_channels} channel(s) on axis 1 of (N, C, H, W), got one "
                             f"sample's shape {(C, H, W)}{hint}")
        return (self.out_channels, output_size(H, self.kernel_size, self.stride, self.padding),
                output_size(W, self.kernel_size, self.stride, self.padding))

    def forward(self, inputs, training=False):
        """Check that ``inputs`` is a finite ``(N, in_channels, H, W)`` batch the kernel fits, then convolve it."""
        return self._forward(_image_batch(self, inputs), training)

    def _forward(self, inputs, training=False):
        """``(N, C, H, W) -> (N, O, H', W')``: im2col, then one matrix product with the kernels."""
        N, C, H, W = inputs.shape
        p, k = self.padding, self.kernel_size
        padded = inputs
        if p:
            padded = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=inputs.dtype)
            padded[:, :, p:p + H, p:p + W] = inputs
        self.input_shape, self.padded_shape = inputs.shape, padded.shape
        patches = windows(padded, k, self.stride)
        H_out, W_out = patches.shape[2:4]
        # im2col: one row per kernel entry (c, u, v), one column per output position (n, i, j). In this order the
        # copy moves whole image rows, which is three times faster than rows of k pixels for 3x3 kernels.
        self.columns = patches.transpose(1, 4, 5, 0, 2, 3).reshape(C * k * k, N * H_out * W_out)
        kernels = self.weights.reshape(self.out_channels, C * k * k)
        out = kernels @ self.columns + self.biases[:, np.newaxis]
        # A view in (N, O, H', W') order of memory laid out (O, N, H', W'), which backward reads without a copy.
        self.output = out.reshape(self.out_channels, N, H_out, W_out).transpose(1, 0, 2, 3)
        return self.output

    def _backward(self, dvalues):
        r"""Back-propagate ``dvalues`` (G), shape ``(N, O, H', W')``.

        With the im2col matrix X_col ``(C*k*k, N*H'*W')``, the kernels as a matrix W_col ``(O, C*k*k)`` and G
        as G_col ``(O, N*H'*W')``: :math:`\partial W = G_{col} X_{col}^\top`, :math:`\partial b_o = \sum_{n,i,j}
        G_{n,o,i,j}`, and :math:`\partial X` is :math:`W_{col}^\top G_{col}` folded back onto the pixels by
        ``add_windows`` (skipped, ``None``, for a model's first layer, like ``Dense``). Returns ``dinputs``
        ``(N, C, H, W)``.
        """
        N, O, H_out, W_out = dvalues.shape
        C, k, p = self.in_channels, self.kernel_size, self.padding
        G = dvalues.transpose(1, 0, 2, 3).reshape(O, N * H_out * W_out)
        kernels = self.weights.reshape(O, C * k * k)
        self.dweights = (G @ self.columns.T).reshape(self.weights.shape)
        self.dbiases = G.sum(axis=1)
        if not self.needs_input_gradient:
            self.dinputs = None
            return None
        dcolumns = kernels.T @ G
        dwindows = dcolumns.reshape(C, k, k, N, H_out, W_out).transpose(3, 0, 4, 5, 1, 2)
        dpadded = add_windows(dwindows, self.padded_shape, self.stride)
        H, W = self.input_shape[2:]
        self.dinputs = dpadded[:, :, p:p + H, p:p + W]
        return self.dinputs

    def get_parameters(self):
        """Return copies of ``(weights, biases)``, shapes ``(O, C, k, k)`` and ``(O,)``."""
        return get_parameters(self)

    def set_parameters(self, weights, biases):
        """Store copies of ``weights`` ``(O, C, k, k)`` and ``biases`` ``(O,)`` (a PyTorch ``Conv2d``'s as they are)."""
        set_parameters(self, (weights, biases))

    def config(self):
        """Constructor arguments, enough to build an equal-shaped layer again."""
        return {"in_channels": self.in_channels, "out_channels": self.out_channels, "kernel_size": self.kernel_size,
                "stride": self.stride, "padding": self.padding, "init": self.init}

    def __repr__(self):
        init = "" if self.init == "he" else f", init={self.init!r}"
        return (f"Conv2D({self.in_channels} -> {self.out_channels}, k={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}{init})")


@register
class MaxPool2D(Layer):
    r"""Max pooling: the largest value of each ``size`` x ``size`` window, per channel.

    :math:`y_{n,c,i,j} = \max_{u,v} x_{n,c,\,is+u,\,js+v}`. The gradient of a window goes to its maximum alone;
    of tied maxima, to the first in reading order (top row first, left to right), as in PyTorch.

    Parameters
    ----------
    size : int
        The window's side.
    stride : int, optional
        Steps between windows; by default ``size`` (windows side by side). A last window that does not fit is
        dropped, as in ``Conv2D``.
    """

    input_ndim = 4

    def __init__(self, size, stride=None):
        self.size = _checks.positive_int("size", size)
        self.stride = self.size if stride is None else _checks.positive_int("stride", stride)

    def output_shape(self, input_shape):
        """One sample's output shape ``(C, H', W')`` for its input shape ``(C, H, W)``."""
        C, H, W = _sample_shape(self, input_shape, self.size, 0)
        return (C, output_size(H, self.size, self.stride), output_size(W, self.size, self.stride))

    def forward(self, inputs, training=False):
        """Check that ``inputs`` is a finite ``(N, C, H, W)`` batch of at least one window, then pool it."""
        return self._forward(_image_batch(self, inputs), training)

    def _forward(self, inputs, training=False):
        """``(N, C, H, W) -> (N, C, H', W')``: the maximum over the size*size offsets' views of all windows."""
        self.inputs = inputs
        H_out, W_out = (output_size(side, self.size, self.stride) for side in inputs.shape[2:])
        # A loop over the offsets within a window; for 2x2 windows four np.maximum on whole batches are five times
        # faster than an argmax along a last axis of four.
        self.offsets = window_offsets(self.size, self.stride, H_out, W_out)
        self.output = inputs[:, :, self.offsets[0][2], self.offsets[0][3]].copy()
        for _, _, rows, columns in self.offsets[1:]:
            np.maximum(self.output, inputs[:, :, rows, columns], out=self.output)
        return self.output

    def _backward(self, dvalues):
        """Send each window's ``dvalues`` ``(N, C, H', W')`` to its maximum; returns ``dinputs`` ``(N, C, H, W)``.

        The offsets are visited in reading order, and a window's gradient goes to the first that holds its
        maximum (``claimed`` remembers the windows served).
        """
        self.dinputs = np.zeros(self.inputs.shape, dtype=np.result_type(self.inputs, dvalues))
        claimed = np.zeros(dvalues.shape, dtype=bool)
        for _, _, rows, columns in self.offsets:
            first = self.inputs[:, :, rows, columns] == self.output
            first &= ~claimed
            claimed |= first
            self.dinputs[:, :, rows, columns] += first * dvalues
        return self.dinputs

    def config(self):
        """Constructor arguments."""
        return {"size": self.size, "stride": self.stride}

    def __repr__(self):
        return f"MaxPool2D(size={self.size}, stride={self.stride})"


@register
class Flatten(Layer):
    """One row per sample: ``(N, C, H, W) -> (N, C*H*W)``, in C order (channel, row, column) like PyTorch's."""

    def output_shape(self, input_shape):
        """One sample's output shape ``(C*H*W,)`` for its input shape (any number of axes)."""
        shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else ()
        if not shape or not all(isinstance(side, numbers.Integral) and side > 0 for side in shape):
            raise ValueError(f"Flatten input_shape must be one sample's shape of positive sizes, got {input_shape!r}")
        return (int(np.prod(shape)),)

    def forward(self, inputs, training=False):
        """Check that ``inputs`` is a finite batch ``(N, ...)`` of at least two axes, then flatten each sample."""
        inputs = _checks.as_array("Flatten inputs", inputs)
        if inputs.ndim < 2:
            raise ValueError(f"Flatten inputs must be a batch (N, ...) of at least 2 axes, got shape {inputs.shape}")
        return self._forward(inputs, training)

    def _forward(self, inputs, training=False):
        self.input_shape = inputs.shape
        self.output = inputs.reshape(len(inputs), int(np.prod(inputs.shape[1:])))
        return self.output

    def _backward(self, dvalues):
        """``dvalues`` ``(N, C*H*W)`` back in the inputs' shape."""
        self.dinputs = dvalues.reshape(self.input_shape)
        return self.dinputs

    def config(self):
        """Constructor arguments (none)."""
        return {}

    def __repr__(self):
        return "Flatten()"
