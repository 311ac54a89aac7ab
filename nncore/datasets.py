"""Data sets of the course.

``spiral_data``, ``vertical_data`` and ``sine_data`` are nnfs's own functions,
so after ``nnfs.init()`` they draw exactly the book's points from NumPy's
global random stream. The digits are scikit-learn's bundled 8x8 images: no
download, ever.
"""
import gzip
import hashlib
import importlib.util
import math
from pathlib import Path

import numpy as np
from nnfs.datasets import sine_data, spiral_data, vertical_data

from . import _checks

__all__ = ["spiral_data", "vertical_data", "sine_data", "train_val_test_split", "load_digits_split", "scale_pixels", "load_fashion_mnist",
           "DIGIT_LABELS", "FASHION_MNIST_LABELS", "FASHION_MNIST_SHA256"]

DIGIT_LABELS = {digit: str(digit) for digit in range(10)}
FASHION_MNIST_LABELS = {0: "T-shirt/top", 1: "Trouser", 2: "Pullover", 3: "Dress", 4: "Coat",
                        5: "Sandal", 6: "Shirt", 7: "Sneaker", 8: "Bag", 9: "Ankle boot"}
FASHION_MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}
"""SHA-256 of the four official Fashion-MNIST files, as published with the data set."""
FASHION_MNIST_HELP = (
    "Fashion-MNIST is optional and never downloaded by the course. To use it, download the four files "
    f"{', '.join(FASHION_MNIST_SHA256)} from Zalando Research's fashion-mnist repository on GitHub "
    "(folder data/fashion) into one folder, and pass that folder to load_fashion_mnist."
)


def train_val_test_split(X, y, *, val, test, stratify=True, rng=0):
    """Shuffle ``(X, y)`` and cut it into training, validation and test parts.

    ``val`` and ``test`` are the fractions of the samples that go to validation
    and test (each in [0, 1), together below 1). With ``stratify=True`` (class
    labels ``y``, shape ``(N,)``) each class is split on its own, so every part
    keeps the class proportions; use ``stratify=False`` for regression targets.
    Samples are shuffled first, because data such as ``spiral_data`` comes
    sorted by class. ``rng`` is a seed or a ``np.random.Generator``; NumPy's
    global random stream is never touched.

    Returns
    -------
    X_train, y_train, X_val, y_val, X_test, y_test: rows of ``X`` and ``y``
    """
    X, y = _checks.as_array("X", X), _checks.as_array("y", y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"X and y must have one row per sample, got shapes {X.shape} and {y.shape}")
    val = _checks.real_number("val", val, low=0.0, high=1.0)
    test = _checks.real_number("test", test, low=0.0, high=1.0)
    if val + test >= 1:
        raise ValueError(f"val + test must leave samples for training (below 1), got {val} + {test} = {val + test}")
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    if stratify:
        if y.ndim != 1 or not np.all(np.mod(y, 1) == 0):
            raise ValueError(f"stratify=True needs class labels of shape (N,), got shape {y.shape} and dtype "
                             f"{y.dtype}; use stratify=False for regression targets")
        groups = [np.flatnonzero(y == label) for label in np.unique(y)]
    else:
        groups = [np.arange(len(y))]
    parts = ([], [], [])
    for members in groups:
        members = rng.permutation(members)
        n_test, n_val = round(test * len(members)), round(val * len(members))
        if n_test + n_val >= len(members):
            raise ValueError(f"a group of {len(members)} samples is too small to keep any for training "
                             f"with val={val} and test={test}")
        for part, chosen in zip(parts, np.split(members, [len(members) - n_val - n_test, len(members) - n_test])):
            part.append(chosen)
    train, validation, testing = (rng.permutation(np.concatenate(part)) for part in parts)
    return X[train], y[train], X[validation], y[validation], X[testing], y[testing]


def load_digits_split(*, test_size=0.2, random_state=0):
    """The 1,797 handwritten digits (8x8 pixels, values 0-16), split into train and test.

    The split is stratified and shuffled by ``random_state`` (a whole number), the very split of scikit-learn's
    ``train_test_split(X, y, test_size=test_size, random_state=random_state, stratify=y)``; it never touches
    NumPy's global random stream.

    Returns
    -------
    X_train ``(N_train, 64)``, y_train ``(N_train,)``, X_test ``(N_test, 64)``, y_test ``(N_test,)``
    """
    test_size = _checks.real_number("test_size", test_size, low=0.0, high=1.0, low_open=True)
    random_state = _checks.non_negative_int("random_state", random_state, what="a whole-number seed")
    X, y = _bundled_digits()
    train, test = _stratified_split(y, test_size, np.random.RandomState(random_state))
    return X[train], y[train], X[test], y[test]


def _bundled_digits():
    """scikit-learn's digits from the file it ships: X ``(1797, 64)`` float64, y ``(1797,)`` int64.

    Read without importing scikit-learn, whose import (SciPy's statistics among it) takes longer than everything
    else a chapter's set-up imports.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the digits ship with scikit-learn, which is not installed: run `make setup`")
    with gzip.open(Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz", "rt",
                   encoding="utf-8") as file:
        table = np.loadtxt(file, delimiter=",")  # 64 pixel columns, then the label
    return table[:, :-1], table[:, -1].astype(int)


def _stratified_split(y, test_size, rng):
    """Indices (train, test) of scikit-learn's StratifiedShuffleSplit with one split, drawn from ``rng``
    (a ``np.random.RandomState``) in its order: each class's quota of the ceil(test_size * N) test samples and of
    the rest, then a permutation of each class, then one of each part."""
    n_test = math.ceil(test_size * len(y))
    n_train = len(y) - n_test
    _, labels, counts = np.unique(y, return_inverse=True, return_counts=True)
    for part, size in (("test", n_test), ("training", n_train)):
        if size < len(counts):
            raise ValueError(f"test_size={test_size} leaves {size} {part} samples for {len(counts)} classes: each "
                             "part needs a sample of every class")
    members = np.split(np.argsort(labels, kind="stable"), np.cumsum(counts)[:-1])
    train_quota = _class_quota(counts, n_train, rng)
    test_quota = _class_quota(counts - train_quota, n_test, rng)
    train, test = [], []
    for indices, n_class_train, n_class_test in zip(members, train_quota, test_quota):
        shuffled = indices[rng.permutation(len(indices))]
        train.append(shuffled[:n_class_train])
        test.append(shuffled[n_class_train:n_class_train + n_class_test])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _class_quota(counts, n_draws, rng):
    """How many of ``n_draws`` samples each class gets: its share ``counts / total * n_draws`` rounded down, then
    one more each for the classes of the largest remainders, ties drawn from ``rng``, until they add up."""
    share = counts / counts.sum() * n_draws
    quota = np.floor(share)
    missing = int(n_draws - quota.sum())
    remainder = share - quota
    for value in np.unique(remainder)[::-1]:
        if missing == 0:
            break
        tied = np.flatnonzero(remainder == value)
        chosen = rng.choice(tied, size=min(len(tied), missing), replace=False)
        quota[chosen] += 1
        missing -= len(chosen)
    return quota.astype(int)


def scale_pixels(X, max_value):
    r"""Map pixel values in [0, ``max_value``] to [-1, 1] as float32: :math:`(x - m/2) / (m/2)`."""
    max_value = _checks.real_number("max_value", max_value, low_open=True)
    X = _checks.as_array("X", X)
    if X.size and (X.min() < 0 or X.max() > max_value):
        raise ValueError(f"X must lie in [0, {max_value}], got values from {X.min()} to {X.max()}")
    half = max_value / 2
    return ((X - half) / half).astype(np.float32)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_idx(path, magic, ndim):
    """Read a gzipped IDX file: a big-endian header (magic number, then one size per axis), then uint8 values."""
    with gzip.open(path, "rb") as file:
        data = file.read()
    header = np.frombuffer(data, dtype=">u4", count=1 + ndim) if len(data) >= 4 * (1 + ndim) else None
    if header is None or header[0] != magic:
        raise ValueError(f"{path.name} is not an IDX file with magic number {magic}")
    shape = tuple(int(size) for size in header[1:])
    values = np.frombuffer(data, dtype=np.uint8, offset=4 * (1 + ndim))
    if values.size != np.prod(shape):
        raise ValueError(f"{path.name} should hold {int(np.prod(shape))} values for shape {shape}, got {values.size}")
    return values.reshape(shape)


def load_fashion_mnist(folder, *, checksums=FASHION_MNIST_SHA256):
    """Read Fashion-MNIST from the four official ``.gz`` files in ``folder``, after checking their SHA-256.

    Nothing is downloaded: a missing file raises ``FileNotFoundError`` that
    says how to get the data; a file whose checksum differs raises ``ValueError``.

    Returns
    -------
    X_train ``(60000, 28, 28)`` uint8, y_train ``(60000,)``, X_test ``(10000, 28, 28)``, y_test ``(10000,)``
    """
    folder = Path(folder)
    for name, expected in checksums.items():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"{name} is missing from the folder {folder.name!r}. {FASHION_MNIST_HELP}")
        actual = _sha256(path)
        if actual != expected:
            raise ValueError(f"{name} has SHA-256 {actual}, expected {expected}: the file is damaged or not "
                             "the official one; download it again")
    X_train = _read_idx(folder / "train-images-idx3-ubyte.gz", 2051, 3)
    y_train = _read_idx(folder / "train-labels-idx1-ubyte.gz", 2049, 1)
    X_test = _read_idx(folder / "t10k-images-idx3-ubyte.gz", 2051, 3)
    y_test = _read_idx(folder / "t10k-labels-idx1-ubyte.gz", 2049, 1)
    for images, labels, split in ((X_train, y_train, "train"), (X_test, y_test, "test")):
        if len(images) != len(labels):
            raise ValueError(f"the {split} split has {len(images)} images but {len(labels)} labels")
    return X_train, y_train.astype(np.int64), X_test, y_test.astype(np.int64)
