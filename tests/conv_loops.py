"""Convolution and max pooling as loops that read like their definitions: the reference for nncore.convolution.

The tests hold the vectorised layers to these numbers, and ``make bench`` times them against these loops. Every
function loops over samples, channels and output positions in Python and does one small NumPy operation per
position; nothing here is clever, so that each line can be checked against the formula beside it.

Shapes: images ``(N, C, H, W)``, weights ``(O, C, k, k)``, biases ``(O,)``, outputs ``(N, O, H', W')`` with
``H' = (H + 2p - k) // s + 1`` (and the same for ``W'``).
"""
import numpy as np

from nncore.convolution import Conv2D, MaxPool2D


def pad(x, padding):
    """``x`` with ``padding`` zeros added on every side of its last two axes."""
    N, C, H, W = x.shape
    padded = np.zeros((N, C, H + 2 * padding, W + 2 * padding), dtype=x.dtype)
    padded[:, :, padding:padding + H, padding:padding + W] = x
    return padded


def conv2d_forward(x, weights, biases, stride=1, padding=0):
    r""":math:`y_{n,o,i,j} = b_o + \sum_{c,u,v} w_{o,c,u,v}\, x^{pad}_{n,c,\,is+u,\,js+v}` (a cross-correlation)."""
    k = weights.shape[2]
    xp = pad(x, padding)
    N, O = x.shape[0], weights.shape[0]
    H_out = (xp.shape[2] - k) // stride + 1
    W_out = (xp.shape[3] - k) // stride + 1
    out = np.zeros((N, O, H_out, W_out), dtype=np.result_type(x, weights))
    for n in range(N):
        for o in range(O):
            for i in range(H_out):
                for j in range(W_out):
                    window = xp[n, :, i * stride:i * stride + k, j * stride:j * stride + k]
                    out[n, o, i, j] = np.sum(window * weights[o]) + biases[o]
    return out


def conv2d_backward(x, weights, dout, stride=1, padding=0, *, input_gradient=True):
    """The gradients ``(dx, dweights, dbiases)`` of ``sum(dout * conv2d_forward(x, weights, b))``.

    Every output position adds its share: its window of inputs to ``dweights[o]``, ``dout`` times the kernel
    to the window of ``dx``. ``input_gradient=False`` skips ``dx`` (``None``), as a model's first layer does.
    """
    k = weights.shape[2]
    xp = pad(x, padding)
    N, O, H_out, W_out = dout.shape
    dxp = np.zeros_like(xp, dtype=np.result_type(x, weights))
    dweights = np.zeros_like(weights, dtype=np.result_type(x, weights))
    dbiases = np.zeros(O, dtype=dweights.dtype)
    for n in range(N):
        for o in range(O):
            for i in range(H_out):
                for j in range(W_out):
                    rows, cols = slice(i * stride, i * stride + k), slice(j * stride, j * stride + k)
                    g = dout[n, o, i, j]
                    dweights[o] += g * xp[n, :, rows, cols]
                    dbiases[o] += g
                    if input_gradient:
                        dxp[n, :, rows, cols] += g * weights[o]
    dx = dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]] if input_gradient else None
    return dx, dweights, dbiases


def maxpool_forward(x, size, stride=None):
    r""":math:`y_{n,c,i,j} = \max_{u,v < size} x_{n,c,\,is+u,\,js+v}`; ``stride`` defaults to ``size``."""
    stride = size if stride is None else stride
    N, C, H, W = x.shape
    H_out, W_out = (H - size) // stride + 1, (W - size) // stride + 1
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    out[n, c, i, j] = np.max(x[n, c, i * stride:i * stride + size, j * stride:j * stride + size])
    return out


def maxpool_backward(x, dout, size, stride=None):
    """The gradient for ``x``: each window's ``dout`` goes to the position of its maximum only.

    Ties go to the first maximum in reading order (top row first, then left to right), as ``np.argmax`` and
    PyTorch pick it; a position that is the maximum of several overlapping windows collects all their shares.
    """
    stride = size if stride is None else stride
    N, C, H_out, W_out = dout.shape
    dx = np.zeros(x.shape, dtype=np.result_type(x, dout))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    u, v = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + u, j * stride + v] += dout[n, c, i, j]
    return dx


class LoopConv2D(Conv2D):
    """``nncore.Conv2D`` with its math done by the loops above, to put in a ``Model`` in its place."""

    def _forward(self, inputs, training=False):
        self.inputs = inputs
        self.output = conv2d_forward(inputs, self.weights, self.biases, self.stride, self.padding)
        return self.output

    def _backward(self, dvalues):
        self.dinputs, self.dweights, self.dbiases = conv2d_backward(
            self.inputs, self.weights, dvalues, self.stride, self.padding, input_gradient=self.needs_input_gradient)
        return self.dinputs


class LoopMaxPool2D(MaxPool2D):
    """``nncore.MaxPool2D`` with its math done by the loops above."""

    def _forward(self, inputs, training=False):
        self.inputs = inputs
        self.output = maxpool_forward(inputs, self.size, self.stride)
        return self.output

    def _backward(self, dvalues):
        self.dinputs = maxpool_backward(self.inputs, dvalues, self.size, self.stride)
        return self.dinputs
