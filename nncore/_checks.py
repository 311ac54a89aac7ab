"""Input checks shared by nncore's public classes.

Every message names the argument, what was expected and what came, so that a
learner can fix the call without reading nncore's source.
"""
import numbers

import numpy as np

NUMERIC_KINDS = "biuf"  # bool, signed and unsigned integers, floats (complex numbers are refused)


def as_array(name, value, *, ndim=None, n_columns=None, finite=True):
    """Return ``value`` as an ndarray after checking its dimensions and values.

    Array-likes are converted, never reshaped: a 1-D vector where a 2-D batch
    is needed is an error, not a guess.
    """
    try:
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be array-like, got {type(value).__name__}: {error}") from None
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.dtype.kind not in NUMERIC_KINDS:
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if ndim is not None and array.ndim != ndim:
        expected = {1: "a 1-D array (n_samples,)", 2: "a 2-D array (n_samples, n_features)"}.get(ndim, f"{ndim}-D")
        hint = " (use X.reshape(-1, 1) for one feature, or X[np.newaxis] for one sample)" if ndim == 2 else ""
        raise ValueError(f"{name} must be {expected}, got shape {array.shape}{hint}")
    if n_columns is not None and array.shape[-1] != n_columns:
        raise ValueError(f"{name} must have {n_columns} columns, got shape {array.shape}")
    # One sum is cheaper than an element-wise test; it is finite whenever every value is (barring overflow).
    if finite and array.dtype.kind == "f" and not np.isfinite(array.sum()) and not np.isfinite(array).all():
        bad = int(np.size(array) - np.isfinite(array).sum())
        raise ValueError(f"{name} must be finite, got {bad} NaN or infinite value(s)")
    return array


def non_negative_int(name, value, *, what="an integer"):
    """Check that ``value`` is an integer of at least 0 (``what`` names it in the message) and return it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what} >= 0, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"{name} must be {what} >= 0, got {value}")
    return int(value)


def positive_int(name, value):
    """Check that ``value`` is an integer of at least 1 and return it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def real_number(name, value, *, low=0.0, high=None, low_open=False, high_open=True):
    """Check that ``value`` is a finite real number in the given interval and return it as ``float``.

    ``high=None`` means no upper bound. ``low_open``/``high_open`` exclude the end points.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    left = "(" if low_open else "["
    right = ")" if high_open or high is None else "]"
    interval = f"{left}{low}, {'inf' if high is None else high}{right}"
    too_low = value <= low if low_open else value < low
    too_high = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or too_low or too_high:
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return value


def class_labels(name, y_true, n_samples, n_classes):
    """Check sparse (N,) integer labels or one-hot (N, K) targets; return them as an array."""
    y_true = as_array(name, y_true)
    if y_true.ndim == 1:
        if y_true.shape[0] != n_samples:
            raise ValueError(f"{name} must have one label per sample ({n_samples},), got shape {y_true.shape}")
        if not np.issubdtype(y_true.dtype, np.integer):
            if not np.all(np.mod(y_true, 1) == 0):
                raise ValueError(f"{name} as 1-D labels must be whole class indices, got dtype {y_true.dtype} with fractions")
            y_true = y_true.astype(np.int64)
        if y_true.size and (y_true.min() < 0 or y_true.max() >= n_classes):
            raise ValueError(
                f"{name} must be class indices in [0, {n_classes}), got values from {y_true.min()} to {y_true.max()}"
            )
        return y_true
    if y_true.ndim == 2:
        if y_true.shape != (n_samples, n_classes):
            raise ValueError(
                f"{name} as one-hot targets must have shape ({n_samples}, {n_classes}), got {y_true.shape}"
                + (" (did you wrap the labels in an extra list, np.array([y])?)" if y_true.shape[0] == 1 else "")
            )
        one_hot_rows(name, y_true)
        return y_true
    raise ValueError(
        f"{name} must be 1-D class indices ({n_samples},) or one-hot ({n_samples}, {n_classes}), got shape {y_true.shape}"
    )


def distribution_rows(name, values, *, hint):
    """Check that every row of the 2-D ``values`` is a probability distribution: >= 0, summing to 1."""
    if values.size == 0:
        return values
    if values.min() < 0:
        row = int(np.argwhere(values < 0)[0][0])
        raise ValueError(f"{name} must be probabilities ({hint}), got a negative value in row {row}")
    sums = values.sum(axis=1)
    off = np.abs(sums - 1) > 1e-3
    if off.any():
        row = int(np.argmax(off))
        raise ValueError(f"{name} must be probabilities ({hint}), got row {row} summing to {sums[row]:.4g}")
    return values


def one_hot_rows(name, y_true):
    """Check that every row of ``y_true`` holds one 1 and 0 elsewhere (soft targets are refused)."""
    bad = ~(((y_true == 0) | (y_true == 1)).all(axis=1) & (y_true.sum(axis=1) == 1))
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"{name} as one-hot targets must hold one 1 per row and 0 elsewhere, got row {row} = "
                         f"{np.array2string(y_true[row], precision=3, threshold=12)} (soft targets are not "
                         "supported: the loss is -log of the true class's probability)")
    return y_true


def within_unit_interval(name, values, *, hint):
    """Check that every value lies in [0, 1]."""
    if values.size and (values.min() < 0 or values.max() > 1):
        raise ValueError(f"{name} must lie in [0, 1] ({hint}), got values from {values.min():.4g} to "
                         f"{values.max():.4g}")
    return values


def same_shape(name, y_true, shape):
    """Check that targets have exactly the predictions' ``shape`` (no silent broadcasting)."""
    y_true = as_array(name, y_true)
    shape = tuple(shape)
    if y_true.shape != shape:
        hint = " (use y.reshape(-1, 1) for one output)" if y_true.ndim == 1 and len(shape) == 2 else ""
        raise ValueError(f"{name} must have the predictions' shape {shape}, got {y_true.shape}{hint}")
    return y_true


def gradient(layer, dvalues):
    """Check that ``dvalues`` is a finite array of the shape of ``layer``'s last output, and return it."""
    name = type(layer).__name__
    if getattr(layer, "output", None) is None:
        raise ValueError(f"{name}.backward needs a forward pass first: it back-propagates through the last one")
    dvalues = as_array(f"{name} dvalues", dvalues)
    if dvalues.shape != layer.output.shape:
        raise ValueError(f"{name} dvalues must have the shape of the layer's last output {layer.output.shape}, "
                         f"got {dvalues.shape}")
    return dvalues


def has_methods(name, value, methods, *, example):
    """Check that ``value`` (unless ``None``) is an object with ``methods``, e.g. not the string ``'mse'``."""
    if value is None or all(callable(getattr(value, method, None)) for method in methods):
        return value
    got = f"the string {value!r}" if isinstance(value, str) else f"a {type(value).__name__}"
    raise TypeError(f"{name} must be an object with {', '.join(methods)}, such as {example}; got {got}")


def pair(name, value, what):
    """Check that ``value`` is a tuple or list of two, such as ``(X_val, y_val)``, and return it."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return value
    got = f"an array of shape {np.shape(value)}" if isinstance(value, np.ndarray) else \
        f"a {type(value).__name__} of {len(value)}" if isinstance(value, (tuple, list)) else type(value).__name__
    raise ValueError(f"{name} must be a pair {what}, got {got}")


def choice(name, value, options):
    """Check that ``value`` is one of ``options`` (strings) and return it."""
    if value not in options:
        raise ValueError(f"unknown {name} {value!r}; expected one of: {', '.join(repr(o) for o in options)}")
    return value
