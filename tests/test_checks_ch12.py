"""12_autograd's checks refuse the usual wrong answers, each with a message that names the mistake."""
import numpy as np
import pytest

from nncore import autograd
from wrong_answers import accepted, cases, refusal


def tensor_class(**methods):
    """A Tensor as the chapter grows it: nncore's, with the learner's methods in place of its own."""
    return type("Tensor", (autograd.Tensor,), methods)


# ------------------------------------------------------------------ accumulate

def accumulate(self, grad):
    if self.grad is None:
        self.grad = np.array(grad, dtype=np.float64)
    else:
        self.grad += grad


def accumulate_by_assignment(self, grad):
    self.grad = np.array(grad, dtype=np.float64)


def accumulate_aliased(self, grad):
    if self.grad is None:
        self.grad = grad
    else:
        self.grad += grad


def accumulate_first_only(self, grad):
    if self.grad is None:
        self.grad = np.array(grad, dtype=np.float64)


def accumulate_multiplied(self, grad):
    self.grad = np.array(grad, dtype=np.float64) if self.grad is None else self.grad * grad


def accumulate_constant(self, grad):
    self.grad = np.ones_like(self.data)


# ------------------------------------------------------------------ topological order and backward

def topological_order(root):
    order, visited = [], set()

    def visit(tensor):
        if tensor not in visited:
            visited.add(tensor)
            for parent in tensor.parents:
                visit(parent)
            order.append(tensor)
    visit(root)
    return order


def order_without_visited(root):
    order = []

    def visit(tensor):
        for parent in tensor.parents:
            visit(parent)
        order.append(tensor)
    visit(root)
    return order


def order_parents_after(root):
    return list(reversed(topological_order(root)))


def order_breadth_first_reversed(root):
    order, seen, queue = [], {id(root)}, [root]
    while queue:
        tensor = queue.pop(0)
        order.append(tensor)
        for parent in tensor.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                queue.append(parent)
    return order[::-1]


def backward_with(order=None, *, reversed_walk=True, seed=1.0, reset=True, scalar_only=True, use_given=True):
    """A backward pass written from ``order`` (default: the right one) with one of its steps changed."""
    def backward(self, gradient=None):
        if gradient is None:
            if scalar_only and self.data.size != 1:
                raise ValueError("a non-scalar needs gradient=")
            gradient = np.ones_like(self.data)
        if not use_given:
            gradient = np.ones_like(self.data)
        tensors = (order or topological_order)(self)
        if reset:
            for tensor in tensors:
                if tensor.parents:
                    tensor.grad = None
        if seed is not None:
            self.accumulate(np.asarray(gradient, dtype=np.float64) * seed)
        for tensor in (reversed(tensors) if reversed_walk else tensors):
            tensor._backward()
    return backward


def backward_case(order_function=topological_order, **changes):
    return lambda: (tensor_class(backward=backward_with(order_function, **changes)), order_function)


# ------------------------------------------------------------------ sum_to_shape

def sum_to_shape(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def sum_leading_only(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    return grad


def sum_without_keepdims(grad, shape):
    grad = sum_leading_only(grad, shape)
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
    return grad.sum(axis=stretched) if stretched else grad


def sum_stretched_only(grad, shape):
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def mean_to_shape(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.mean(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.mean(axis=axis, keepdims=True)
    return grad


# ------------------------------------------------------------------ + and *

def binary(forward, share_self, share_other, *, summed=True, through_accumulate=True):
    """An operation whose backward gives self share_self(out, self, other) and other share_other(...)."""
    def operation(self, other):
        other = self.lift(other)
        out = type(self)(forward(self.data, other.data), (self, other))

        def _backward():
            for tensor, share in ((self, share_self), (other, share_other)):
                grad = share(out, self, other)
                if summed:
                    grad = sum_to_shape(grad, tensor.shape)
                if through_accumulate:
                    tensor.accumulate(grad)
                else:
                    tensor.grad = grad
        out._backward = _backward
        return out
    return operation


def add_right():
    return binary(np.add, lambda out, a, b: out.grad, lambda out, a, b: out.grad)


def mul_right():
    return binary(np.multiply, lambda out, a, b: out.grad * b.data, lambda out, a, b: out.grad * a.data)


def add_mul(add=None, mul=None):
    return lambda: (tensor_class(__add__=add or add_right(), __mul__=mul or mul_right()),)


def add_without_lift(self, other):
    out = type(self)(self.data + other.data, (self, other))

    def _backward():
        self.accumulate(sum_to_shape(out.grad, self.shape))
        other.accumulate(sum_to_shape(out.grad, other.shape))
    out._backward = _backward
    return out


def mul_without_other_parent(self, other):
    other = self.lift(other)
    out = type(self)(self.data * other.data, (self,))

    def _backward():
        self.accumulate(sum_to_shape(out.grad * other.data, self.shape))
        other.accumulate(sum_to_shape(out.grad * self.data, other.shape))
    out._backward = _backward
    return out


def add_without_closure(self, other):
    other = self.lift(other)
    return type(self)(self.data + other.data, (self, other))


# ------------------------------------------------------------------ @

def matmul(share_self, share_other, *, through_accumulate=True):
    def operation(self, other):
        other = self.lift(other)
        out = type(self)(self.data @ other.data, (self, other))

        def _backward():
            for tensor, share in ((self, share_self), (other, share_other)):
                grad = share(out.grad, self.data, other.data)
                if through_accumulate:
                    tensor.accumulate(grad)
                else:
                    tensor.grad = grad
        out._backward = _backward
        return out
    return lambda: (tensor_class(__matmul__=operation),)


RIGHT_A, RIGHT_B = (lambda G, A, B: G @ B.T), (lambda G, A, B: A.T @ G)


# ------------------------------------------------------------------ exercises

def tanh_with(local, *, times_grad=True, through_accumulate=True):
    def tanh(self):
        out = type(self)(np.tanh(self.data), (self,))

        def _backward():
            grad = out.grad * local(self.data, out.data) if times_grad else local(self.data, out.data)
            if through_accumulate:
                self.accumulate(grad)
            else:
                self.grad = grad
        out._backward = _backward
        return out
    return lambda: (tensor_class(tanh=tanh),)


def tanh_right(x, t):
    return 1 - t ** 2


def tied(encoder=True, decoder=True, decoder_transposed=False):
    def tied_gradient(X, W, G):
        total = 0
        if encoder:
            total = total + X.T @ G @ W
        if decoder:
            total = total + ((X @ W).T @ G if decoder_transposed else G.T @ X @ W)
        return total
    return lambda: (tied_gradient,)


def batch_norm_with(*, mean_from_data=False, variance_from_data=False, ddof=0, epsilon=1e-5, axis=0):
    def batch_norm(x):
        n = x.shape[axis]
        mean = x.data.mean(axis=axis, keepdims=True) if mean_from_data else x.mean(axis=axis, keepdims=True)
        centred = x - mean
        if variance_from_data:
            variance = x.data.var(axis=axis, ddof=ddof, keepdims=True)
        else:
            variance = (centred ** 2).sum(axis=axis, keepdims=True) / (n - ddof)
        return centred / (variance + epsilon) ** 0.5 if epsilon else centred / variance ** 0.5
    return lambda: (batch_norm,)


WRONG_ANSWERS = {
    "check_accumulate": [
        ("= instead of +=", lambda: (tensor_class(accumulate=accumulate_by_assignment),), "replaced the one before"),
        ("the first gradient stored without a copy", lambda: (tensor_class(accumulate=accumulate_aliased),),
         "store a copy"),
        ("later gradients dropped", lambda: (tensor_class(accumulate=accumulate_first_only),), "holds only the first"),
        ("gradients multiplied", lambda: (tensor_class(accumulate=accumulate_multiplied),), "multiplied"),
        ("a constant", lambda: (tensor_class(accumulate=accumulate_constant),), "self.grad after one gradient"),
    ],
    "check_backward": [
        ("no visited set: a tensor listed twice", backward_case(order_without_visited), "more than once"),
        ("parents after their children", backward_case(order_parents_after), "before one of its parents"),
        ("a breadth-first search, reversed", backward_case(order_breadth_first_reversed), "breadth-first"),
        ("the closures run in forward order", backward_case(reversed_walk=False), "reversed"),
        ("no seed", backward_case(seed=None), "never seeded"),
        ("a seed of 0", backward_case(seed=0.0), "the seed, ∂e/∂e, is 1"),
        ("inner tensors keep their gradients", backward_case(reset=False), "start afresh"),
        ("a non-scalar seeded with ones", backward_case(scalar_only=False), "went through"),
        ("the given gradient ignored", backward_case(use_given=False), "ignored the gradient"),
    ],
    "check_sum_to_shape": [
        ("size-1 axes not summed", lambda: (sum_leading_only,), "unsummed"),
        ("summed without keepdims", lambda: (sum_without_keepdims,), "keepdims=True"),
        ("leading axes not summed", lambda: (sum_stretched_only,), "leading axes"),
        ("a mean instead of a sum", lambda: (mean_to_shape,), "an average"),
        ("the gradient returned as it came", lambda: (lambda grad, shape: grad,), "unsummed"),
    ],
    "check_add_mul": [
        ("+ not summed over the broadcast axis",
         add_mul(add=binary(np.add, lambda o, a, b: o.grad, lambda o, a, b: o.grad, summed=False)),
         "sum_to_shape"),
        ("+ sets .grad instead of accumulating",
         add_mul(add=binary(np.add, lambda o, a, b: o.grad, lambda o, a, b: o.grad, through_accumulate=False)),
         "one operand's share"),
        ("+ passes the local derivative 1 alone",
         add_mul(add=binary(np.add, lambda o, a, b: np.ones_like(o.data), lambda o, a, b: np.ones_like(o.data))),
         "local derivative 1 alone"),
        ("+ without lifting a number", add_mul(add=add_without_lift), "self.lift"),
        ("+ that subtracts", add_mul(add=binary(np.subtract, lambda o, a, b: o.grad, lambda o, a, b: o.grad)),
         "the result"),
        ("* that adds", add_mul(mul=binary(np.add, lambda o, a, b: o.grad * b.data, lambda o, a, b: o.grad * a.data)),
         "the result"),
        ("* without the right operand among the parents", add_mul(mul=mul_without_other_parent), "right operand"),
        ("+ without its closure", add_mul(add=add_without_closure), "set out._backward"),
        ("* not summed over the broadcast axis",
         add_mul(mul=binary(np.multiply, lambda o, a, b: o.grad * b.data, lambda o, a, b: o.grad * a.data,
                            summed=False)), "sum_to_shape"),
        ("* gives each operand itself", add_mul(mul=binary(np.multiply, lambda o, a, b: o.grad * a.data,
                                                           lambda o, a, b: o.grad * b.data)), "*other* operand"),
        ("* without out.grad", add_mul(mul=binary(np.multiply, lambda o, a, b: np.broadcast_to(b.data, o.shape),
                                                  lambda o, a, b: np.broadcast_to(a.data, o.shape))),
         "the local derivative: multiply it by out.grad"),
        ("* sets .grad instead of accumulating",
         add_mul(mul=binary(np.multiply, lambda o, a, b: o.grad * b.data, lambda o, a, b: o.grad * a.data,
                            through_accumulate=False)), "a * a gave a.grad = out.grad · a"),
    ],
    "check_matmul": [
        ("dA = G B", matmul(lambda G, A, B: G @ B, RIGHT_B), "A.grad is G B"),
        ("dB transposed", matmul(RIGHT_A, lambda G, A, B: G.T @ A), "B.grad is Gᵀ A"),
        ("the two gradients swapped", matmul(lambda G, A, B: A.T @ G, lambda G, A, B: G @ B.T), "swapped"),
        ("sets .grad instead of accumulating", matmul(RIGHT_A, RIGHT_B, through_accumulate=False), "A @ A gave A one"),
        ("dA with the factors in the wrong order", matmul(lambda G, A, B: B.T @ G, RIGHT_B), "wrong order"),
        ("dA = G B on non-square shapes", matmul(lambda G, A, B: G @ B if B.shape[0] != B.shape[1] else G @ B.T,
                                                 RIGHT_B), "wrong shape"),
    ],
    "check_tanh": [
        ("1 - tanh, not squared", tanh_with(lambda x, t: 1 - t), "squared"),
        ("the local derivative alone", tanh_with(tanh_right, times_grad=False), "local derivative"),
        ("1 - x² in place of 1 - tanh²", tanh_with(lambda x, t: 1 - x ** 2), "square of the *output*"),
        ("sets .grad instead of accumulating", tanh_with(tanh_right, through_accumulate=False), "replaced x.grad"),
    ],
    "check_tied_gradient": [
        ("the first use alone", tied(decoder=False), "share of the first use"),
        ("the second use alone", tied(encoder=False), "share of the second use"),
        ("the second share left as Wᵀ's gradient", tied(encoder=False, decoder_transposed=True), "Wᵀ's"),
        ("one share twice", lambda: (lambda X, W, G: 2 * X.T @ G @ W,), "one share twice"),
    ],
    "check_batch_norm": [
        ("the mean from x.data", batch_norm_with(mean_from_data=True), "the mean came from x.data"),
        ("the variance from x.data", batch_norm_with(variance_from_data=True), "the variance came from x.data"),
        ("both from x.data", batch_norm_with(mean_from_data=True, variance_from_data=True),
         "the mean and the variance came from x.data"),
        ("variance divided by N - 1", batch_norm_with(ddof=1), "N - 1"),
        ("no epsilon", batch_norm_with(epsilon=0), "no ε"),
        ("normalised per sample", batch_norm_with(axis=1), "each sample"),
        ("computed in NumPy and wrapped", lambda: (lambda x: autograd.Tensor(
            (x.data - x.data.mean(axis=0)) / np.sqrt(x.data.var(axis=0) + 1e-5)),), "not connected to x"),
    ],
}

RIGHT_ANSWERS = [
    ("check_accumulate", lambda: (tensor_class(accumulate=accumulate),)),
    ("check_backward", backward_case()),
    ("check_backward", lambda: (tensor_class(backward=lambda self, gradient=None: autograd.Tensor.backward(
        self, gradient)), autograd.topological_order)),  # nncore's own, iterative order
    ("check_sum_to_shape", lambda: (sum_to_shape,)),
    ("check_add_mul", add_mul()),
    ("check_matmul", matmul(RIGHT_A, RIGHT_B)),
    ("check_tanh", tanh_with(tanh_right)),
    ("check_tied_gradient", tied()),
    ("check_batch_norm", batch_norm_with()),
]


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch12", check_name, answer())


@pytest.mark.parametrize("check_name, answer", RIGHT_ANSWERS, ids=[name for name, _ in RIGHT_ANSWERS])
def test_the_check_accepts_a_right_answer_and_leaves_the_random_stream_alone(check_name, answer, capsys):
    printed, stream_kept = accepted("ch12", check_name, answer(), capsys)
    assert printed.startswith("Correct")
    assert stream_kept

