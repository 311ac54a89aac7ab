"""Saving and loading models as NumPy archives plus JSON: never pickle, so loading a file never runs code.

A parameter file holds ``layer{n}_{name}`` for every parameter ``name`` that
trainable layer ``n`` lists in ``params`` (``layer0_weights``, ``layer0_biases``).
A model file also holds ``config``, a JSON string with ``format``, ``version``,
the layers (class and constructor arguments), the loss, the accuracy and the
optimizer, and optionally the optimizer's state: one array ``optimizer_state{k}``
per entry ``[layer index, parameter name, slot]`` of the config's list. Only
classes in ``nncore.registry`` can be rebuilt; nothing is imported from a file.
Writes go to a temporary file that is renamed into place, so a crash never
leaves a half-written model.
"""
import inspect
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from . import layers, registry

FORMAT = "nncore-model"
VERSION = 2
"""Version 2 lists the optimizer's state in the config; version 1 named it after Dense's parameters."""


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
    return {f"layer{index}_{name}": value
            for index, layer in enumerate(model.trainable_layers)
            for name, value in zip(layer.params, layers.get_parameters(layer))}


def save_parameters(model, path):
    """Write the parameters of every trainable layer; returns the path written."""
    return _write_atomically(path, _parameter_arrays(model))


def _parameters_from(model, arrays, name):
    """The parameter tuples of ``model``'s trainable layers, read from ``arrays`` by their names."""
    stored = {int(match.group(1)) for match in map(re.compile(r"layer(\d+)_\w+").fullmatch, arrays) if match}
    if len(stored) != len(model.trainable_layers):
        raise ValueError(f"expected parameters for {len(model.trainable_layers)} trainable layers, "
                         f"{name} holds {len(stored)}")
    try:
        return [tuple(arrays[f"layer{index}_{param}"] for param in layer.params)
                for index, layer in enumerate(model.trainable_layers)]
    except KeyError as missing:
        raise ValueError(f"{name} lacks the array {missing}; it was not written by nncore") from None


def load_parameters(model, path):
    """Read every trainable layer's parameters into ``model``, checking the count and every shape."""
    model.set_parameters(_parameters_from(model, _read(path), Path(path).name))


def _describe(obj):
    return {"class": type(obj).__name__, "config": obj.config()}


def _optimizer_state(model, arrays):
    """Add the optimizer's state to ``arrays`` as ``optimizer_state{k}``; return its ``[layer, name, slot]`` list."""
    entries = []
    for index, layer in enumerate(model.trainable_layers):
        for param, slots in model.optimizer.get_state(layer).items():
            for slot, array in slots.items():
                arrays[f"optimizer_state{len(entries)}"] = array
                entries.append([index, param, slot])
    return entries


def save_model(model, path, *, include_optimizer=True):
    """Write the model's architecture, settings and parameters to one archive; returns the path written."""
    if not model.finalized:
        raise ValueError("call finalize() before save()")
    for layer in model.layers:
        if registry.CLASSES["layer"].get(type(layer).__name__) is not type(layer):
            raise ValueError(f"cannot save layer {layer!r}: its class is not registered; "
                             f"call nncore.register({type(layer).__name__}) first")
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
                               "current_learning_rate": float(model.optimizer.current_learning_rate),
                               "state": _optimizer_state(model, arrays)}
    arrays["config"] = np.array(json.dumps(config))
    return _write_atomically(path, arrays)


def _build(kind, description):
    cls = registry.lookup(kind, description.get("class"))
    arguments = dict(description.get("config", {}))
    if "rng" in inspect.signature(cls).parameters:
        arguments["rng"] = np.random.default_rng(0)  # the parameters are replaced; leave the global stream alone
    return cls(**arguments)


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
    if config["version"] < VERSION and "optimizer" in config:
        raise ValueError(f"{name} has format version {config['version']}, whose optimizer state this nncore "
                         "cannot restore: load it with an nncore of that version and save it again, or read "
                         "its parameters alone with load_parameters")
    try:
        return _rebuild(model_class, config, arrays, name)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{name} has a malformed config ({type(error).__name__}: {error})") from None


def _rebuild(model_class, config, arrays, name):
    model = model_class()
    for description in config["layers"]:
        model.add(_build("layer", description))
    loss = _build("loss", config["loss"]) if "loss" in config else None
    accuracy = _build("accuracy", config["accuracy"]) if "accuracy" in config else None
    if accuracy is not None and config["accuracy"].get("precision") is not None:
        accuracy.precision = config["accuracy"]["precision"]
    optimizer = None
    if "optimizer" in config:
        optimizer = _build("optimizer", config["optimizer"])
        optimizer.iterations = int(config["optimizer"]["iterations"])
        optimizer.current_learning_rate = float(config["optimizer"]["current_learning_rate"])
    model.set(loss=loss, optimizer=optimizer, accuracy=accuracy)
    model.finalize()
    model.set_parameters(_parameters_from(model, arrays, name))
    if optimizer is not None:
        _restore_optimizer_state(model, config["optimizer"].get("state", []), arrays, name)
    return model


def _restore_optimizer_state(model, entries, arrays, name):
    """Hand each layer the state that the config's ``[layer index, parameter name, slot]`` entries describe."""
    per_layer = {}
    for k, (index, param, slot) in enumerate(entries):
        if not isinstance(index, int) or not 0 <= index < len(model.trainable_layers):
            raise ValueError(f"{name} lists optimizer state for trainable layer {index!r}; the model has "
                             f"{len(model.trainable_layers)}")
        if f"optimizer_state{k}" not in arrays:
            raise ValueError(f"{name} lacks the array 'optimizer_state{k}'; it was not written by nncore")
        per_layer.setdefault(index, {}).setdefault(param, {})[slot] = arrays[f"optimizer_state{k}"]
    for index, state in per_layer.items():
        model.optimizer.set_state(model.trainable_layers[index], state)
