"""Saving and loading models as NumPy archives plus JSON: never pickle, so loading a file never runs code.

A parameter file holds ``layer{n}_weights`` and ``layer{n}_biases``. A model
file also holds ``config``, a JSON string with ``format``, ``version``, the
layers (class and constructor arguments), the loss, the accuracy and the
optimizer, and optionally the optimizer's per-layer state. Only classes named
in the registries below can be rebuilt; nothing is imported from a file.
Writes go to a temporary file that is renamed into place, so a crash never
leaves a half-written model.
"""
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from . import activations, layers, losses, metrics, optimizers

FORMAT = "nncore-model"
VERSION = 1
LAYERS = {cls.__name__: cls for cls in (layers.Dense, layers.Dropout, activations.ReLU, activations.Softmax,
                                        activations.Sigmoid, activations.Tanh, activations.Linear,
                                        activations.LeakyReLU, activations.Swish)}
LOSSES = {cls.__name__: cls for cls in (losses.CategoricalCrossentropy, losses.BinaryCrossentropy,
                                        losses.MeanSquaredError, losses.MeanAbsoluteError)}
ACCURACIES = {cls.__name__: cls for cls in (metrics.CategoricalAccuracy, metrics.RegressionAccuracy)}
OPTIMIZERS = {cls.__name__: cls for cls in (optimizers.SGD, optimizers.Adagrad, optimizers.RMSprop, optimizers.Adam)}
OPTIMIZER_STATE = ("weight_momentums", "bias_momentums", "weight_cache", "bias_cache")


def _npz_path(path):
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def _write_atomically(path, arrays):
    """``np.savez`` to a temporary file beside ``path``, then rename it over ``path``."""
    path = _npz_path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


def _read(path):
    """All arrays of an archive, refusing pickled objects and reporting damaged files clearly."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such model file: {path.name}")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path.name} is not a NumPy .npz archive (corrupt, truncated or another format)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except ValueError as error:
        raise ValueError(f"{path.name} holds pickled objects, which nncore never loads ({error})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise ValueError(f"{path.name} is not a readable NumPy archive (corrupt or truncated?): {error}") from None


def _parameter_arrays(model):
    arrays = {}
    for index, (weights, biases) in enumerate(model.get_parameters()):
        arrays[f"layer{index}_weights"] = weights
        arrays[f"layer{index}_biases"] = biases
    return arrays


def save_parameters(model, path):
    """Write every trainable layer's ``(W, b)``; returns the path written."""
    return _write_atomically(path, _parameter_arrays(model))


def _parameters_from(arrays, name):
    count = len([key for key in arrays if re.fullmatch(r"layer\d+_weights", key)])
    try:
        return [(arrays[f"layer{i}_weights"], arrays[f"layer{i}_biases"]) for i in range(count)]
    except KeyError as missing:
        raise ValueError(f"{name} lacks the array {missing}; it was not written by nncore") from None


def load_parameters(model, path):
    """Read ``(W, b)`` per trainable layer into ``model``, checking the count and every shape."""
    model.set_parameters(_parameters_from(_read(path), Path(path).name))


def _describe(obj):
    return {"class": type(obj).__name__, "config": obj.config()}


def save_model(model, path, *, include_optimizer=True):
    """Write the model's architecture, settings and parameters to one archive; returns the path written."""
    if not model.finalized:
        raise ValueError("call finalize() before save()")
    for layer in model.layers:
        if type(layer).__name__ not in LAYERS:
            raise ValueError(f"cannot save layer {layer!r}: only {', '.join(LAYERS)} are supported")
    config = {"format": FORMAT, "version": VERSION, "layers": [_describe(layer) for layer in model.layers]}
    if model.loss is not None:
        config["loss"] = _describe(model.loss)
    if model.accuracy is not None:
        config["accuracy"] = {**_describe(model.accuracy), "precision": getattr(model.accuracy, "precision", None)}
        if config["accuracy"]["precision"] is not None:
            config["accuracy"]["precision"] = float(config["accuracy"]["precision"])
    arrays = _parameter_arrays(model)
    if include_optimizer and model.optimizer is not None:
        config["optimizer"] = {**_describe(model.optimizer), "iterations": model.optimizer.iterations,
                               "current_learning_rate": float(model.optimizer.current_learning_rate)}
        for index, layer in enumerate(model.trainable_layers):
            for name in OPTIMIZER_STATE:
                if hasattr(layer, name):
                    arrays[f"layer{index}_{name}"] = getattr(layer, name)
    arrays["config"] = np.array(json.dumps(config))
    return _write_atomically(path, arrays)


def _build(registry, description, what):
    name = description.get("class")
    if name not in registry:
        raise ValueError(f"unknown {what} class {name!r} in the model file; expected one of: {', '.join(registry)}")
    arguments = dict(description.get("config", {}))
    if registry[name] is layers.Dense:
        arguments["rng"] = np.random.default_rng(0)  # the weights are replaced; leave the global stream alone
    return registry[name](**arguments)


def load_model(model_class, path):
    """Rebuild, finalize and fill a ``model_class`` from a file written by ``save_model``."""
    arrays = _read(path)
    name = Path(path).name
    try:
        config = json.loads(str(arrays["config"]))
    except (KeyError, json.JSONDecodeError):
        raise ValueError(f"{name} is not an nncore model file (no readable config); "
                         "parameter files are loaded with load_parameters") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ValueError(f"{name} is not an nncore model file (format {config.get('format')!r})")
    if not isinstance(config.get("version"), int) or config["version"] > VERSION:
        raise ValueError(f"{name} has format version {config.get('version')!r}; this nncore reads up to "
                         f"version {VERSION}: upgrade nncore")
    try:
        return _rebuild(model_class, config, arrays, name)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{name} has a malformed config ({type(error).__name__}: {error})") from None


def _rebuild(model_class, config, arrays, name):
    model = model_class()
    for description in config["layers"]:
        model.add(_build(LAYERS, description, "layer"))
    loss = _build(LOSSES, config["loss"], "loss") if "loss" in config else None
    accuracy = _build(ACCURACIES, config["accuracy"], "accuracy") if "accuracy" in config else None
    if accuracy is not None and config["accuracy"].get("precision") is not None:
        accuracy.precision = config["accuracy"]["precision"]
    optimizer = None
    if "optimizer" in config:
        optimizer = _build(OPTIMIZERS, config["optimizer"], "optimizer")
        optimizer.iterations = int(config["optimizer"]["iterations"])
        optimizer.current_learning_rate = float(config["optimizer"]["current_learning_rate"])
    model.set(loss=loss, optimizer=optimizer, accuracy=accuracy)
    model.finalize()
    model.set_parameters(_parameters_from(arrays, name))
    for index, layer in enumerate(model.trainable_layers):
        for state in OPTIMIZER_STATE:
            if f"layer{index}_{state}" in arrays:
                setattr(layer, state, arrays[f"layer{index}_{state}"])
    return model
