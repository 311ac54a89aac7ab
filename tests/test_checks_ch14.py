"""14_convolution's checks refuse the usual wrong answers, each with a message that names the mistake."""
import math

import numpy as np
import pytest

import conv_loops
from nncore.convolution import Conv2D, MaxPool2D, output_size
from wrong_answers import accepted, cases, refusal


# ------------------------------------------------------------------ the output size

def size_right(size, kernel, stride=1, padding=0):
    return (size + 2 * padding - kernel) // stride + 1


def size_by_floor(size, kernel, stride=1, padding=0):
    return math.floor((size + 2 * padding - kernel) / stride) + 1


def size_by_range(size, kernel, stride=1, padding=0):
    return len(range(0, size + 2 * padding - kernel + 1, stride))


def size_answer(formula):
    return lambda: (formula,)


# ------------------------------------------------------------------ the loop convolution

def conv_with(*, flip=False, transpose=False, bias="once", channels="sum", pad="both", stride_used=True):
    """A loop convolution as a learner writes it, with one of its steps changed."""
    def conv2d_loops(x, w, b, stride=1, padding=0):
        N, C, H, W = x.shape
        O, _, k, _ = w.shape
        if pad == "both":
            padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        elif pad == "one side":
            padded = np.pad(x, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))
        elif pad == "all axes":
            padded = np.pad(x, padding)
        else:
            padded = x
        sides = padded.shape[2:] if pad != "all axes" else (H + 2 * padding, W + 2 * padding)
        H_out, W_out = ((side - k) // stride + 1 for side in sides)
        kernel = w[:, :, ::-1, ::-1] if flip else w
        kernel = kernel.transpose(0, 1, 3, 2) if transpose else kernel
        step = stride if stride_used else 1
        out = np.zeros((N, O, H_out, W_out))
        for n in range(N):
            for o in range(O):
                for i in range(H_out):
                    for j in range(W_out):
                        window = padded[n, :, i * step:i * step + k, j * step:j * step + k]
                        products = window * kernel[o]
                        if channels == "first":
                            total = products[0].sum()
                        elif channels == "mean":
                            total = products.sum(axis=(1, 2)).mean()
                        else:
                            total = products.sum()
                        times = {"once": 1, "none": 0, "per entry": k * k, "per channel": C}[bias]
                        out[n, o, i, j] = total + times * b[o]
        return out
    return lambda: (conv2d_loops,)


def conv_by_tensordot(x, w, b, stride=1, padding=0):
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    k = w.shape[2]
    H_out, W_out = output_size(x.shape[2], k, stride, padding), output_size(x.shape[3], k, stride, padding)
    out = np.empty((len(x), len(w), H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = padded[:, :, i * stride:i * stride + k, j * stride:j * stride + k]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


# ------------------------------------------------------------------ the loop backward

def backward_with(*, flip_dx=False, assign=False, flip_dw=False, dw_over_n=False, first_sample_dw=False, db="sum",
                  keep_padding=False):
    """The loop backward as a learner writes it, with one of its steps changed."""
    def conv2d_backward_loops(x, w, dout, stride=1, padding=0):
        N, C, H, W = x.shape
        k = w.shape[2]
        padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        dpadded, dw = np.zeros_like(padded), np.zeros_like(w)
        kernel = w[:, :, ::-1, ::-1] if flip_dx else w
        for n in range(1 if first_sample_dw else N):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    rows, columns = slice(i * stride, i * stride + k), slice(j * stride, j * stride + k)
                    window = padded[n, :, rows, columns]
                    dw += dout[n, :, i, j][:, None, None, None] * (window[:, ::-1, ::-1] if flip_dw else window)
                    share = np.tensordot(dout[n, :, i, j], kernel, axes=1)
                    if assign:
                        dpadded[n, :, rows, columns] = share
                    else:
                        dpadded[n, :, rows, columns] += share
        if first_sample_dw:  # dx still needs every sample
            dpadded = conv_loops.pad(conv_loops.conv2d_backward(x, w, dout, stride, padding)[0], padding)
        db_value = {"sum": dout.sum(axis=(0, 2, 3)), "mean": dout.mean(axis=(0, 2, 3)),
                    "per sample": dout.sum(axis=(2, 3))}[db]
        dx = dpadded if keep_padding else dpadded[:, :, padding:padding + H, padding:padding + W]
        return dx, dw / N if dw_over_n else dw, db_value
    return lambda: (conv2d_backward_loops,)


# ------------------------------------------------------------------ exercises

def maxpool_with(locate, *, returns=True):
    """Max-pool backward over windows side by side; ``locate(window, g)`` gives the window's gradient."""
    def maxpool_backward(x, dout, size):
        dx = np.zeros_like(x)
        for n, c, i, j in np.ndindex(dout.shape):
            rows, columns = slice(i * size, (i + 1) * size), slice(j * size, (j + 1) * size)
            dx[n, c, rows, columns] += locate(x[n, c, rows, columns], dout[n, c, i, j])
        return dx if returns else None
    return lambda: (maxpool_backward,)


def one_hot_at(window, g, position):
    mask = np.zeros_like(window)
    mask[position] = g
    return mask


def at_maximum(window, g):
    return one_hot_at(window, g, np.unravel_index(np.argmax(window), window.shape))


def at_maximum_by_rows_and_columns(window, g):
    return one_hot_at(window, g, (np.argmax(window.max(axis=1)), np.argmax(window.max(axis=0))))


def at_swapped(window, g):
    u, v = np.unravel_index(np.argmax(window), window.shape)
    return one_hot_at(window, g, (v, u))


def at_minimum(window, g):
    return one_hot_at(window, g, np.unravel_index(np.argmin(window), window.shape))


def input_gradient_with(*, flip=True, swap=True, padding=None):
    def input_gradient(dout, w):
        k = w.shape[2]
        kernel = w[:, :, ::-1, ::-1] if flip else w
        kernel = kernel.transpose(1, 0, 2, 3) if swap else kernel
        return conv_loops.conv2d_forward(dout, kernel, np.zeros(len(kernel)), 1, k - 1 if padding is None else
                                         padding(k))
    return lambda: (input_gradient,)


def input_gradient_by_scatter(dout, w):
    k = w.shape[2]
    N, _, H_out, W_out = dout.shape
    dx = np.zeros((N, w.shape[1], H_out + k - 1, W_out + k - 1))
    for u in range(k):
        for v in range(k):
            dx[:, :, u:u + H_out, v:v + W_out] += np.einsum("noij,oc->ncij", dout, w[:, :, u, v])
    return dx


def counts_with(conv, dense):
    def parameter_counts(C, H, W, O, k, stride=1, padding=0):
        positions = output_size(H, k, stride, padding) * output_size(W, k, stride, padding)
        return conv(C, H, W, O, k, positions), dense(C, H, W, O, k, positions)
    return lambda: (parameter_counts,)


def maxpool_by_the_library(x, dout, size):
    layer = MaxPool2D(size)
    layer.forward(x)
    return layer.backward(dout)


def input_gradient_by_the_library(dout, w):
    O, C, k, _ = w.shape
    layer = Conv2D(C, O, k)
    layer.set_parameters(w, np.zeros(O))
    layer.forward(np.zeros((len(dout), C, dout.shape[2] + k - 1, dout.shape[3] + k - 1)))
    return layer.backward(dout)


RIGHT_CONV = lambda C, H, W, O, k, P: O * C * k * k + O  # noqa: E731
RIGHT_DENSE = lambda C, H, W, O, k, P: (C * H * W + 1) * O * P  # noqa: E731

WRONG_ANSWERS = {
    "check_conv_output_size": [
        ("no +1", size_answer(lambda n, k, s=1, p=0: (n + 2 * p - k) // s), "the +1 is missing"),
        ("rounded up", size_answer(lambda n, k, s=1, p=0: math.ceil((n + 2 * p - k) / s) + 1), "rounded up"),
        ("true division, no floor", size_answer(lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1), "not rounded down"),
        ("padding on one side", size_answer(lambda n, k, s=1, p=0: (n + p - k) // s + 1), "counted once"),
        ("padding ignored", size_answer(lambda n, k, s=1, p=0: (n - k) // s + 1), "padding is ignored"),
        ("stride ignored", size_answer(lambda n, k, s=1, p=0: n + 2 * p - k + 1), "stride is ignored"),
        ("+1 inside the division", size_answer(lambda n, k, s=1, p=0: (n + 2 * p - k + 1) // s), "inside the division"),
        ("a float that is whole", size_answer(lambda n, k, s=1, p=0: float((n + 2 * p - k) // s + 1)), "an int"),
    ],
    "check_conv2d_loops": [
        ("flipped kernel", conv_with(flip=True), "flipped"),
        ("kernel transposed", conv_with(transpose=True), "transposed"),
        ("no bias", conv_with(bias="none"), "no bias"),
        ("bias per kernel entry", conv_with(bias="per entry"), "once per kernel entry"),
        ("bias per input channel", conv_with(bias="per channel"), "once per input channel"),
        ("channels averaged", conv_with(channels="mean"), "averaged"),
        ("only the first channel", conv_with(channels="first"), "first input channel"),
        ("padding on one side", conv_with(pad="one side"), "one side only"),
        ("padding ignored", conv_with(pad="none"), "padding is ignored"),
        ("np.pad on every axis", conv_with(pad="all axes"), "np.pad(x, p) pads the batch and channel axes"),
        ("stride ignored", conv_with(stride_used=False), "stride is ignored"),
    ],
    "check_conv2d_backward_loops": [
        ("dx with the flipped kernel", backward_with(flip_dx=True), "dx used the flipped kernel"),
        ("= instead of += for dx", backward_with(assign=True), "overwrote"),
        ("dw flipped", backward_with(flip_dw=True), "dw is flipped"),
        ("dw divided by N", backward_with(dw_over_n=True), "dw is divided by N"),
        ("dw of the first sample", backward_with(first_sample_dw=True), "dw holds the first sample"),
        ("db a mean", backward_with(db="mean"), "db is a mean"),
        ("db per sample", backward_with(db="per sample"), "one bias per output channel"),
        ("dx still padded", backward_with(keep_padding=True), "cut it off"),
    ],
    "check_maxpool_backward": [
        ("gradient to every position", maxpool_with(lambda window, g: np.full_like(window, g)), "every position"),
        ("averaged like avg-pool", maxpool_with(lambda window, g: np.full_like(window, g / window.size)),
         "average pooling"),
        ("argmax read on the wrong axis", maxpool_with(at_swapped), "swapped"),
        ("the minimum", maxpool_with(at_minimum), "minimum"),
        ("dx in dout's shape", lambda: (lambda x, dout, size: dout.copy(),), "dout's shape"),
        ("nothing returned", maxpool_with(at_maximum, returns=False), "expected shape"),
        ("nncore's MaxPool2D called", lambda: (maxpool_by_the_library,), "calls nncore's MaxPool2D"),
    ],
    "check_input_gradient": [
        ("kernel not flipped", input_gradient_with(flip=False), "not flipped"),
        ("channels not swapped", input_gradient_with(swap=False), "not swapped"),
        ("no padding", input_gradient_with(padding=lambda k: 0), "pad dout with k - 1"),
        ("padding k // 2", input_gradient_with(padding=lambda k: k // 2), "padding k // 2"),
        ("nncore's Conv2D called", lambda: (input_gradient_by_the_library,), "calls nncore's Conv2D"),
    ],
    "check_parameter_counts": [
        ("a conv bias per position", counts_with(lambda C, H, W, O, k, P: O * C * k * k + O * P, RIGHT_DENSE),
         "bias per output position"),
        ("conv without biases", counts_with(lambda C, H, W, O, k, P: O * C * k * k, RIGHT_DENSE),
         "biases are missing"),
        ("kernels without input channels", counts_with(lambda C, H, W, O, k, P: O * k * k + O, RIGHT_DENSE),
         "no input channels"),
        ("dense without biases", counts_with(RIGHT_CONV, lambda C, H, W, O, k, P: C * H * W * O * P),
         "dense layer's biases"),
        ("dense with one output per channel", counts_with(RIGHT_CONV, lambda C, H, W, O, k, P: C * H * W * O + O),
         "*and position*"),
        ("dense with H x W outputs", counts_with(RIGHT_CONV, lambda C, H, W, O, k, P: (C * H * W + 1) * O * H * W),
         "not H x W"),
    ],
}

RIGHT_ANSWERS = [
    ("check_conv_output_size", size_answer(size_right)),
    ("check_conv_output_size", size_answer(size_by_floor)),
    ("check_conv_output_size", size_answer(size_by_range)),
    ("check_conv2d_loops", conv_with()),
    ("check_conv2d_loops", lambda: (conv_by_tensordot,)),
    ("check_conv2d_loops", lambda: (conv_loops.conv2d_forward,)),
    ("check_conv2d_backward_loops", backward_with()),
    ("check_conv2d_backward_loops", lambda: (lambda x, w, dout, stride=1, padding=0: conv_loops.conv2d_backward(
        x, w, dout, stride, padding),)),
    ("check_maxpool_backward", maxpool_with(at_maximum)),
    ("check_maxpool_backward", maxpool_with(at_maximum_by_rows_and_columns)),
    ("check_maxpool_backward", lambda: (lambda x, dout, size: conv_loops.maxpool_backward(x, dout, size),)),
    ("check_input_gradient", input_gradient_with()),
    ("check_input_gradient", lambda: (input_gradient_by_scatter,)),
    ("check_parameter_counts", counts_with(RIGHT_CONV, RIGHT_DENSE)),
    ("check_parameter_counts", counts_with(lambda C, H, W, O, k, P: O * (C * k ** 2 + 1),
                                           lambda C, H, W, O, k, P: C * H * W * O * P + O * P)),
]


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch14", check_name, answer())


@pytest.mark.parametrize("check_name, answer", RIGHT_ANSWERS, ids=[name for name, _ in RIGHT_ANSWERS])
def test_the_check_accepts_a_right_answer_and_leaves_the_random_stream_alone(check_name, answer, capsys):
    printed, stream_kept = accepted("ch14", check_name, answer(), capsys)
    assert printed.startswith("Correct")
    assert stream_kept
