"""Checks for 14_convolution: the learner's output-size formula, loop convolution and its backward, and the exercises.

Every check draws its own batches (random sizes, strides 1 and 2, padding 0 to 2, several channels in and out, biases
that are not 0) from its own generator, and compares with nncore's vectorised ``Conv2D`` and ``MaxPool2D`` in float64.
When an answer is wrong, the check computes the usual mistakes too (a flipped kernel, padding on one side, the stride
left out, the bias added once per kernel entry, the gradient sent to every position of a pooling window ...) and names
the one the answer agrees with.
"""
import numpy as np

from nncore import gradcheck
from nncore.convolution import Conv2D, MaxPool2D, output_size

from . import NotWrittenYet, call, correct, expect, expect_close, expect_shape, names_read, piece, plain

RTOL, ATOL = 1e-4, 1e-6  # float32 loops (np.zeros after nnfs.init()) pass; every named mistake is off by far more


def _conv2d(x, weights, biases, stride=1, padding=0):
    """nncore's Conv2D as a function: ``(N, C, H, W) -> (N, O, H', W')``, float64."""
    layer = Conv2D(weights.shape[1], weights.shape[0], weights.shape[2], stride, padding,
                   rng=np.random.default_rng(0))
    layer.set_parameters(np.asarray(weights, dtype=np.float64), np.asarray(biases, dtype=np.float64))
    return layer.forward(np.asarray(x, dtype=np.float64))


def _conv2d_backward(x, weights, dout, stride=1, padding=0):
    """nncore's Conv2D backward as a function: ``(dx, dweights, dbiases)``."""
    layer = Conv2D(weights.shape[1], weights.shape[0], weights.shape[2], stride, padding,
                   rng=np.random.default_rng(0))
    layer.set_parameters(np.asarray(weights, dtype=np.float64), np.zeros(weights.shape[0]))
    layer.forward(np.asarray(x, dtype=np.float64))
    layer.backward(np.asarray(dout, dtype=np.float64))
    return layer.dinputs, layer.dweights, layer.dbiases


def _maxpool_backward(x, dout, size):
    layer = MaxPool2D(size)
    layer.forward(np.asarray(x, dtype=np.float64))
    return layer.backward(np.asarray(dout, dtype=np.float64))


for _reference, _name in ((_conv2d, "conv2d_loops"), (_conv2d_backward, "conv2d_backward_loops")):
    _reference.__qualname__ = _reference.__name__ = _name


def _matches(got, candidate):
    got, candidate = np.asarray(got, dtype=np.float64), np.asarray(candidate, dtype=np.float64)
    return got.shape == candidate.shape and np.allclose(got, candidate, rtol=RTOL, atol=ATOL)


def _name_the_mistake(label, got, mistakes):
    """Raise with the message of the first ``(message, candidate)`` that ``got`` agrees with, if any."""
    for message, candidate in mistakes:
        if candidate is not None and _matches(got, candidate):
            raise AssertionError(f"{label}: {message}")


def _pad_one_side(x, padding):
    """All 2p zeros below and to the right: the padded size is right, the picture sits in the top-left corner."""
    return np.pad(x, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))


WINDOW_TOO_SMALL = ("a window of the padded image did not have the kernel's shape. Pad only H and W, by p zeros on "
                    "*every* side (top and bottom, left and right): np.pad(x, p) pads the batch and channel axes too, "
                    "and padding one side (or none) leaves the last windows short")


def _call_loops(function, *args, returns, name):
    """``call``, with a broadcasting error turned into what usually causes it: the padding."""
    try:
        return function(*args)
    except NotImplementedError as stub:
        raise NotWrittenYet(str(stub) or f"{name}: not written yet.") from None
    except AssertionError:
        raise
    except (ValueError, IndexError) as error:
        if "broadcast" in str(error) or "out of bounds" in str(error):
            raise AssertionError(f"{name}({', '.join(plain(a) for a in args)}) raised {type(error).__name__}: "
                                 f"{error}. Likely: {WINDOW_TOO_SMALL}") from None
        return call(function, *args, returns=returns, name=name)
    except Exception:
        return call(function, *args, returns=returns, name=name)


# ---------------------------------------------------------------- the output size -----------------------------

SIZE_CASES = [(5, 3, 1, 0), (8, 3, 1, 1), (8, 3, 2, 0), (7, 3, 2, 1), (6, 3, 2, 0), (10, 5, 3, 2), (9, 4, 2, 1),
              (12, 3, 3, 0), (28, 5, 1, 2), (11, 2, 2, 0), (13, 3, 2, 2), (4, 4, 1, 0)]
SIZE_MISTAKES = [
    ("the +1 is missing: with no padding and stride 1, a 3-pixel kernel fits 3 times on 5 pixels, at 0, 1 and 2; "
     "(size + 2p - k) / s counts the steps between the first window and the last, add 1 for the first",
     lambda n, k, s, p: (n + 2 * p - k) // s),
    ("rounded up: a last window that does not fit whole is dropped, so round (size + 2p - k) / s *down* (//)",
     lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1),
    ("the padding is counted once: p zeros go on *both* sides, so the padded size is size + 2p",
     lambda n, k, s, p: (n + p - k) // s + 1),
    ("the padding is ignored: the windows move over the padded image, size + 2p pixels",
     lambda n, k, s, p: (n - k) // s + 1),
    ("the stride is ignored: windows s pixels apart fit (size + 2p - k) // s + 1 times",
     lambda n, k, s, p: n + 2 * p - k + 1),
    ("the +1 is inside the division: only the steps between windows are divided by s, (size + 2p - k) // s + 1",
     lambda n, k, s, p: (n + 2 * p - k + 1) // s),
]


@piece(lambda: output_size)
def check_conv_output_size(conv_output_size):
    """conv_output_size(size, kernel, stride, padding) = floor((size + 2 padding - kernel) / stride) + 1."""
    got = [call(conv_output_size, *case, returns=f"the whole number {output_size(*case)}", name="conv_output_size")
           for case in SIZE_CASES]
    for message, mistake in SIZE_MISTAKES:
        right = [output_size(*case) for case in SIZE_CASES]
        if got != right and all(value == mistake(*case) for value, case in zip(got, SIZE_CASES)):
            raise AssertionError(f"conv_output_size: {message}")
    for value, case in zip(got, SIZE_CASES):
        where = "conv_output_size(size={}, kernel={}, stride={}, padding={})".format(*case)
        if isinstance(value, (float, np.floating)) and value != round(value):
            raise AssertionError(f"{where} returned {plain(value)}: not rounded down; a last window that does not "
                                 "fit whole is dropped, so divide with //, which rounds down")
    for value, case in zip(got, SIZE_CASES):
        expected = output_size(*case)
        where = "conv_output_size(size={}, kernel={}, stride={}, padding={})".format(*case)
        expect(value == expected, f"{where}: expected {expected}, got {plain(value)}")
        expect(isinstance(value, (int, np.integer)) and not isinstance(value, bool),
               f"{where} returned {plain(value)}, a {type(value).__name__}: return a whole number (an int), which "
               "range() and np.zeros accept; // divides and rounds down in one step")
    correct(f"conv_output_size counts the windows that fit, floor((size + 2p - k) / s) + 1, on {len(SIZE_CASES)} "
            "cases with strides 1 to 3 and padding 0 to 2")


# ---------------------------------------------------------------- the loop convolution ------------------------

# (N, C, O, k, stride, padding, H, W): square and not, strides that fit and that leave pixels over, C == O once.
CONV_CASES = [(2, 2, 3, 3, 1, 1, 5, 6), (2, 3, 2, 3, 2, 0, 7, 6), (1, 2, 2, 2, 2, 1, 5, 7), (2, 3, 4, 3, 1, 2, 4, 5)]


def _conv_case(rng, N, C, O, k, s, p, H, W):
    x = rng.standard_normal((N, C, H, W))
    weights = rng.standard_normal((O, C, k, k))
    biases = rng.uniform(1.0, 3.0, O) * rng.choice([-1, 1], O)
    return x, weights, biases


def _conv_mistakes(x, weights, biases, s, p):
    """``(message, output)`` of the usual mistakes in a loop convolution; the output is None where it cannot be made."""
    C, O, k = weights.shape[1], weights.shape[0], weights.shape[2]
    H_out, W_out = output_size(x.shape[2], k, s, p), output_size(x.shape[3], k, s, p)
    plain_conv = _conv2d(x, weights, np.zeros(O), s, p)
    bias = biases[np.newaxis, :, np.newaxis, np.newaxis]
    return [
        ("the kernel is flipped: that is the convolution of signal processing; a layer's 'convolution' is a "
         "cross-correlation, y[i, j] = sum of w[u, v] * x[i*s + u, j*s + v], with no flip (as in PyTorch and nncore)",
         _conv2d(x, weights[:, :, ::-1, ::-1], biases, s, p)),
        ("the kernel is transposed: w[o, c, u, v] multiplies row i*s + u and column j*s + v, u the row",
         _conv2d(x, weights.transpose(0, 1, 3, 2), biases, s, p)),
        ("no bias: add b[o] to every output of channel o", plain_conv),
        ("the bias is added once per kernel entry (inside the sum over u and v): add b[o] once per output",
         plain_conv + k * k * bias),
        ("the bias is added once per input channel (inside the sum over c): add b[o] once per output",
         plain_conv + C * bias if C > 1 else None),
        ("the bias is added once per kernel entry and channel: add b[o] once per output, after the sum",
         plain_conv + C * k * k * bias),
        ("the channels are averaged: a window's products are *summed* over the input channels c, the rows u "
         "and the columns v", plain_conv / C + bias if C > 1 else None),
        ("only the first input channel is used: each output sums over *all* the input channels c",
         _conv2d(x[:, :1], weights[:, :1], biases, s, p) if C > 1 else None),
        ("the output and input channels of w are swapped: w has shape (O, C, k, k), output channel first",
         _conv2d(x, weights.transpose(1, 0, 2, 3), biases, s, p) if C == O else None),
        ("the padding is on one side only: the picture sits in the top-left corner; put p zeros on *every* side",
         _conv2d(_pad_one_side(x, p), weights, biases, s, 0) if p else None),
        ("the stride is ignored: window (i, j) starts at row i*s and column j*s, not at (i, j)",
         _conv2d(x, weights, biases, 1, p)[:, :, :H_out, :W_out] if s > 1 else None),
    ]


def _shape_mistakes(shape, x, k, s, p):
    """Messages for an output of ``shape`` whose H' and W' come from a wrong size formula."""
    H, W = x.shape[2:]
    right = (output_size(H, k, s, p), output_size(W, k, s, p))
    wrong = [("the padding is ignored: the windows move over the padded image, (H + 2p - k) // s + 1 of them",
              (output_size(H, k, s, 0), output_size(W, k, s, 0))),
             ("the padding is counted once: p zeros go on both sides", ((H + p - k) // s + 1, (W + p - k) // s + 1)),
             ("the stride is ignored: windows s pixels apart fit (H + 2p - k) // s + 1 times",
              (output_size(H, k, 1, p), output_size(W, k, 1, p))),
             ("rows and columns are swapped: the output is (N, O, H', W')", right[::-1])]
    return [f"expected H' x W' = {right[0]} x {right[1]}, got shape {shape}: {message}"
            for message, sides in wrong if sides != right and tuple(shape[2:]) == sides]


@piece(lambda: _conv2d)
def check_conv2d_loops(conv2d_loops):
    """conv2d_loops(x, w, b, stride, padding): y[n, o, i, j] = b[o] + sum over c, u, v of w[o, c, u, v] x[n, c, is+u, js+v]."""
    rng = np.random.default_rng(141)
    for N, C, O, k, s, p, H, W in CONV_CASES:
        x, weights, biases = _conv_case(rng, N, C, O, k, s, p, H, W)
        given = [a.copy() for a in (x, weights, biases)]
        label = f"conv2d_loops on x {x.shape}, w {weights.shape}, stride {s}, padding {p}"
        expected = _conv2d(x, weights, biases, s, p)
        got = _call_loops(conv2d_loops, x, weights, biases, s, p, name="conv2d_loops",
                          returns=f"an array of shape {expected.shape}")
        expect(all(np.array_equal(a, b) for a, b in zip((x, weights, biases), given)),
               f"{label} changed the arrays it was given: pad a copy (np.zeros of the padded shape), not x itself")
        got = np.asarray(got, dtype=np.float64)
        if got.shape != expected.shape:
            for message in _shape_mistakes(got.shape, x, k, s, p):
                raise AssertionError(f"{label}: {message}")
            expect_shape(f"{label} (N, O, H', W')", got, expected.shape)
        if not _matches(got, expected):
            _name_the_mistake(label, got, _conv_mistakes(x, weights, biases, s, p))
        expect_close(label, got, expected, rtol=RTOL, atol=ATOL)
    correct(f"conv2d_loops gives nncore's numbers on {len(CONV_CASES)} random batches, strides 1 and 2, padding 0 "
            "to 2, several channels in and out")


# ---------------------------------------------------------------- the loop backward ---------------------------

def _windows_assigned(x, weights, dout, s, p):
    """dx when each window's share *replaces* what overlapping windows sent before (= instead of +=)."""
    k = weights.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp = np.zeros_like(xp)
    N, O, H_out, W_out = dout.shape
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                rows, cols = slice(i * s, i * s + k), slice(j * s, j * s + k)
                dxp[n, :, rows, cols] = np.einsum("o,ocuv->cuv", dout[n, :, i, j], weights)
    return dxp[:, :, p:p + x.shape[2], p:p + x.shape[3]]


def _backward_mistakes(x, weights, dout, s, p):
    """``(part, message, value)`` of the usual mistakes, ``part`` 0 for dx, 1 for dw, 2 for db."""
    k, N = weights.shape[2], len(x)
    dx, dw, db = _conv2d_backward(x, weights, dout, s, p)
    overlap = s < k and (dout.shape[2] > 1 or dout.shape[3] > 1)
    return [
        (0, "dx used the flipped kernel: in the loop form every output sends dout[n, o, i, j] * w[o] back to its own "
            "window, unflipped (the flip appears only when dx is written as one convolution of dout)",
         _conv2d_backward(x, weights[:, :, ::-1, ::-1], dout, s, p)[0]),
        (0, "overlapping windows overwrote each other's shares in dx (= instead of +=): a pixel in several "
            "windows collects the share of every one of them", _windows_assigned(x, weights, dout, s, p) if overlap
         else None),
        (1, "dw is flipped: dw[o, c, u, v] adds dout[n, o, i, j] * x[n, c, i*s + u, j*s + v], the window as it is",
         dw[:, :, ::-1, ::-1]),
        (1, "dw is divided by N: the loss's gradient already holds the 1/N of the mean, a layer only sums",
         dw / N),
        (1, "dw holds the first sample only: sum the windows' shares over every sample n too",
         _conv2d_backward(x[:1], weights, dout[:1], s, p)[1] if N > 1 else None),
        (2, "db is a mean: the bias moves every output of its channel, so db[o] is the *sum* of dout[:, o]",
         dout.mean(axis=(0, 2, 3))),
        (2, "db holds the first sample only: sum dout[:, o] over the samples n too",
         dout[:1].sum(axis=(0, 2, 3)) if N > 1 else None),
        (2, "db is divided by N: the loss's gradient already holds the 1/N of the mean, a layer only sums",
         db / N),
    ]


@piece(lambda: _conv2d_backward)
def check_conv2d_backward_loops(conv2d_backward_loops):
    """conv2d_backward_loops(x, w, dout, stride, padding) -> (dx, dw, db) of sum(dout * conv2d(x, w, b))."""
    rng = np.random.default_rng(142)
    for N, C, O, k, s, p, H, W in CONV_CASES:
        x, weights, _ = _conv_case(rng, N, C, O, k, s, p, H, W)
        dout = rng.standard_normal((N, O, output_size(H, k, s, p), output_size(W, k, s, p)))
        label = f"conv2d_backward_loops on x {x.shape}, w {weights.shape}, stride {s}, padding {p}"
        expected = _conv2d_backward(x, weights, dout, s, p)
        got = _call_loops(conv2d_backward_loops, x, weights, dout, s, p, name="conv2d_backward_loops",
                          returns="a tuple (dx, dw, db)")
        expect(isinstance(got, (tuple, list)) and len(got) == 3,
               f"{label} should return three arrays (dx, dw, db), got {plain(got)}")
        got = [np.asarray(g, dtype=np.float64) for g in got]
        for name, value, right in zip(("dx", "dw", "db"), got, expected):
            if name == "dx" and value.shape == (N, C, H + 2 * p, W + 2 * p) and p:
                raise AssertionError(f"{label}: dx has the padded shape {value.shape}: the padding is not part of "
                                     f"the input, cut it off (dx_padded[:, :, p:p + H, p:p + W]), shape {x.shape}")
            if name == "db" and value.shape in ((N, O), (O, dout.shape[2], dout.shape[3])):
                raise AssertionError(f"{label}: db has shape {value.shape}: one bias per output channel, shape "
                                     f"({O},), collects the gradient of every sample and every position")
            expect_shape(f"{label}: {name}", value, right.shape)
        for part, message, candidate in _backward_mistakes(x, weights, dout, s, p):
            if not _matches(got[part], expected[part]) and candidate is not None and _matches(got[part], candidate):
                raise AssertionError(f"{label}: {message}")
        for name, value, right in zip(("dx", "dw", "db"), got, expected):
            expect_close(f"{label}: {name}", value, right, rtol=RTOL, atol=ATOL)
    correct(f"conv2d_backward_loops gives nncore's dx, dw and db (checked against numerical gradients in nncore's "
            f"tests) on {len(CONV_CASES)} random batches, with overlapping windows, strides 1 and 2, padding 0 to 2")


# ---------------------------------------------------------------- exercises -----------------------------------

def _pool_windows(x, size):
    N, C, H, W = x.shape
    H_out, W_out = H // size, W // size
    return x[:, :, :H_out * size, :W_out * size].reshape(N, C, H_out, size, W_out, size)


def _spread(values, x, size):
    """``values`` ``(N, C, H', W', size, size)`` laid back onto x's pixels (0 where no window reaches)."""
    N, C, H_out, W_out = values.shape[:4]
    out = np.zeros(x.shape)
    out[:, :, :H_out * size, :W_out * size] = values.transpose(0, 1, 2, 4, 3, 5).reshape(
        N, C, H_out * size, W_out * size)
    return out


def _pool_mistakes(x, dout, size):
    windows = _pool_windows(x, size).transpose(0, 1, 2, 4, 3, 5)  # (N, C, H', W', size, size)
    flat = windows.reshape(*windows.shape[:4], size * size)
    everywhere = np.broadcast_to(dout[..., np.newaxis, np.newaxis], windows.shape)

    def at(index, swap=False):
        u, v = np.unravel_index(index, (size, size))
        if swap:
            u, v = v, u
        mask = np.zeros(flat.shape)
        np.put_along_axis(mask, (u * size + v)[..., np.newaxis], 1.0, axis=-1)
        return _spread(mask.reshape(windows.shape) * dout[..., np.newaxis, np.newaxis], x, size)

    return [
        ("the gradient went to every position of the window: only the maximum moved the output, so only it gets "
         "dout; the others get 0", _spread(everywhere, x, size)),
        ("the gradient was shared out evenly, dout / size², as average pooling would: max pooling sends it all to "
         "the maximum", _spread(everywhere / size ** 2, x, size)),
        ("the row and the column of the maximum are swapped: np.unravel_index(np.argmax(window), window.shape) "
         "gives (row, column)", at(flat.argmax(axis=-1), swap=True)),
        ("the gradient went to the minimum: use np.argmax", at(flat.argmin(axis=-1))),
    ]


def _written_without(function, layer, what):
    expect(layer not in names_read(function),
           f"{plain(function)} calls nncore's {layer}: that is the answer looked up, not derived. Write {what}")


def check_maxpool_backward(maxpool_backward):
    """Exercise: maxpool_backward(x, dout, size) sends each window's dout to its maximum alone."""
    _written_without(maxpool_backward, "MaxPool2D", "the loop over the windows yourself, from y = max(x_1, ...)")
    rng = np.random.default_rng(143)
    for N, C, H, W, size in ((2, 3, 4, 6, 2), (1, 2, 7, 5, 2), (2, 2, 6, 6, 3)):
        x = rng.permutation(N * C * H * W).reshape(N, C, H, W) / 10.0 - 3.0  # distinct values: no ties
        layer = MaxPool2D(size)
        out = layer.forward(x)
        dout = rng.uniform(0.5, 2.0, out.shape) * rng.choice([-1, 1], out.shape)
        label = f"maxpool_backward on x {x.shape}, windows of {size}x{size}"
        got = call(maxpool_backward, x.copy(), dout.copy(), size, returns=f"dx, an array of shape {x.shape}",
                   name="maxpool_backward")
        got = np.asarray(got, dtype=np.float64)
        expect(got.shape != dout.shape or got.shape == x.shape,
               f"{label}: dx has dout's shape {dout.shape}: it is the gradient for x, shape {x.shape}, with 0 at "
               "every pixel that was not a window's maximum")
        expect_shape(f"{label}: dx", got, x.shape)
        expected = _maxpool_backward(x, dout, size)
        if not _matches(got, expected):
            _name_the_mistake(label, got, _pool_mistakes(x, dout, size))
            expect(not np.allclose(np.abs(got), np.abs(expected)) or np.allclose(got, expected),
                   f"{label}: the right positions got the wrong sign: add dout itself")
        expect_close(label, got, expected, rtol=1e-10, atol=1e-12)
        numerical = gradcheck.numerical_gradient(lambda values: float(np.sum(MaxPool2D(size).forward(values) * dout)),
                                                 x.copy(), eps=1e-3)
        expect_close(f"{label}, against the numerical gradient", got, numerical, rtol=1e-6, atol=1e-8)
    correct("maxpool_backward sends each window's gradient to its maximum alone, equal to the numerical gradient, "
            "on 3 random batches (rows and columns no window reaches get 0)")


def _full_convolution(dout, weights, padding=None, flip=True, swap=True):
    k = weights.shape[2]
    kernel = weights[:, :, ::-1, ::-1] if flip else weights
    kernel = kernel.transpose(1, 0, 2, 3) if swap else kernel
    return _conv2d(dout, kernel, np.zeros(kernel.shape[0]), 1, k - 1 if padding is None else padding)


def check_input_gradient(input_gradient):
    """Exercise: input_gradient(dout, w) = dout, padded by k - 1, convolved with w flipped, channels swapped."""
    _written_without(input_gradient, "Conv2D", "it as one call of your conv2d_loops, on dout padded and w turned")
    rng = np.random.default_rng(144)
    for N, C, O, k, H, W in ((2, 3, 3, 3, 5, 6), (1, 2, 3, 2, 4, 5), (2, 3, 2, 3, 6, 4)):
        x, weights = rng.standard_normal((N, C, H, W)), rng.standard_normal((O, C, k, k))
        dout = rng.standard_normal((N, O, H - k + 1, W - k + 1))
        label = f"input_gradient for x {x.shape}, w {weights.shape} (stride 1, no padding)"
        try:
            got = input_gradient(dout.copy(), weights.copy())
        except NotImplementedError as stub:
            raise NotWrittenYet(str(stub)) from None
        except (ValueError, IndexError) as error:
            raise AssertionError(
                f"{label} raised {type(error).__name__}: {error}. If a shape did not fit: the convolution runs over "
                f"dout's {O} channels and must give x's {C}, so its kernel is w with its axes 0 and 1 swapped, shape "
                f"({C}, {O}, {k}, {k})") from None
        got = np.asarray(got, dtype=np.float64)
        if got.shape != x.shape:
            expect(got.shape[2:] != (H - 2 * k + 2, W - 2 * k + 2),
                   f"{label}: dx has shape {got.shape}, smaller than dout: pad dout with k - 1 = {k - 1} zeros on "
                   "every side, so that each pixel meets every output whose window held it (a *full* convolution)")
            expect(got.shape[2:] != (H - 2 * k + 2 + 2 * (k // 2), W - 2 * k + 2 + 2 * (k // 2)),
                   f"{label}: dx has shape {got.shape}: padding k // 2 keeps dout's size, but x is k - 1 larger than "
                   f"dout: pad by k - 1 = {k - 1}")
            expect_shape(f"{label}: dx", got, x.shape)
        expected = _conv2d_backward(x, weights, dout)[0]
        if not _matches(got, expected):
            _name_the_mistake(label, got, [
                ("the kernel is not flipped: output (i, j) reached pixel (i + u, j + v) through w[u, v], so seen from "
                 "the pixel the kernel runs backwards, w[::-1, ::-1]", _full_convolution(dout, weights, flip=False)),
                ("the channels of w are not swapped: dx[c] sums over the output channels o of dout[o] with w[o, c], "
                 "so the kernel is w.transpose(1, 0, 2, 3)", _full_convolution(dout, weights, swap=False)
                 if C == O else None)])
        expect_close(label, got, expected, rtol=RTOL, atol=ATOL)
    correct("input_gradient: dx is dout padded by k - 1 and convolved with w flipped and its channels swapped, equal "
            "to nncore's dinputs on 3 random batches")


def _layer_counts(C, H, W, O, k, stride, padding):
    positions = output_size(H, k, stride, padding) * output_size(W, k, stride, padding)
    return O * C * k * k + O, C * H * W * O * positions + O * positions


# The chapter's own first layer comes last: a message about an earlier case then does not give away its count.
COUNT_CASES = [(3, 10, 7, 4, 3, 2, 0), (2, 9, 9, 5, 5, 1, 2), (4, 6, 8, 3, 2, 2, 1), (1, 8, 8, 16, 3, 1, 1)]


def check_parameter_counts(parameter_counts):
    """Exercise: parameter_counts(C, H, W, O, k, stride, padding) -> (conv, dense) parameters for the same output."""
    for case in COUNT_CASES:
        C, H, W, O, k, s, p = case
        positions = output_size(H, k, s, p) * output_size(W, k, s, p)
        conv, dense = _layer_counts(*case)
        label = f"parameter_counts(C={C}, H={H}, W={W}, O={O}, k={k}, stride={s}, padding={p})"
        got = call(parameter_counts, *case, returns=f"({conv}, {dense})", name="parameter_counts")
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               f"{label} should return two whole numbers (conv, dense), got {plain(got)}")
        got_conv, got_dense = got
        expect(got_conv != O * C * k * k + O * positions,
               f"{label}: the convolution's count holds a bias per output position: one bias per output channel, "
               f"shared by all {positions} positions, {O} in all")
        expect(got_conv != O * C * k * k, f"{label}: the convolution's biases are missing, one per output channel")
        expect(got_conv != O * k * k + O or C == 1,
               f"{label}: the kernels have no input channels: each of the {O} kernels is C x k x k = {C}x{k}x{k}")
        expect(got_conv == conv, f"{label}: the convolution has {conv} parameters (O·C·k² + O), got {plain(got_conv)}")
        expect(got_dense != C * H * W * O * positions,
               f"{label}: the dense layer's biases are missing, one per output ({O * positions})")
        expect(got_dense != C * H * W * O + O,
               f"{label}: the dense layer has one output per output channel *and position*: O·H'·W' = "
               f"{O * positions} outputs, each joined to every one of the C·H·W = {C * H * W} inputs")
        expect(got_dense != C * H * W * O * H * W + O * H * W or positions == H * W,
               f"{label}: the output has H' x W' positions, not H x W: count them with the output-size formula")
        expect(got_dense == dense, f"{label}: the dense layer has {dense} parameters, got {plain(got_dense)}")
    correct(f"parameter_counts: a convolution's O·C·k² + O against a dense layer's (C·H·W + 1)·O·H'·W', on "
            f"{len(COUNT_CASES)} layers")
