import nnfs.datasets
import numpy as np
import pytest

from nncore import datasets


def test_nnfs_datasets_are_re_exported_unchanged():
    assert datasets.spiral_data is nnfs.datasets.spiral_data
    assert datasets.vertical_data is nnfs.datasets.vertical_data
    assert datasets.sine_data is nnfs.datasets.sine_data


def test_digits_split_is_stratified_and_leaves_the_global_stream_alone():
    state = np.random.get_state()[1].copy()
    X_train, y_train, X_test, y_test = datasets.load_digits_split()
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    assert X_train.shape == (1437, 64) and X_test.shape == (360, 64)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert X_train.min() == 0 and X_train.max() == 16
    assert set(np.bincount(y_test)) <= {35, 36, 37}


def test_digits_split_is_deterministic():
    first, second = datasets.load_digits_split(), datasets.load_digits_split()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_scale_pixels_maps_to_minus_one_one_as_float32():
    scaled = datasets.scale_pixels(np.array([[0, 8, 16]]), 16)
    np.testing.assert_array_equal(scaled, [[-1, 0, 1]])
    assert scaled.dtype == np.float32


@pytest.mark.parametrize("call, error, words", [
    (lambda: datasets.scale_pixels(np.array([[0, 255]]), 16), ValueError, "X must lie in [0, 16.0], got values from 0 to 255"),
    (lambda: datasets.scale_pixels(np.array([[0]]), 0), ValueError, "max_value must be in (0.0, inf)"),
    (lambda: datasets.load_digits_split(test_size=1.5), ValueError, "test_size must be in (0.0, 1.0)"),
])
def test_bad_input_is_refused_clearly(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
