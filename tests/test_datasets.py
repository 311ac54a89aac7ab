import gzip
import hashlib
import subprocess
import sys

import nnfs.datasets
import numpy as np
import pytest

from nncore import datasets


def test_nnfs_datasets_are_re_exported_unchanged():
    assert datasets.spiral_data is nnfs.datasets.spiral_data
    assert datasets.vertical_data is nnfs.datasets.vertical_data
    assert datasets.sine_data is nnfs.datasets.sine_data


def test_three_way_split_is_shuffled_stratified_disjoint_and_complete():
    X = np.arange(300, dtype=np.float64).reshape(-1, 1)
    y = np.repeat([0, 1, 2], 100)  # sorted by class, as spiral_data is
    state = np.random.get_state()[1].copy()
    X_train, y_train, X_val, y_val, X_test, y_test = datasets.train_val_test_split(X, y, val=0.2, test=0.1, rng=3)
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    assert (len(y_train), len(y_val), len(y_test)) == (210, 60, 30)
    for labels, per_class in ((y_train, 70), (y_val, 20), (y_test, 10)):
        assert list(np.bincount(labels)) == [per_class] * 3
        assert len(set(labels[:per_class])) > 1, "each part is shuffled, not left sorted by class"
    rows = np.concatenate([X_train, X_val, X_test]).ravel()
    assert sorted(rows) == list(range(300)), "every sample lands in exactly one part"
    np.testing.assert_array_equal(y_train, X_train.ravel() // 100), "X and y stay paired"


def test_three_way_split_is_reproducible_and_takes_a_generator():
    X, y = np.random.default_rng(0).standard_normal((50, 2)), np.tile([0, 1], 25)
    first = datasets.train_val_test_split(X, y, val=0.2, test=0.2, rng=7)
    again = datasets.train_val_test_split(X, y, val=0.2, test=0.2, rng=np.random.default_rng(7))
    other = datasets.train_val_test_split(X, y, val=0.2, test=0.2, rng=8)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_three_way_split_of_regression_targets_without_stratifying():
    X = np.linspace(0, 1, 100).reshape(-1, 1)
    X_train, y_train, X_val, y_val, X_test, y_test = datasets.train_val_test_split(
        X, 2 * X, val=0.25, test=0.0, stratify=False)
    assert (len(X_train), len(X_val), len(X_test)) == (75, 25, 0)
    np.testing.assert_array_equal(y_val, 2 * X_val)


def test_digits_split_is_stratified_and_leaves_the_global_stream_alone():
    state = np.random.get_state()[1].copy()
    X_train, y_train, X_test, y_test = datasets.load_digits_split()
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    assert X_train.shape == (1437, 64) and X_test.shape == (360, 64)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert X_train.min() == 0 and X_train.max() == 16
    assert set(np.bincount(y_test)) <= {35, 36, 37}


@pytest.mark.parametrize("test_size, random_state", [(0.2, 0), (0.2, 1), (0.25, 7), (0.1, 42), (1 / 3, 3), (0.9, 5),
                                                     (0.006, 13), (0.5, 0)])
def test_digits_split_is_scikit_learns_stratified_split(test_size, random_state):
    """The same arrays as scikit-learn's own loader and split, ties between the classes' quotas included (0.006)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=random_state,
                                                        stratify=y)
    for ours, theirs in zip(datasets.load_digits_split(test_size=test_size, random_state=random_state),
                            (X_train, y_train, X_test, y_test)):
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == theirs.dtype


def test_the_digits_load_without_importing_scikit_learn():
    """Its import takes over a second, longer than the rest of a chapter's set-up."""
    probe = ("import sys; from nncore.datasets import load_digits_split; load_digits_split(); "
             "print(sorted(name for name in sys.modules if name.split('.')[0] in ('sklearn', 'scipy')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_digits_split_is_deterministic():
    first, second = datasets.load_digits_split(), datasets.load_digits_split()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_scale_pixels_maps_to_minus_one_one_as_float32():
    scaled = datasets.scale_pixels(np.array([[0, 8, 16]]), 16)
    np.testing.assert_array_equal(scaled, [[-1, 0, 1]])
    assert scaled.dtype == np.float32


def write_idx(path, values, magic):
    header = np.array([magic, *values.shape], dtype=">u4").tobytes()
    with gzip.open(path, "wb") as file:
        file.write(header + values.astype(np.uint8).tobytes())


@pytest.fixture
def fashion_folder(tmp_path, rng):
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (6, 28, 28)), 2051)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.arange(6) % 10, 2049)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", rng.integers(0, 256, (3, 28, 28)), 2051)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([9, 0, 1]), 2049)
    return tmp_path


def sums_of(folder):
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in datasets.FASHION_MNIST_SHA256}


def test_fashion_mnist_reads_verified_idx_files(fashion_folder):
    X_train, y_train, X_test, y_test = datasets.load_fashion_mnist(fashion_folder, checksums=sums_of(fashion_folder))
    assert X_train.shape == (6, 28, 28) and X_train.dtype == np.uint8 and X_test.shape == (3, 28, 28)
    np.testing.assert_array_equal(y_test, [9, 0, 1])
    assert datasets.FASHION_MNIST_LABELS[int(y_test[0])] == "Ankle boot"


def test_fashion_mnist_refuses_a_file_with_the_wrong_checksum(fashion_folder):
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.gz has SHA-256 [0-9a-f]{64}, expected 3aede38d"):
        datasets.load_fashion_mnist(fashion_folder)


def test_fashion_mnist_missing_files_explain_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="is missing .* never downloaded by the course. To use it, download"):
        datasets.load_fashion_mnist(tmp_path)


def test_fashion_mnist_refuses_files_that_are_not_idx(fashion_folder):
    with gzip.open(fashion_folder / "t10k-labels-idx1-ubyte.gz", "wb") as file:
        file.write(b"not an idx file")
    with pytest.raises(ValueError, match="is not an IDX file with magic number 2049"):
        datasets.load_fashion_mnist(fashion_folder, checksums=sums_of(fashion_folder))
