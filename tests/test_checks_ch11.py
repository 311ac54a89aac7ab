"""11_save_and_predict's checks refuse the usual wrong answers, each with a message that names the mistake."""
import json
import pickle

import numpy as np
import pytest
from PIL import Image

import nncore
from nncore import Dense, ReLU, Softmax
from nncore.datasets import scale_pixels
from wrong_answers import cases, refusal

CLASSES = {"Dense": Dense, "ReLU": ReLU, "Softmax": Softmax}


def description(model):
    return json.dumps({"layers": [{"class": type(layer).__name__, "config": layer.config()} for layer in model.layers]})


def saver(arrays_of, config_of=lambda model: np.array(description(model))):
    """A save_model writing ``arrays_of(model)`` and the config ``config_of(model)`` with np.savez."""
    def save_model(model, path):
        np.savez(path, config=config_of(model), **arrays_of(model))
        return path
    return save_model


def numbered(model, order=None, parts=("weights", "biases")):
    layers = model.trainable_layers
    order = order or range(len(layers))
    return {f"layer{index}_{part}": getattr(layers[source], part)
            for index, source in enumerate(order) for part in parts}


def pickled(model, path):
    with open(path, "wb") as file:
        pickle.dump(model, file)
    return path


def loader(parameters_of, allow_pickle=False):
    """A load_model that rebuilds the layers from the config and sets ``parameters_of(archive, count)``."""
    def load_model(path):
        with np.load(path, allow_pickle=allow_pickle) as archive:
            config = json.loads(str(archive["config"].item() if archive["config"].dtype == object else archive["config"]))
            model = nncore.Model(*[CLASSES[entry["class"]](**entry["config"]) for entry in config["layers"]])
            model.set_parameters(parameters_of(archive, len(model.trainable_layers)))
        return model
    return load_model


def in_order(archive, count):
    return [(archive[f"layer{i}_weights"], archive[f"layer{i}_biases"]) for i in range(count)]


def sorted_names(archive, count):
    weights = sorted(name for name in archive.files if name.endswith("_weights"))
    return [(archive[name], archive[name.replace("_weights", "_biases")]) for name in weights]


def without_biases(archive, count):
    return [(archive[f"layer{i}_weights"], np.zeros_like(archive[f"layer{i}_biases"])) for i in range(count)]


def digits_architecture(path):
    model = nncore.Model(Dense(64, 128), ReLU(), Dense(128, 10), Softmax())
    with np.load(path) as archive:
        model.set_parameters(in_order(archive, 2))
    return model


def preprocess_with(resample=Image.Resampling.BOX, transpose=False, invert=True, rescale=True):
    def preprocess_digit(image):
        picture = image.T if transpose else image
        small = np.array(Image.fromarray(picture).resize((8, 8), resample), dtype=np.float32)
        if invert:
            small = 255 - small
        return (scale_pixels(small * 16 / 255, 16) if rescale else small).reshape(1, 64).astype(np.float32)
    return preprocess_digit


def sliced(image):
    small = image[::image.shape[0] // 8, ::image.shape[1] // 8][:8, :8].astype(np.float32)
    return scale_pixels((255 - small) * 16 / 255, 16).reshape(1, 64)


def naming(pick):
    def name_predictions(confidences, labels):
        return [(labels[int(k)], float(row[k])) for k, row in zip(pick(confidences), confidences)]
    return name_predictions


def box_by(function):
    return lambda image, size: function(image.astype(float), size)


def safe_by(function):
    return function


def no_indexing(path):
    try:
        with np.load(path, allow_pickle=False) as archive:
            archive.files
    except Exception:
        return False
    return True


def with_pickles(path):
    try:
        with np.load(path, allow_pickle=True) as archive:
            for name in archive.files:
                archive[name]
    except Exception:
        return False
    return True


def save_returning_nothing(model, path):
    arrays = {}
    for index, layer in enumerate(model.trainable_layers):
        arrays[f"layer{index}_weights"], arrays[f"layer{index}_biases"] = layer.weights, layer.biases
    layers = [{"class": type(layer).__name__, "config": layer.config()} for layer in model.layers]
    np.savez(path, config=np.array(json.dumps({"layers": layers})), **arrays)


def load_by_any_name(path):
    """Classes looked up by the name the file gives: the file chooses what code runs."""
    with np.load(path, allow_pickle=False) as archive:
        description = json.loads(str(archive["config"]))
        model = nncore.Model(*[getattr(nncore, entry["class"])(**entry["config"]) for entry in description["layers"]])
        model.set_parameters([(archive[f"layer{index}_weights"], archive[f"layer{index}_biases"])
                              for index in range(len(model.trainable_layers))])
    return model


WRONG_ANSWERS = {
    "check_save_model": [
        ("nothing returned", lambda: (save_returning_nothing,), "should return the path it wrote"),
        ("pickled", lambda: (pickled,), "pickle"),
        ("the biases lost", lambda: (saver(lambda model: numbered(model, parts=("weights",))),), "biases are lost"),
        ("the layers numbered backwards", lambda: (saver(lambda model: numbered(model, order=list(
            reversed(range(len(model.trainable_layers)))))),), "number the layers in the order"),
        ("the config as a pickled dict", lambda: (saver(numbered, lambda model: np.array(
            json.loads(description(model)), dtype=object)),), "pickled object"),
        ("only the dense layers in the config", lambda: (saver(numbered, lambda model: np.array(json.dumps(
            {"layers": [{"class": "Dense", "config": layer.config()} for layer in model.trainable_layers]}))),),
         "the activations too"),
        ("no config", lambda: (lambda model, path: (np.savez(path, **numbered(model)), path)[1],), "no 'config'"),
    ],
    "check_load_model": [
        ("classes by the file's name, getattr(nncore, name)", lambda: (load_by_any_name,), "named 'Sigmoid'"),
        ("names sorted as text: layer10 before layer2", lambda: (loader(sorted_names),), "layer10 before layer2"),
        ("the biases left at 0", lambda: (loader(without_biases),), "biases are 0"),
        ("allow_pickle=True", lambda: (loader(in_order, allow_pickle=True),), "allow_pickle=False"),
        ("always the digits architecture", lambda: (digits_architecture,), "the check called"),
    ],
    "check_preprocess_digit": [
        ("transposed", lambda: (preprocess_with(transpose=True),), "transposed"),
        ("nearest neighbour", lambda: (preprocess_with(Image.Resampling.NEAREST),), "nearest neighbour"),
        ("Pillow's default filter", lambda: (preprocess_with(Image.Resampling.BICUBIC),), "bicubic"),
        ("every fourth pixel", lambda: (sliced,), "[::4, ::4]"),
        ("not inverted", lambda: (preprocess_with(invert=False),), "invert with 255 - x"),
        ("not rescaled", lambda: (preprocess_with(rescale=False),), "(x - 8) / 8"),
        ("a constant", lambda: (lambda image: np.full((1, 64), -1, dtype=np.float32),), "should be"),
        ("float64", lambda: (lambda image: preprocess_with()(image).astype(np.float64),), "float32"),
    ],
    "check_name_predictions": [
        ("argmin", lambda: (naming(lambda c: np.argmin(c, axis=1)),), "argmax, not argmin"),
        ("a constant", lambda: (lambda c, labels: [(labels[0], 1.0)] * len(c),), "the most confident class is"),
        ("indices, not names", lambda: (lambda c, labels: [(int(k), float(c[i, k])) for i, k in
                                                           enumerate(np.argmax(c, axis=1))],), "class index"),
        ("the confidence of class 0", lambda: (lambda c, labels: [(labels[int(k)], float(row[0])) for k, row in
                                                                  zip(np.argmax(c, axis=1), c)],), "the confidence"),
    ],
    "check_box_resize": [
        ("nearest", lambda: (lambda image, size: image[::image.shape[0] // size, ::image.shape[1] // size].astype(float),),
         "nearest"),
        ("sums", lambda: (lambda image, size: image.astype(float).reshape(
            size, image.shape[0] // size, size, image.shape[1] // size).sum(axis=(1, 3)),), "sum of its block"),
        ("transposed", lambda: (lambda image, size: image.astype(float).reshape(
            size, image.shape[0] // size, size, image.shape[1] // size).mean(axis=(1, 3)).T,), "transposed"),
        ("blocks cut with the wrong steps", lambda: (lambda image, size: image.astype(float).reshape(
            size, image.shape[1] // size, size, image.shape[0] // size).mean(axis=(1, 3)),), "reshape (height, width)"),
    ],
    "check_abstain": [
        ("floats, from a -1.0", lambda: (lambda c, t: np.where(c.max(axis=1) >= t, c.argmax(axis=1), -1.0),),
         "return integers"),
        ("> instead of >=", lambda: (lambda c, t: np.where(c.max(axis=1) > t, np.argmax(c, axis=1), -1),), ">=, not >"),
        ("the wrong way round", lambda: (lambda c, t: np.where(c.max(axis=1) < t, np.argmax(c, axis=1), -1),),
         "wrong way round"),
        ("never abstains", lambda: (lambda c, t: np.argmax(c, axis=1),), "nothing was abstained from"),
        ("a constant", lambda: (lambda c, t: np.full(len(c), -1),), "expected"),
    ],
    "check_safe_to_load": [
        ("always True", lambda: (lambda path: True,), "expected False"),
        ("opened but not read", lambda: (no_indexing,), "lazily"),
        ("allow_pickle=True", lambda: (with_pickles,), "allow_pickle=False"),
        ("by the name", lambda: (lambda path: str(path).endswith(".npz"),), "expected False"),
    ],
}


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch11", check_name, answer())


def test_the_references_pass_their_own_checks(capsys):
    from checks import ch11

    ch11.check_save_model.strict(ch11._save_model)
    ch11.check_load_model.strict(ch11._load_model)
    ch11.check_preprocess_digit.strict(ch11._preprocess_digit)
    ch11.check_name_predictions.strict(ch11._name_predictions)
    assert capsys.readouterr().out.count("Correct:") == 4


def test_a_numpy_box_resize_passes_the_preprocessing_check(capsys):
    from checks import ch11

    def by_blocks(image):
        height, width = image.shape
        small = image.astype(np.float32).reshape(8, height // 8, 8, width // 8).mean(axis=(1, 3))
        return scale_pixels((255 - small) * 16 / 255, 16).reshape(1, 64)

    ch11.check_preprocess_digit.strict(by_blocks)
    assert "Correct:" in capsys.readouterr().out
