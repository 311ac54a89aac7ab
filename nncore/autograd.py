r"""Reverse-mode automatic differentiation on NumPy arrays: a ``Tensor`` that records how it was computed.

Every operation returns a new ``Tensor`` that remembers its ``parents`` and a
``_backward`` closure: given ``out.grad`` (:math:`\partial L / \partial\,\mathrm{out}`,
the output's shape), it adds each parent's share, ``out.grad`` times the local
derivative, to that parent's ``grad`` with ``accumulate``. ``backward()`` seeds
the gradient of a scalar with 1 and runs the closures in reverse topological
order, so each tensor's gradient is complete before it is passed on.

Gradients **add up**: a tensor used by several operations gets one share from
each (``accumulate``). Broadcasting repeats an operand along some axes, so its
gradient is summed back over those axes (``sum_to_shape``).

Results have the class of the tensor the method is called on, so a subclass
that overrides some operations keeps its own versions all through a graph.
"""
import numpy as np


def sum_to_shape(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, so that it gets ``shape``.

    Leading axes that ``shape`` lacks are summed away; axes where ``shape`` has 1 and ``grad`` more are summed
    with ``keepdims``. ``sum_to_shape(np.ones((4, 3)), (1, 3))`` is ``[[4., 4., 4.]]``.
    """
    grad = np.asarray(grad)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def _as_float_array(data):
    if isinstance(data, Tensor):
        raise TypeError("Tensor(data) takes numbers or an array, got a Tensor: use the tensor itself")
    try:
        array = np.asarray(data)
    except (TypeError, ValueError) as error:
        raise TypeError(f"Tensor data must be numbers or an array of numbers, got {type(data).__name__}: {error}") \
            from None
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise TypeError(f"Tensor data must be real numbers, got {type(data).__name__} of dtype {array.dtype}"
                        + (" (strings are not numbers: convert them with float(...) first)"
                           if array.dtype.kind in "US" else ""))
    return array


def _axes(axis, ndim):
    """``axis`` (None, an int or a tuple of ints) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(sorted(int(a) % ndim for a in axes)) if ndim else ()


def topological_order(root):
    """Every tensor ``root`` was computed from (and ``root`` itself), each once and after all its parents."""
    order, visited, stack = [], set(), [(root, False)]
    while stack:  # a depth-first search without recursion, so that long chains fit
        tensor, parents_done = stack.pop()
        if parents_done:
            order.append(tensor)
        elif id(tensor) not in visited:
            visited.add(id(tensor))
            stack.append((tensor, True))
            stack.extend((parent, False) for parent in reversed(tensor.parents) if id(parent) not in visited)
    return order


class Tensor:
    """A float array, ``data``, and after ``backward()`` its gradient ``grad`` (same shape; None before).

    Parameters
    ----------
    data : a number or an array of numbers; integers and booleans become float64, floats keep their dtype.
    parents : tuple of Tensor
        The tensors this one was computed from; the operations set it (and ``_backward``).
    """

    __array_ufunc__ = None  # ndarray + Tensor calls Tensor.__radd__, instead of NumPy adding element by element

    def __init__(self, data, parents=()):
        self.data = _as_float_array(data)
        self.grad = None
        self.parents = tuple(parents)
        self._backward = lambda: None

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        grad = "" if self.grad is None else ", with grad"
        return f"Tensor(shape={self.shape}, dtype={self.data.dtype}{grad})"

    def lift(self, value):
        """``value`` as a tensor: itself if it is one, else a new leaf of this tensor's class."""
        return value if isinstance(value, Tensor) else type(self)(value)

    # -------------------------------------------------------------- the engine

    def accumulate(self, grad):
        """Add ``grad`` (this tensor's shape) to ``self.grad``; the first gradient is stored as a copy."""
        grad = np.asarray(grad)
        if grad.shape != self.shape:
            raise ValueError(f"a gradient of shape {grad.shape} arrived at a tensor of shape {self.shape}: the "
                             "gradient of an operand that was broadcast must be summed back to its shape "
                             "(sum_to_shape)")
        self.grad = grad.copy() if self.grad is None else self.grad + grad

    def backward(self, gradient=None):
        """Fill in ``grad`` of every tensor this one was computed from.

        ``gradient`` is :math:`\\partial L / \\partial\\,\\mathrm{self}`, this tensor's shape; a scalar may leave
        it out (it is 1). The gradients of the graph's inner tensors start afresh; those of its leaves (tensors
        no operation made, such as weights) add up across calls until set to None, as in PyTorch.
        """
        if gradient is None:
            if self.data.size != 1:
                raise ValueError(f"backward() without a gradient needs a scalar, got a tensor of shape {self.shape}: "
                                 "reduce it to one number first (.sum(), .mean()) or pass gradient=, an array "
                                 "of its shape")
            gradient = np.ones_like(self.data)
        gradient = np.asarray(gradient, dtype=self.data.dtype)
        if gradient.shape != self.shape:
            raise ValueError(f"gradient must have the tensor's shape {self.shape}, got {gradient.shape}")
        order = topological_order(self)
        for tensor in order:
            if tensor.parents:
                tensor.grad = None
        self.accumulate(gradient)
        for tensor in reversed(order):
            tensor._backward()

    # -------------------------------------------------------------- element-wise, with broadcasting

    def __add__(self, other):
        other = self.lift(other)
        out = type(self)(self.data + other.data, (self, other))

        def _backward():
            self.accumulate(sum_to_shape(out.grad, self.shape))
            other.accumulate(sum_to_shape(out.grad, other.shape))
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = self.lift(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.accumulate(sum_to_shape(out.grad * other.data, self.shape))
            other.accumulate(sum_to_shape(out.grad * self.data, other.shape))
        out._backward = _backward
        return out

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor) or np.ndim(exponent) != 0:
            raise TypeError(f"a Tensor's ** takes a number as exponent, got {type(exponent).__name__}")
        out = type(self)(self.data ** exponent, (self,))
        out._backward = lambda: self.accumulate(out.grad * exponent * self.data ** (exponent - 1))
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self.lift(other))

    def __truediv__(self, other):
        return self * self.lift(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return self.lift(other) - self

    def __rtruediv__(self, other):
        return self.lift(other) / self

    def exp(self):
        out = type(self)(np.exp(self.data), (self,))
        out._backward = lambda: self.accumulate(out.grad * out.data)
        return out

    def log(self):
        out = type(self)(np.log(self.data), (self,))
        out._backward = lambda: self.accumulate(out.grad / self.data)
        return out

    def relu(self):
        out = type(self)(np.maximum(self.data, 0), (self,))
        out._backward = lambda: self.accumulate(out.grad * (self.data > 0))
        return out

    # -------------------------------------------------------------- matrices and shapes

    def __matmul__(self, other):
        other = self.lift(other)
        if self.data.ndim != 2 or other.data.ndim != 2:
            raise ValueError(f"@ takes two 2-D tensors, got shapes {self.shape} and {other.shape}")
        out = type(self)(self.data @ other.data, (self, other))

        def _backward():
            self.accumulate(out.grad @ other.data.T)
            other.accumulate(self.data.T @ out.grad)
        out._backward = _backward
        return out

    def __rmatmul__(self, other):
        return self.lift(other) @ self

    @property
    def T(self):
        out = type(self)(self.data.T, (self,))
        out._backward = lambda: self.accumulate(out.grad.T)
        return out

    def reshape(self, *shape):
        out = type(self)(self.data.reshape(*shape), (self,))
        out._backward = lambda: self.accumulate(out.grad.reshape(self.shape))
        return out

    # -------------------------------------------------------------- reductions

    def _spread(self, grad, axis, keepdims):
        """``grad`` of a reduction's output, with the reduced axes put back (size 1), broadcast to ``self``'s shape."""
        if not keepdims:
            grad = np.expand_dims(grad, _axes(axis, self.data.ndim))
        return np.broadcast_to(grad, self.shape)

    def sum(self, axis=None, keepdims=False):
        out = type(self)(self.data.sum(axis=axis, keepdims=keepdims), (self,))
        out._backward = lambda: self.accumulate(self._spread(out.grad, axis, keepdims))
        return out

    def mean(self, axis=None, keepdims=False):
        count = int(np.prod([self.shape[a] for a in _axes(axis, self.data.ndim)]))
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / count)

    def max(self, axis=None, keepdims=False):
        """The largest value along ``axis``; its gradient is shared equally by the values that tie for it."""
        out = type(self)(self.data.max(axis=axis, keepdims=keepdims), (self,))

        def _backward():
            winners = self.data == self._spread(out.data, axis, keepdims)
            share = winners / winners.sum(axis=axis, keepdims=True)
            self.accumulate(share * self._spread(out.grad, axis, keepdims))
        out._backward = _backward
        return out

    def log_softmax(self, axis=-1):
        r""":math:`z - \log \sum_j e^{z_j}` along ``axis``, computed from :math:`z - \max z` (no overflow).

        One operation with its own backward, :math:`g - \mathrm{softmax}(z) \sum_j g_j`, instead of the five of
        its formula: what frameworks call a fused kernel.
        """
        shifted = self.data - self.data.max(axis=axis, keepdims=True)
        out = type(self)(shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True)), (self,))

        def _backward():
            softmax = np.exp(out.data)
            self.accumulate(out.grad - softmax * out.grad.sum(axis=axis, keepdims=True))
        out._backward = _backward
        return out
