"""Checks for 11_save_and_predict: the learner's model file, preprocessing and named predictions, and the exercises."""
import contextlib
import json
import os
import pickle
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

import nncore
from nncore import Dense, ReLU, Softmax
from nncore.datasets import scale_pixels

from . import call, correct, expect, expect_shape, piece, plain, seeded

LAYER_CLASSES = {"Dense": Dense, "ReLU": ReLU, "Softmax": Softmax}


def _save_model(model, path):
    arrays = {}
    for index, layer in enumerate(model.trainable_layers):
        arrays[f"layer{index}_weights"], arrays[f"layer{index}_biases"] = layer.weights, layer.biases
    layers = [{"class": type(layer).__name__, "config": layer.config()} for layer in model.layers]
    np.savez(path, config=np.array(json.dumps({"layers": layers})), **arrays)
    return path


def _load_model(path):
    with np.load(path, allow_pickle=False) as archive:
        config = json.loads(str(archive["config"]))
        model = nncore.Model(*(LAYER_CLASSES[layer["class"]](**layer["config"]) for layer in config["layers"]))
        model.set_parameters([(archive[f"layer{index}_weights"], archive[f"layer{index}_biases"])
                              for index in range(len(model.trainable_layers))])
    return model


def _preprocess_digit(image):
    small = np.array(Image.fromarray(image).resize((8, 8), Image.Resampling.BOX), dtype=np.float32)
    return scale_pixels((255 - small) * 16 / 255, 16).reshape(1, 64)


def _exact_preprocess(image):
    """As _preprocess_digit, with the box means in floats (Pillow rounds them to whole grey levels for uint8)."""
    small = np.array(Image.fromarray(image.astype(np.float32)).resize((8, 8), Image.Resampling.BOX))
    return scale_pixels((255 - small) * 16 / 255, 16).reshape(1, 64)


def _name_predictions(confidences, labels):
    best = np.argmax(confidences, axis=1)
    return [(labels[int(k)], float(row[k])) for k, row in zip(best, confidences)]


for _reference in (_save_model, _load_model, _preprocess_digit, _name_predictions):
    _reference.__qualname__ = _reference.__name__.lstrip("_")


def _random_model(rng, n_dense, sizes=None):
    """A finalized model of n_dense Dense layers (ReLU between, Softmax last) with random weights and biases."""
    sizes = sizes or [int(size) for size in rng.integers(2, 7, size=n_dense + 1)]
    layers = []
    for index, (n_inputs, n_neurons) in enumerate(zip(sizes[:-1], sizes[1:])):
        with seeded(index):
            dense = Dense(n_inputs, n_neurons)
        dense.weights = rng.standard_normal((n_inputs, n_neurons)).astype(np.float32)
        dense.biases = rng.standard_normal((1, n_neurons)).astype(np.float32)
        layers += [dense, ReLU()]
    return nncore.Model(*layers[:-1], Softmax())


def _models(rng):
    # 12 layers of one size: layer10 sorts before layer2 as text, and parameters in the wrong order still fit
    return [_random_model(rng, 2), _random_model(rng, 3), _random_model(rng, 12, sizes=[4] * 13)]


@contextlib.contextmanager
def _temporary_folder():
    """Work in a fresh temporary folder, so that paths print as plain file names."""
    before = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            yield Path(".")
        finally:
            os.chdir(before)


@piece(lambda: _save_model)
def check_save_model(save_model):
    """save_model(model, path): layer{i}_weights, layer{i}_biases and a JSON 'config' of the layers, in a plain .npz."""
    rng = np.random.default_rng(110)
    for model in _models(rng):
        with _temporary_folder() as folder:
            path = folder / "model.npz"
            returned = call(save_model, model, path, returns="the path written")
            expect(path.exists(), "nothing was written at the path given: write the archive there with np.savez")
            expect(isinstance(returned, (str, os.PathLike)) and Path(returned) == path,
                   f"save_model should return the path it wrote ({path.name}), got {plain(returned)}: the chapter "
                   "passes it straight on, load_model(save_model(model, path))")
            with open(path, "rb") as file:
                start = file.read(2)
            expect(not start.startswith(b"\x80"),
                   "the file is a pickle (pickle.dump): loading a pickle runs code; write plain arrays with np.savez "
                   "and the config as a JSON string")
            expect(zipfile.is_zipfile(path), "the file is not a NumPy archive (.npz) of named arrays: use np.savez")
            with np.load(path, allow_pickle=False) as archive:
                names = set(archive.files)
                for index, layer in enumerate(model.trainable_layers):
                    for part in ("weights", "biases"):
                        name = f"layer{index}_{part}"
                        expect(name in names, f"the archive has no {name}" + (
                            ": the biases are lost; save both parameters of every trainable layer"
                            if part == "biases" else f" (it holds {sorted(names)})"))
                        try:
                            saved = archive[name]
                        except ValueError:
                            raise AssertionError(f"{name} holds pickled objects: save the array itself") from None
                        if not np.array_equal(saved, getattr(layer, part)):
                            others = [j for j, other in enumerate(model.trainable_layers)
                                      if np.shape(getattr(other, part)) == np.shape(saved)
                                      and np.array_equal(getattr(other, part), saved)]
                            raise AssertionError(f"{name} holds " + (
                                f"the {part} of trainable layer {others[0]}: number the layers in the order of "
                                "model.trainable_layers, from 0" if others else
                                f"other values than trainable layer {index}'s {part}"))
                expect("config" in names, "the archive has no 'config': add the layers' description as a JSON string")
                try:
                    text = archive["config"]
                except ValueError:
                    raise AssertionError("'config' holds a pickled object (an object array, e.g. of a dict): save "
                                         "json.dumps(...) as a string array, np.array(text)") from None
            expect(text.dtype.kind == "U" and text.ndim == 0,
                   f"'config' should be one string (a 0-d unicode array, np.array(json.dumps(...))), got dtype "
                   f"{text.dtype} and shape {text.shape}")
            try:
                config = json.loads(str(text))
            except ValueError:
                raise AssertionError("'config' is not JSON: write it with json.dumps") from None
        expect(isinstance(config, dict) and isinstance(config.get("layers"), list),
               f"the config should be {{'layers': [...]}}, one entry per layer; got {str(config)[:80]}")
        described = config["layers"]
        expected = [{"class": type(layer).__name__, "config": layer.config()} for layer in model.layers]
        classes = [entry.get("class") if isinstance(entry, dict) else entry for entry in described]
        expect(len(described) == len(expected),
               f"the config lists {len(described)} layers, the model has {len(expected)} ({[e['class'] for e in expected]}): "
               "list every layer, the activations too, in order")
        expect(classes == [entry["class"] for entry in expected],
               f"the config lists the classes {classes}, the model's layers are {[e['class'] for e in expected]}, "
               "in this order")
        for index, (entry, want) in enumerate(zip(described, expected)):
            expect(entry == want, f"layer {index} is described as {entry}, expected {want} "
                                  "({'class': its class name, 'config': layer.config()})")
    correct("save_model writes every parameter under its layer's number and a JSON config of every layer, no "
            "pickle, on 3 models (one of 12 dense layers)")


def _foreign_class_file(model, path):
    """A model file whose last layer is named Sigmoid: an nncore class, but not one of the loader's table."""
    _save_model(model, path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    config = json.loads(str(arrays["config"]))
    config["layers"][-1] = {"class": "Sigmoid", "config": {}}
    arrays["config"] = np.array(json.dumps(config))
    np.savez(path, **arrays)


def _pickled_config_file(model, path):
    """A model file whose config is a pickled 0-d object array holding valid JSON."""
    _save_model(model, path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["config"] = np.array(str(arrays["config"]), dtype=object)
    np.savez(path, **arrays)


@piece(lambda: _load_model)
def check_load_model(load_model):
    """load_model(path): the model rebuilt from the JSON config, layers in order, each with its saved parameters."""
    rng = np.random.default_rng(111)
    for model in _models(rng):
        X = rng.standard_normal((5, model.trainable_layers[0].weights.shape[0])).astype(np.float32)
        with _temporary_folder() as folder:
            path = _save_model(model, folder / "model.npz")
            loaded = call(load_model, path, returns="a finalized nncore.Model with the saved layers and parameters")
            crafted = folder / "crafted.npz"
            _pickled_config_file(model, crafted)
            try:
                opened = load_model(crafted)
            except Exception:  # refused: what a safe loader does
                opened = None
            expect(opened is None,
                   "load_model opened a file whose config is a pickled object: read the archive with "
                   "np.load(path, allow_pickle=False), which refuses pickled data instead of running it")
            foreign = folder / "foreign.npz"
            _foreign_class_file(model, foreign)
            try:
                built = load_model(foreign)
            except Exception:  # refused: the name is not in the table
                built = None
            expect(built is None,
                   "load_model built a model from a file whose last layer is named 'Sigmoid', a class that is not "
                   "in the table {'Dense': Dense, 'ReLU': ReLU, 'Softmax': Softmax}: look every name up in that "
                   "fixed table only (getattr(nncore, name) or globals()[name] would let the file choose what code "
                   "runs), and let an unknown name raise")
        expect(callable(getattr(loaded, "predict", None)) and getattr(loaded, "trainable_layers", None) is not None,
               f"load_model should return a finalized nncore.Model, got {plain(loaded)}")
        names = [type(layer).__name__ for layer in loaded.layers]
        wanted = [type(layer).__name__ for layer in model.layers]
        expect(names == wanted, f"the loaded model's layers are {names}, the file describes {wanted}: build one "
                                "layer per entry of config['layers'], in order")
        for index, (mine, theirs) in enumerate(zip(loaded.trainable_layers, model.trainable_layers)):
            others = [j for j, other in enumerate(model.trainable_layers)
                      if other.weights.shape == mine.weights.shape and np.array_equal(other.weights, mine.weights)]
            expect(np.array_equal(mine.weights, theirs.weights),
                   f"trainable layer {index} holds the weights saved as layer{others[0]}_weights: read layer0, layer1, "
                   "... by number (sorted names put layer10 before layer2)" if others and others[0] != index else
                   f"trainable layer {index}'s weights are not the ones saved as layer{index}_weights")
            expect(not np.all(mine.biases == 0), f"trainable layer {index}'s biases are 0: load layer{index}_biases "
                                                 "too, the biases are half of what a layer learned")
            expect(np.array_equal(mine.biases, theirs.biases),
                   f"trainable layer {index}'s biases are not the ones saved as layer{index}_biases")
        expect(np.array_equal(loaded.predict(X), model.predict(X)), "the loaded model predicts differently")
    correct("load_model rebuilds 3 models from their files, layers and parameters in order, and refuses a pickled "
            "config and a class outside its table")


def _images(rng):
    """Asymmetric drawings: dark strokes on white paper, 32 x 32 and 16 x 24 (height x width), uint8."""
    images = []
    for height, width in ((32, 32), (32, 32), (16, 24)):
        image = np.full((height, width), 255, dtype=np.uint8)
        image[2:height // 3, 1:width - 3] = rng.integers(0, 80)  # a bar across the top
        image[height // 3:, width // 2:width // 2 + 4] = rng.integers(0, 120)  # a stroke down the right half
        image[rng.integers(0, height, 20), rng.integers(0, width, 20)] = rng.integers(0, 256, 20)  # specks
        images.append(image)
    return images


@piece(lambda: _preprocess_digit)
def check_preprocess_digit(preprocess_digit):
    """preprocess_digit(image): BOX-resize to 8 x 8, invert, map to 0-16, scale to [-1, 1]: float32 (1, 64)."""
    rng = np.random.default_rng(112)
    for image in _images(rng):
        given = image.copy()
        got = call(preprocess_digit, image, returns="a float32 array of shape (1, 64) in [-1, 1]")
        got = np.asarray(got)
        expect(np.array_equal(image, given), "preprocess_digit changed the image it was given")
        expect_shape(f"preprocess_digit of a {image.shape[0]} x {image.shape[1]} drawing", got, (1, 64))
        expect(got.dtype == np.float32, f"expected float32, the network's dtype, got {got.dtype}")
        expected = _exact_preprocess(image)
        if np.allclose(got, expected, atol=0.01):  # Pillow's BOX on uint8 rounds to whole grey levels
            continue
        picture = got.reshape(8, 8)
        if np.allclose(picture.T, expected.reshape(8, 8), atol=0.01):
            raise AssertionError("the 8 x 8 image is transposed: row r of the drawing must stay row r (an image "
                                 "array is (height, width); Pillow's size is (width, height))")
        expect(not np.allclose(got, -expected, atol=0.01),
               "ink and paper are swapped: the digits are light ink on a dark background, so invert with 255 - x")
        expect(got.min() >= -1 - 1e-6 and got.max() <= 1 + 1e-6,
               f"values from {got.min():.4g} to {got.max():.4g}: map 0-255 to 0-16, then scale with (x - 8) / 8 into "
               "[-1, 1]")
        for name, resample in (("nearest neighbour", Image.Resampling.NEAREST), ("bilinear", Image.Resampling.BILINEAR),
                               ("bicubic (Pillow's default)", Image.Resampling.BICUBIC)):
            small = np.array(Image.fromarray(image).resize((8, 8), resample), dtype=np.float32)
            expect(not np.allclose(got, scale_pixels((255 - small) * 16 / 255, 16).reshape(1, 64), atol=0.01),
                   f"the image was resized with the {name} filter: each of the 8 x 8 pixels should be the mean of "
                   "its block of the drawing (Image.Resampling.BOX), as the digits' pixels are")
        step_y, step_x = image.shape[0] // 8, image.shape[1] // 8
        picked = image[::step_y, ::step_x][:8, :8].astype(np.float32)
        expect(not np.allclose(got, scale_pixels((255 - picked) * 16 / 255, 16).reshape(1, 64), atol=0.01),
               "every pixel of the 8 x 8 image is one pixel of the drawing (slicing [::4, ::4]): average each block "
               "instead (Image.Resampling.BOX)")
        worst = int(np.argmax(np.abs(got - expected)))
        raise AssertionError(f"on a {image.shape[0]} x {image.shape[1]} drawing, pixel {worst} (row {worst // 8}, "
                             f"column {worst % 8}) should be {expected.flat[worst]:.4f}, got {got.flat[worst]:.4f}")
    blank = call(preprocess_digit, np.full((32, 32), 255, dtype=np.uint8), returns="(1, 64) float32")
    expect(np.allclose(blank, -1), "blank white paper should become -1 everywhere (no ink)")
    correct("preprocess_digit averages blocks, keeps rows as rows, inverts and scales, on 3 asymmetric drawings")


@piece(lambda: _name_predictions)
def check_name_predictions(name_predictions):
    """name_predictions(confidences, labels): (name of each row's most confident class, its confidence)."""
    rng = np.random.default_rng(113)
    for case in range(3):
        n, k = int(rng.integers(2, 7)), int(rng.integers(3, 8))
        while n == k:
            n = int(rng.integers(2, 7))
        scores = rng.random((n, k)) ** 4
        confidences = scores / scores.sum(axis=1, keepdims=True)
        labels = {index: f"class-{chr(97 + index)}" for index in range(k)}
        got = call(name_predictions, confidences, labels,
                   returns=f"a list of {n} pairs (label name, confidence)")
        expected = _name_predictions(confidences, labels)
        count = len(got) if isinstance(got, (list, tuple)) else None
        expect(count == n, f"expected a list of one (name, confidence) pair per row, {n}; got "
                           + (f"{count}" if count is not None else plain(got))
                           + (" (the argmax ran down the columns, axis=0: take it per row, axis=1)" if count == k else ""))
        for row, (pair, (name, confidence)) in enumerate(zip(got, expected)):
            expect(isinstance(pair, (tuple, list)) and len(pair) == 2,
                   f"row {row}: expected a pair (name, confidence), got {plain(pair)}")
            expect(pair[0] != int(np.argmax(confidences[row])) or isinstance(pair[0], str),
                   f"row {row}: {plain(pair[0])} is the class index; look its name up in labels")
            expect(pair[0] == name, f"row {row}: the most confident class is {name} "
                                    f"({confidence:.3f}), got {plain(pair[0])}"
                   + (" (that is the least confident class: argmax, not argmin)"
                      if pair[0] == labels[int(np.argmin(confidences[row]))] else ""))
            expect(np.isclose(float(pair[1]), confidence),
                   f"row {row}: the confidence of {name} is {confidence:.4f}, got {plain(pair[1])}")
    correct("name_predictions names each row's most confident class and gives its confidence, on 3 batches")


def _box_reference(image, size):
    return np.array(Image.fromarray(image.astype(np.float32)).resize((size, size), Image.Resampling.BOX))


def check_box_resize(box_resize):
    """box_resize(image, size): each of size x size pixels is the mean of its block; compared with Pillow's BOX."""
    rng = np.random.default_rng(114)
    cases = [((32, 32), 8), ((24, 16), 8), ((12, 12), 4), ((30, 20), 5)]
    for (height, width), size in cases:
        image = rng.integers(0, 256, (height, width)).astype(np.uint8)
        image[:height // 4] = 255  # asymmetric: a light band at the top
        got = np.asarray(call(box_resize, image, size, returns=f"a ({size}, {size}) array of block means"))
        expect_shape(f"box_resize of a {height} x {width} image to {size}", got, (size, size))
        expected = _box_reference(image, size)
        if np.allclose(got, expected, atol=1e-3):
            continue
        block_y, block_x = height // size, width // size
        expect(not np.allclose(got, image[::block_y, ::block_x].astype(float), atol=1e-3),
               "every pixel is the first pixel of its block (nearest): take the mean of the whole block")
        expect(not np.allclose(got, expected * block_y * block_x, rtol=1e-4),
               f"every pixel is the sum of its block: divide by its {block_y * block_x} pixels for the mean")
        expect(not np.allclose(got.T, expected, atol=1e-3), "the result is transposed: row r of the image must stay "
                                                            "in row r // block height")
        wrong_blocks = image.astype(float).reshape(size, block_x, size, block_y).mean(axis=(1, 3)) \
            if block_x * size == width and block_y * size == height and block_x != block_y else None
        expect(wrong_blocks is None or not np.allclose(got, wrong_blocks, atol=1e-3),
               "the blocks are cut with the width's step along the rows: reshape (height, width) into "
               "(size, height // size, size, width // size)")
        raise AssertionError(f"box_resize of a {height} x {width} image to {size} x {size}: expected "
                             f"{np.round(expected[0], 2).tolist()} in the first row, got {np.round(got[0], 2).tolist()}")
    correct("box_resize averages each block as Pillow's BOX does, on 4 images, square and not")


def check_abstain(abstain):
    """abstain(confidences, threshold): each row's class index, or -1 where its highest confidence is below it."""
    rng = np.random.default_rng(115)
    for case in range(3):
        n, k = int(rng.integers(6, 20)), int(rng.integers(3, 8))
        scores = rng.random((n, k)) ** 3
        confidences = scores / scores.sum(axis=1, keepdims=True)
        threshold = float(np.round(np.median(confidences.max(axis=1)), 3))
        confidences[0] = (1 - threshold) / (k - 1)
        confidences[0, 1] = threshold  # the highest confidence exactly at the threshold: kept
        got = np.asarray(call(abstain, confidences, threshold, returns=f"{n} class indices, -1 for abstentions"))
        best = np.argmax(confidences, axis=1)
        expected = np.where(confidences.max(axis=1) >= threshold, best, -1)
        expect(got.shape == (n,), f"expected one answer per row, shape ({n},), got {got.shape}")
        if np.array_equal(got, expected):
            expect(np.issubdtype(got.dtype, np.integer),
                   f"the answers are right but of dtype {got.dtype}: return integers, class indices and -1 (a -1.0 "
                   "in np.where makes the whole array float)")
            continue
        expect(not np.array_equal(got, np.where(confidences.max(axis=1) > threshold, best, -1)),
               f"a row whose highest confidence is exactly the threshold ({threshold}) is kept: >=, not >")
        expect(not np.array_equal(got, np.where(confidences.max(axis=1) < threshold, best, -1)),
               "the test is the wrong way round: abstain (-1) where the highest confidence is BELOW the threshold")
        expect(not np.array_equal(got, best), "nothing was abstained from: answer -1 where the highest confidence "
                                              "is below the threshold")
        row = int(np.flatnonzero(got != expected)[0])
        raise AssertionError(f"row {row} (highest confidence {confidences[row].max():.3f}, threshold {threshold}): "
                             f"expected {plain(expected[row])}, got {plain(got[row])}")
    correct("abstain keeps each row's class when its highest confidence reaches the threshold, else -1, on 3 batches")


def check_safe_to_load(safe_to_load):
    """safe_to_load(path): True only for an .npz whose every array loads with allow_pickle=False."""
    with _temporary_folder() as folder:
        plain_file = folder / "plain.npz"
        np.savez(plain_file, weights=np.ones((2, 3)), config=np.array('{"layers": []}'))
        first = call(safe_to_load, plain_file, returns="True or False")
        late = folder / "late.npz"
        np.savez(late, weights=np.ones((2, 3)), zz_objects=np.array([{"run": "code"}], dtype=object))
        whole = folder / "whole.npz"
        np.savez(whole, config=np.array({"run": "code"}, dtype=object))
        pickled = folder / "model.npz"
        with open(pickled, "wb") as file:
            pickle.dump({"weights": [1, 2]}, file)
        single = folder / "single.npy"
        np.save(single, np.ones(3))
        text = folder / "notes.npz"
        text.write_text("not an archive")
        cases = [(plain_file, True, "plain arrays"), (pickled, False, "a pickle named .npz"),
                 (text, False, "text named .npz"), (single, False, "one .npy array, not an archive"),
                 (whole, False, "an object array"), (late, False, "a plain array, then an object array")]
        for path, expected, what in cases:
            got = first if path == plain_file else call(safe_to_load, path, returns="True or False")
            expect(isinstance(got, (bool, np.bool_)), f"safe_to_load should return True or False, got {plain(got)}")
            if bool(got) == expected:
                continue
            if path in (whole, late):
                raise AssertionError(f"an archive holding {what} was called safe: read every array, with "
                                     "allow_pickle=False (which raises ValueError on a pickled one); np.load opens "
                                     "an .npz lazily and reads an array only when you index it")
            raise AssertionError(f"{what}: expected {expected}, got {bool(got)}"
                                 + (" (any failure to open the file means: not safe)" if not expected else ""))
    correct("safe_to_load accepts plain archives and refuses pickles, object arrays and other files, on 6 files")
