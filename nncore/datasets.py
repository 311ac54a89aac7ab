"""Data sets of the course.

``spiral_data``, ``vertical_data`` and ``sine_data`` are nnfs's own functions,
so after ``nnfs.init()`` they draw exactly the book's points from NumPy's
global random stream. The digits are scikit-learn's bundled 8x8 images: no
download, ever.
"""
import numpy as np
from nnfs.datasets import sine_data, spiral_data, vertical_data

from . import _checks

__all__ = ["spiral_data", "vertical_data", "sine_data", "load_digits_split", "scale_pixels", "DIGIT_LABELS"]

DIGIT_LABELS = {digit: str(digit) for digit in range(10)}


def load_digits_split(*, test_size=0.2, random_state=0):
    """The 1,797 handwritten digits (8x8 pixels, values 0-16), split into train and test.

    The split is stratified and shuffled by ``random_state``; it never touches
    NumPy's global random stream.

    Returns
    -------
    X_train ``(N_train, 64)``, y_train ``(N_train,)``, X_test ``(N_test, 64)``, y_test ``(N_test,)``
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    test_size = _checks.real_number("test_size", test_size, low=0.0, high=1.0, low_open=True)
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=random_state, stratify=y)
    return X_train, y_train, X_test, y_test


def scale_pixels(X, max_value):
    r"""Map pixel values in [0, ``max_value``] to [-1, 1] as float32: :math:`(x - m/2) / (m/2)`."""
    max_value = _checks.real_number("max_value", max_value, low_open=True)
    X = _checks.as_array("X", X)
    if X.size and (X.min() < 0 or X.max() > max_value):
        raise ValueError(f"X must lie in [0, {max_value}], got values from {X.min()} to {X.max()}")
    half = max_value / 2
    return ((X - half) / half).astype(np.float32)
