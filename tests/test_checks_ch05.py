"""05_backprop's checks refuse the usual wrong answers, each with a message that names the mistake."""
import numpy as np
import pytest

from wrong_answers import accepted, cases, refusal


# ------------------------------------------------------------------ the book's forward passes, as the chapter has them

def dense_init(self, n_inputs, n_neurons):
    self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
    self.biases = np.zeros((1, n_neurons))


def dense_forward(self, inputs):
    self.inputs = inputs
    self.output = np.dot(inputs, self.weights) + self.biases


def dense(backward):
    """A Layer_Dense with the chapter's __init__ and forward and the given backward."""
    return type("Layer_Dense", (), {"__init__": dense_init, "forward": dense_forward, "backward": backward})


def relu_forward(self, inputs):
    self.inputs = inputs
    self.output = np.maximum(0, inputs)


def relu(backward):
    return type("Activation_ReLU", (), {"forward": relu_forward, "backward": backward})


def softmax_forward(self, inputs):
    exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
    self.output = exp_values / np.sum(exp_values, axis=1, keepdims=True)


def softmax(backward):
    return type("Activation_Softmax", (), {"forward": softmax_forward, "backward": backward})


def loss(backward):
    return type("Loss_CategoricalCrossentropy", (), {"backward": backward})


def combined(backward):
    return type("Activation_Softmax_Loss_CategoricalCrossentropy", (), {"backward": backward})


def one_hot(y_true, labels):
    return np.eye(labels)[y_true] if len(y_true.shape) == 1 else y_true


def sparse(y_true):
    return np.argmax(y_true, axis=1) if len(y_true.shape) == 2 else y_true


# ------------------------------------------------------------------ Dense

def dense_right(self, dvalues):
    self.dweights = np.dot(self.inputs.T, dvalues)
    self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
    self.dinputs = np.dot(dvalues, self.weights.T)


def dense_divided_by_n(self, dvalues):
    dense_right(self, dvalues)
    self.dweights = self.dweights / len(dvalues)


def dense_dweights_transposed(self, dvalues):
    dense_right(self, dvalues)
    self.dweights = np.dot(dvalues.T, self.inputs)


def dense_without_dbiases(self, dvalues):
    self.dweights = np.dot(self.inputs.T, dvalues)
    self.dinputs = np.dot(dvalues, self.weights.T)


def dense_dbiases_flat(self, dvalues):
    dense_right(self, dvalues)
    self.dbiases = np.sum(dvalues, axis=0)


def dense_dbiases_wrong_axis(self, dvalues):
    dense_right(self, dvalues)
    self.dbiases = np.sum(dvalues, axis=1, keepdims=True)


def dense_dinputs_without_transpose(self, dvalues):
    dense_right(self, dvalues)
    self.dinputs = np.dot(dvalues, self.weights)


def dense_dbiases_divided_by_n(self, dvalues):
    dense_right(self, dvalues)
    self.dbiases = self.dbiases / len(dvalues)


def dense_dinputs_divided_by_n(self, dvalues):
    dense_right(self, dvalues)
    self.dinputs = self.dinputs / len(dvalues)


def dense_matmul(self, dvalues):
    """Right, written with @ and the method sum: the chapter's own cells use @."""
    self.dweights = self.inputs.T @ dvalues
    self.dbiases = dvalues.sum(axis=0, keepdims=True)
    self.dinputs = dvalues @ self.weights.T


def dense_constant(self, dvalues):
    self.dweights = np.ones_like(self.weights)
    self.dbiases = np.ones_like(self.biases)
    self.dinputs = np.ones_like(self.inputs)


# ------------------------------------------------------------------ ReLU

def relu_right(self, dvalues):
    self.dinputs = dvalues.copy()
    self.dinputs[self.inputs <= 0] = 0


def relu_mask_from_output(self, dvalues):
    self.dinputs = dvalues.copy()
    self.dinputs[self.output <= 0] = 0


def relu_in_place(self, dvalues):
    dvalues[self.inputs <= 0] = 0
    self.dinputs = dvalues


def relu_mask_from_dvalues(self, dvalues):
    self.dinputs = np.maximum(0, dvalues)


def relu_inverted(self, dvalues):
    self.dinputs = dvalues.copy()
    self.dinputs[self.inputs > 0] = 0


def relu_mask_alone(self, dvalues):
    self.dinputs = (self.inputs > 0).astype(float)


# ------------------------------------------------------------------ Softmax

def softmax_right(self, dvalues):
    self.dinputs = np.empty_like(dvalues)
    for index, (row, gradient) in enumerate(zip(self.output, dvalues)):
        row = row.reshape(-1, 1)
        self.dinputs[index] = np.dot(np.diagflat(row) - np.dot(row, row.T), gradient)


def softmax_diagonal_only(self, dvalues):
    self.dinputs = self.output * dvalues


def softmax_like_sigmoid(self, dvalues):
    self.dinputs = dvalues * self.output * (1 - self.output)


def softmax_plus_outer(self, dvalues):
    self.dinputs = np.empty_like(dvalues)
    for index, (row, gradient) in enumerate(zip(self.output, dvalues)):
        row = row.reshape(-1, 1)
        self.dinputs[index] = np.dot(np.diagflat(row) + np.dot(row, row.T), gradient)


def softmax_flat_rows(self, dvalues):
    """np.dot of a flat row with itself is a number, not the outer product."""
    self.dinputs = np.empty_like(dvalues)
    for index, (row, gradient) in enumerate(zip(self.output, dvalues)):
        self.dinputs[index] = np.dot(np.diagflat(row) - np.dot(row, row.T), gradient)


def softmax_vectorised(self, dvalues):
    """Right: J_i G_i = S_i ⊙ (G_i - S_i · G_i), without building J_i."""
    self.dinputs = self.output * (dvalues - np.sum(self.output * dvalues, axis=1, keepdims=True))


def softmax_first_jacobian(self, dvalues):
    row = self.output[0].reshape(-1, 1)
    self.dinputs = np.dot(dvalues, np.diagflat(row) - np.dot(row, row.T))


# ------------------------------------------------------------------ cross-entropy

def cce_right(self, dvalues, y_true):
    samples, labels = dvalues.shape
    self.dinputs = -one_hot(y_true, labels) / np.clip(dvalues, 1e-7, 1 - 1e-7) / samples


def cce_not_divided(self, dvalues, y_true):
    self.dinputs = -one_hot(y_true, dvalues.shape[1]) / np.clip(dvalues, 1e-7, 1 - 1e-7)


def cce_sign(self, dvalues, y_true):
    cce_right(self, dvalues, y_true)
    self.dinputs = -self.dinputs


def cce_one_hot_only(self, dvalues, y_true):
    self.dinputs = -y_true / np.clip(dvalues, 1e-7, 1 - 1e-7) / len(dvalues)


def cce_sparse_only(self, dvalues, y_true):
    self.dinputs = -np.eye(dvalues.shape[1])[y_true] / np.clip(dvalues, 1e-7, 1 - 1e-7) / len(dvalues)


def cce_unclipped(self, dvalues, y_true):
    self.dinputs = -one_hot(y_true, dvalues.shape[1]) / dvalues / len(dvalues)


def cce_divided_by_classes(self, dvalues, y_true):
    labels = dvalues.shape[1]
    self.dinputs = -one_hot(y_true, labels) / np.clip(dvalues, 1e-7, 1 - 1e-7) / labels


def cce_by_index(self, dvalues, y_true):
    """Right, without a one-hot matrix: only the right class gets a gradient."""
    samples = len(dvalues)
    rows, right = np.arange(samples), sparse(y_true)
    self.dinputs = np.zeros_like(dvalues)
    self.dinputs[rows, right] = -1 / np.clip(dvalues[rows, right], 1e-7, 1 - 1e-7) / samples


def cce_constant(self, dvalues, y_true):
    self.dinputs = np.full(dvalues.shape, -1.0 / len(dvalues))


# ------------------------------------------------------------------ the shortcut

def shortcut_right(self, dvalues, y_true):
    self.dinputs = dvalues.copy()
    self.dinputs[range(len(dvalues)), sparse(y_true)] -= 1
    self.dinputs = self.dinputs / len(dvalues)


def shortcut_not_divided(self, dvalues, y_true):
    self.dinputs = dvalues.copy()
    self.dinputs[range(len(dvalues)), sparse(y_true)] -= 1


def shortcut_in_place(self, dvalues, y_true):
    dvalues[range(len(dvalues)), sparse(y_true)] -= 1
    self.dinputs = dvalues / len(dvalues)


def shortcut_one_hot_only(self, dvalues, y_true):
    self.dinputs = (dvalues - y_true) / len(dvalues)


def shortcut_sparse_only(self, dvalues, y_true):
    self.dinputs = dvalues.copy()
    self.dinputs[range(len(dvalues)), y_true] -= 1
    self.dinputs = self.dinputs / len(dvalues)


def shortcut_sign(self, dvalues, y_true):
    shortcut_right(self, dvalues, y_true)
    self.dinputs = -self.dinputs


def shortcut_divided_by_classes(self, dvalues, y_true):
    shortcut_right(self, dvalues, y_true)
    self.dinputs = self.dinputs * len(dvalues) / dvalues.shape[1]


def shortcut_one_hot(self, dvalues, y_true):
    """Right, through one-hot rows: (Ŷ - Y)/N."""
    self.dinputs = (dvalues - one_hot(y_true, dvalues.shape[1])) / len(dvalues)


def shortcut_constant(self, dvalues, y_true):
    self.dinputs = np.zeros_like(dvalues)


# ------------------------------------------------------------------ exercise 1

def gradient_by(difference):
    """A centred_gradient that loops over np.ndindex and computes each element with ``difference(f, x, index, h)``."""
    def centred_gradient(f, x, h=1e-5):
        gradient = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            gradient[index] = difference(f, x, index, h)
        return gradient
    return centred_gradient


def nudged(f, x, index, step):
    kept = x[index]
    x[index] = kept + step
    value = f(x)
    x[index] = kept
    return value


def centred(f, x, index, h):
    return (nudged(f, x, index, h) - nudged(f, x, index, -h)) / (2 * h)


def forward_difference(f, x, index, h):
    return (nudged(f, x, index, h) - f(x)) / h


def divided_by_h(f, x, index, h):
    return (nudged(f, x, index, h) - nudged(f, x, index, -h)) / h


def not_restored(f, x, index, h):
    x[index] += h
    above = f(x)
    x[index] -= 2 * h
    return (above - f(x)) / (2 * h)


def another_h(f, x, h=1e-5):
    return gradient_by(centred)(f, x, 1e-3)


def in_float32(f, x, h=1e-5):
    return gradient_by(centred)(f, x, h).astype(np.float32)


def by_unit_vectors(f, x, h=1e-5):
    """Right, without writing into x: f(x + h e_k) and f(x - h e_k) on new arrays."""
    gradient = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        gradient[index] = (f(x + step) - f(x - step)) / (2 * h)
    return gradient


def by_rows(f, x, h=1e-5):
    gradient = np.zeros(x.shape)
    for row in range(len(x)):
        kept = x[row].copy()
        x[row] = kept + h
        above = f(x)
        x[row] = kept - h
        below = f(x)
        x[row] = kept
        gradient[row] = (above - below) / (2 * h)
    return gradient


# ------------------------------------------------------------------ exercise 2

class Tanh:
    def forward(self, inputs, training=False):
        self.output = np.tanh(inputs)
        return self.output

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output ** 2)
        return self.dinputs


class TanhInPlace(Tanh):
    def backward(self, dvalues):
        dvalues *= 1 - self.output ** 2  # the right derivative, written into the caller's array
        self.dinputs = dvalues
        return self.dinputs


class TanhReturningNothing(Tanh):
    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output ** 2)


class TanhWithoutSquare(Tanh):
    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output)
        return self.dinputs


class LeakyReLU:
    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def forward(self, inputs, training=False):
        self.inputs = inputs
        self.output = np.where(inputs > 0, inputs, self.alpha * inputs)
        return self.output

    def backward(self, dvalues):
        self.dinputs = np.where(self.inputs > 0, dvalues, self.alpha * dvalues)
        return self.dinputs


class LeakyReLUWithoutDvalues(LeakyReLU):
    def backward(self, dvalues):
        self.dinputs = np.where(self.inputs > 0, 1.0, self.alpha)
        return self.dinputs


class LeakyReLUIgnoringAlpha(LeakyReLU):
    """Forward and backward agree, so a gradient check alone passes it, but alpha is always 0.01."""
    def __init__(self, alpha=0.01):
        self.alpha = 0.01


class TanhAsSine(Tanh):
    """sin and its derivative: a consistent pair, the wrong function."""
    def forward(self, inputs, training=False):
        self.inputs = inputs
        self.output = np.sin(inputs)
        return self.output

    def backward(self, dvalues):
        self.dinputs = dvalues * np.cos(self.inputs)
        return self.dinputs


class Swish:
    def __init__(self, beta=1.0):
        self.beta = beta

    def forward(self, inputs, training=False):
        self.inputs = inputs
        self.sigmoid = 1 / (1 + np.exp(-self.beta * inputs))
        self.output = inputs * self.sigmoid
        return self.output

    def backward(self, dvalues):
        s = self.sigmoid
        self.dinputs = dvalues * (s + self.beta * self.inputs * s * (1 - s))
        return self.dinputs


class SwishWithoutBeta(Swish):
    def backward(self, dvalues):
        s = self.sigmoid
        self.dinputs = dvalues * (s + self.inputs * s * (1 - s))
        return self.dinputs


class SwishIgnoringBeta(Swish):
    def __init__(self, beta=1.0):
        self.beta = 1.0


class SwishFactored(Swish):
    """Right: s (1 + beta z (1 - s)), the derivative factored."""
    def backward(self, dvalues):
        s = self.sigmoid
        self.dinputs = dvalues * s * (1 + self.beta * self.inputs * (1 - s))
        return self.dinputs


class SwishStoringNothing(Swish):
    def forward(self, inputs, training=False):
        return inputs / (1 + np.exp(-self.beta * inputs))


# ------------------------------------------------------------------ exercises 3 and 4

class ScaleShift:
    params = ("gamma", "beta")

    def __init__(self, n_features):
        self.gamma = np.ones((1, n_features))
        self.beta = np.zeros((1, n_features))

    def forward(self, inputs, training=False):
        self.inputs = inputs
        self.output = inputs * self.gamma + self.beta
        return self.output

    def backward(self, dvalues):
        self.dgamma = np.sum(dvalues * self.inputs, axis=0, keepdims=True)
        self.dbeta = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = dvalues * self.gamma
        return self.dinputs


def scale_shift(**gradients):
    """A ScaleShift whose backward overrides the named gradients: each a function of (layer, dvalues)."""
    def backward(self, dvalues):
        ScaleShift.backward(self, dvalues)
        for name, gradient in gradients.items():
            setattr(self, name, gradient(self, dvalues))
        return self.dinputs
    return type("ScaleShift", (ScaleShift,), {"backward": backward})


class Residual:
    params = ("weights",)

    def __init__(self, n_features):
        self.weights = 0.1 * np.random.randn(n_features, n_features)

    def forward(self, inputs, training=False):
        self.inputs = inputs
        self.output = inputs + np.dot(inputs, self.weights)
        return self.output

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dinputs = dvalues + np.dot(dvalues, self.weights.T)
        return self.dinputs


def residual(**gradients):
    def backward(self, dvalues):
        Residual.backward(self, dvalues)
        for name, gradient in gradients.items():
            setattr(self, name, gradient(self, dvalues))
        return self.dinputs
    return type("Residual", (Residual,), {"backward": backward})


WRONG_ANSWERS = {
    "check_layer_dense_backward": [
        ("divided by N once more", lambda: (dense(dense_divided_by_n),), "times too small"),
        ("dW transposed", lambda: (dense(dense_dweights_transposed),), "transposed"),
        ("no bias gradient", lambda: (dense(dense_without_dbiases),), "the biases need a gradient too"),
        ("dbiases without keepdims", lambda: (dense(dense_dbiases_flat),), "keepdims"),
        ("dbiases summed over the neurons", lambda: (dense(dense_dbiases_wrong_axis),), "summed over the neurons"),
        ("dinputs = G W", lambda: (dense(dense_dinputs_without_transpose),), "it is G Wᵀ"),
        ("dbiases divided by N", lambda: (dense(dense_dbiases_divided_by_n),), "self.dbiases is N = "),
        ("dinputs divided by N", lambda: (dense(dense_dinputs_divided_by_n),), "self.dinputs is N = "),
        ("a constant", lambda: (dense(dense_constant),), "the same for two different dvalues"),
    ],
    "check_relu_backward": [
        ("dvalues masked in place", lambda: (relu(relu_in_place),), "changed the dvalues it was given"),
        ("the mask taken from dvalues", lambda: (relu(relu_mask_from_dvalues),), "not from the gradient"),
        ("the mask inverted", lambda: (relu(relu_inverted),), "wrong way round"),
        ("the mask without dvalues", lambda: (relu(relu_mask_alone),), "the same for two different dvalues"),
        ("dvalues unmasked", lambda: (relu(lambda self, dvalues: setattr(self, "dinputs", dvalues.copy())),),
         "unmasked"),
    ],
    "check_softmax_backward": [
        ("diag(S) alone", lambda: (softmax(softmax_diagonal_only),), "outer product S_i S_iᵀ is missing"),
        ("S(1 - S), as for a sigmoid", lambda: (softmax(softmax_like_sigmoid),), "only the Jacobian's diagonal"),
        ("diag(S) + S Sᵀ", lambda: (softmax(softmax_plus_outer),), "sign of the outer product"),
        ("one Jacobian for the batch", lambda: (softmax(softmax_first_jacobian),), "first sample's Jacobian"),
        ("S Sᵀ of a flat row, a number", lambda: (softmax(softmax_flat_rows),), "came out as one number"),
        ("a constant", lambda: (softmax(lambda self, dvalues: setattr(self, "dinputs", np.zeros_like(dvalues))),),
         "the same for two different dvalues"),
    ],
    "check_cce_backward": [
        ("no division by N", lambda: (loss(cce_not_divided),), "times too large"),
        ("divided by K, not N", lambda: (loss(cce_divided_by_classes),), "the number of classes"),
        ("the sign flipped", lambda: (loss(cce_sign),), "sign is flipped"),
        ("labels taken as one-hot when they are sparse", lambda: (loss(cce_one_hot_only),), "with sparse labels"),
        ("labels taken as sparse when they are one-hot", lambda: (loss(cce_sparse_only),), "with one-hot labels"),
        ("no clipping", lambda: (loss(cce_unclipped),), "clip the predictions"),
        ("a constant", lambda: (loss(cce_constant),), "the same for two different dvalues"),
    ],
    "check_softmax_cce_backward": [
        ("no division by N", lambda: (combined(shortcut_not_divided),), "times too large"),
        ("divided by K, not N", lambda: (combined(shortcut_divided_by_classes),), "the number of classes"),
        ("dvalues changed in place", lambda: (combined(shortcut_in_place),), "changed the dvalues it was given"),
        ("labels taken as one-hot when they are sparse", lambda: (combined(shortcut_one_hot_only),),
         "with sparse labels"),
        ("labels taken as sparse when they are one-hot", lambda: (combined(shortcut_sparse_only),),
         "with one-hot labels"),
        ("the sign flipped", lambda: (combined(shortcut_sign),), "sign is flipped"),
        ("a constant", lambda: (combined(shortcut_constant),), "the same for two different dvalues"),
    ],
    "check_centred_gradient": [
        ("a forward difference", lambda: (gradient_by(forward_difference),), "forward difference"),
        ("divided by h, not 2h", lambda: (gradient_by(divided_by_h),), "twice the gradient"),
        ("x not restored", lambda: (gradient_by(not_restored),), "put every element back"),
        ("whole rows nudged", lambda: (by_rows,), "x[i] is a whole row"),
        ("a step other than the h given", lambda: (another_h,), "the h you are given"),
        ("collected in float32", lambda: (in_float32,), "came as float32"),
        ("a constant", lambda: (lambda f, x, h=1e-5: np.ones(x.shape),), "expected"),
    ],
    "check_activation_backwards": [
        ("tanh' = 1 - tanh", lambda: (TanhWithoutSquare, LeakyReLU, Swish), "tanh: relative error"),
        ("the local derivative without dvalues", lambda: (Tanh, LeakyReLUWithoutDvalues, Swish),
         "local derivative alone"),
        ("swish without beta in its derivative", lambda: (Tanh, LeakyReLU, SwishWithoutBeta), "swish: relative error"),
        ("forward stores nothing", lambda: (Tanh, LeakyReLU, SwishStoringNothing), "forward must store"),
        ("alpha ignored in forward and backward", lambda: (Tanh, LeakyReLUIgnoringAlpha, Swish), "used alpha = 0.01"),
        ("beta ignored in forward and backward", lambda: (Tanh, LeakyReLU, SwishIgnoringBeta), "used beta = 1"),
        ("a consistent pair for the wrong function", lambda: (TanhAsSine, LeakyReLU, Swish), "tanh: forward's output"),
        ("the right derivative written into dvalues", lambda: (TanhInPlace, LeakyReLU, Swish), "changed the dvalues"),
        ("dinputs set but not returned", lambda: (TanhReturningNothing, LeakyReLU, Swish), "returned None"),
    ],
    "check_scale_shift_backward": [
        ("dgamma not summed over the samples", lambda: (scale_shift(dgamma=lambda self, d: d * self.inputs),),
         "one row per sample"),
        ("dgamma without the inputs", lambda: (scale_shift(dgamma=lambda self, d: np.sum(d, axis=0, keepdims=True)),),
         "β's gradient"),
        ("dinputs without gamma", lambda: (scale_shift(dinputs=lambda self, d: d.copy()),), "dvalues as it came"),
        ("dbeta without keepdims", lambda: (scale_shift(dbeta=lambda self, d: np.sum(d, axis=0)),),
         "self.dbeta (the shape of beta): expected shape"),
        ("a constant", lambda: (scale_shift(dinputs=lambda self, d: np.ones_like(d)),), "the same for two different"),
        ("dvalues scaled in place", lambda: (scale_shift(dinputs=lambda self, d: np.multiply(d, self.gamma, out=d)),),
         "changed the dvalues"),
        ("dgamma a mean over the samples",
         lambda: (scale_shift(dgamma=lambda self, d: np.mean(d * self.inputs, axis=0, keepdims=True)),),
         "a mean over the samples"),
    ],
    "check_residual_backward": [
        ("the skip path left out", lambda: (residual(dinputs=lambda self, d: np.dot(d, self.weights.T)),),
         "only G Wᵀ"),
        ("the path through W left out", lambda: (residual(dinputs=lambda self, d: d.copy()),), "only G, the direct"),
        ("dW transposed", lambda: (residual(dweights=lambda self, d: np.dot(d.T, self.inputs)),), "Gᵀ X"),
        ("G W, not G Wᵀ", lambda: (residual(dinputs=lambda self, d: d + np.dot(d, self.weights)),), "uses G W"),
        ("a constant", lambda: (residual(dinputs=lambda self, d: np.zeros_like(d)),), "the same for two different"),
        ("dW divided by N", lambda: (residual(dweights=lambda self, d: np.dot(self.inputs.T, d) / len(d)),),
         "times too small"),
    ],
}

RIGHT_ANSWERS = [
    ("check_layer_dense_backward", lambda: (dense(dense_right),)),
    ("check_layer_dense_backward", lambda: (dense(dense_matmul),)),
    ("check_relu_backward", lambda: (relu(relu_right),)),
    ("check_relu_backward", lambda: (relu(relu_mask_from_output),)),  # for ReLU, Z > 0 exactly where output > 0
    ("check_softmax_backward", lambda: (softmax(softmax_right),)),
    ("check_softmax_backward", lambda: (softmax(softmax_vectorised),)),
    ("check_cce_backward", lambda: (loss(cce_right),)),
    ("check_cce_backward", lambda: (loss(cce_by_index),)),
    ("check_softmax_cce_backward", lambda: (combined(shortcut_right),)),
    ("check_softmax_cce_backward", lambda: (combined(shortcut_one_hot),)),
    ("check_centred_gradient", lambda: (gradient_by(centred),)),
    ("check_centred_gradient", lambda: (by_unit_vectors,)),
    ("check_activation_backwards", lambda: (Tanh, LeakyReLU, Swish)),
    ("check_activation_backwards", lambda: (Tanh, LeakyReLU, SwishFactored)),
    ("check_scale_shift_backward", lambda: (ScaleShift,)),
    ("check_residual_backward", lambda: (Residual,)),
    ("check_residual_backward",
     lambda: (residual(dinputs=lambda self, d: np.dot(d, (np.eye(len(self.weights)) + self.weights).T)),)),
]


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch05", check_name, answer())


@pytest.mark.parametrize("check_name, answer", RIGHT_ANSWERS, ids=[name for name, _ in RIGHT_ANSWERS])
def test_the_check_accepts_a_right_answer_and_leaves_the_random_stream_alone(check_name, answer, capsys):
    printed, stream_kept = accepted("ch05", check_name, answer(), capsys)
    assert printed.startswith("Correct")
    assert stream_kept
