"""Saving and loading models as NumPy archives plus JSON: never pickle, so loading a file never runs code.

A parameter file holds ``layer{n}_{name}`` for every parameter ``name`` that
trainable layer ``n`` lists in ``params`` (``layer0_weights``, ``layer0_biases``),
and beside them each array it lists in ``buffers``: state that is not trained
but is needed to predict, such as BatchNorm's ``layer1_running_mean``.
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
import math
import os
import secrets
import stat
import zipfile
from pathlib import Path

import numpy as np

from . import layers, registry, schedules

FORMAT = "nncore-model"
VERSION = 2
"""Version 2 lists the optimizer's state in the config; version 1 named it after Dense's parameters."""
MAX_PARAMETERS = 20_000_000
"""The most parameter values a loaded model may describe (160 MB in float64); the course's largest has 120,000."""
MAX_CONFIG_BYTES = 1_000_000


def _npz_path(path):
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def _existing_path(path):
    """``path`` as given if it exists, else with ``.npz`` added (``save("m")`` writes ``m.npz``)."""
    path = Path(path)
    return path if path.exists() or path.suffix == ".npz" else _npz_path(path)


def _remove_abandoned_temporaries(path):
    """Delete the temporary files that saves to ``path`` killed before their end left behind."""
    for temporary in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            pid = int(temporary.name.removeprefix(f".{path.name}.").split(".")[0])
            os.kill(pid, 0)  # raises ProcessLookupError if that save's process is gone
        except ProcessLookupError:
            temporary.unlink(missing_ok=True)
        except (ValueError, PermissionError, OSError):
            continue


def _write_atomically(path, arrays):
    """``np.savez`` to a temporary file beside ``path``, then rename it over ``path``.

    The file gets the permissions a new file gets (or those of the file it
    replaces); a temporary left by a save that was killed is removed by the next save.
    """
    path = _npz_path(path)
    _remove_abandoned_temporaries(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as to open()
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        if path.exists():
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def _open_regular_file(path):
    """Open ``path`` for reading if it is a regular file; a FIFO or a device is refused without blocking."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise FileNotFoundError(f"no such model file: {path.name}") from None
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        kind = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
                stat.S_IFDIR: "a folder", stat.S_IFSOCK: "a socket"}.get(stat.S_IFMT(mode), "not a file")
        raise ValueError(f"{path.name} is {kind}, not a regular file: nncore reads model files only")
    return os.fdopen(handle, "rb")


class Archive:
    """An ``.npz`` file read one expected member at a time, each checked before its data is read.

    Only the members asked for are read; each one's header (dtype and shape) is
    checked against what the caller expects and its size in the zip directory
    against that shape before a byte of data is decompressed, so a file cannot
    make loading take more memory than the model it describes.
    """

    def __init__(self, path):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file path (str or pathlib.Path), got {type(path).__name__}")
        self.path = _existing_path(path)
        self.name = self.path.name
        self.file = _open_regular_file(self.path)
        try:
            self.zip = zipfile.ZipFile(self.file)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            self.file.close()
            raise ValueError(f"{self.name} is not a NumPy .npz archive (corrupt, truncated or another "
                             "format)") from None
        self.members = {info.filename.removesuffix(".npy"): info for info in self.zip.infolist()}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.zip.close()
        self.file.close()

    def lacks(self, member):
        return ValueError(f"{self.name} lacks the array {member!r}; it was not written by nncore")

    def header(self, member):
        """The ``(shape, dtype)`` of ``member``, from its header alone."""
        if member not in self.members:
            raise self.lacks(member)
        with self._open(member) as stream:
            return self._read_header(member, stream)[:2]

    def read(self, member, *, shape, kinds="f", max_bytes=None):
        """The array ``member``, refused unless its shape is ``shape`` and its dtype's kind is in ``kinds``.

        ``shape=None`` accepts any shape whose data is at most ``max_bytes``.
        Floating-point arrays must be finite.
        """
        if member not in self.members:
            raise self.lacks(member)
        with self._open(member) as stream:
            actual_shape, dtype, fortran, header_bytes = self._read_header(member, stream)
            if dtype.kind not in kinds:
                wanted = {"f": "floating-point numbers", "U": "text"}.get(kinds, kinds)
                raise ValueError(f"{self.name}: {member!r} must hold {wanted}, got dtype {dtype}")
            if shape is not None and actual_shape != tuple(shape):
                raise ValueError(f"{self.name}: {member!r} must have shape {tuple(shape)}, got {actual_shape}")
            data_bytes = math.prod(actual_shape) * dtype.itemsize
            if max_bytes is not None and data_bytes > max_bytes:
                raise ValueError(f"{self.name}: {member!r} holds {data_bytes:,} bytes; at most {max_bytes:,} expected")
            if self.members[member].file_size != header_bytes + data_bytes:
                raise ValueError(f"{self.name}: {member!r} is {self.members[member].file_size:,} bytes long; its "
                                 f"header describes {header_bytes + data_bytes:,} (a damaged or crafted file)")
            try:
                data = stream.read(data_bytes)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
                raise ValueError(f"{self.name}: {member!r} cannot be read (corrupt or truncated?): {error}") from None
        array = np.frombuffer(data, dtype=dtype).reshape(actual_shape, order="F" if fortran else "C").copy()
        if dtype.kind == "f" and not np.isfinite(array).all():
            raise ValueError(f"{self.name}: {member!r} holds NaN or infinite values")
        return array

    def _open(self, member):
        try:
            return self.zip.open(self.members[member])
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as error:
            raise ValueError(f"{self.name}: {member!r} cannot be read (corrupt or truncated?): {error}") from None

    def _read_header(self, member, stream):
        try:
            version = np.lib.format.read_magic(stream)
            reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = reader(stream, max_header_size=10_000)
        except (ValueError, OSError, EOFError, SyntaxError, zipfile.BadZipFile) as error:
            raise ValueError(f"{self.name}: {member!r} is not a readable NumPy array ({error})") from None
        if dtype.hasobject:
            raise ValueError(f"{self.name}: {member!r} holds pickled objects, which nncore never loads")
        return shape, dtype, fortran, stream.tell()


def _parameter_arrays(model):
    """``layer{n}_{name}`` for every parameter and buffer of trainable layer ``n``."""
    for layer in model.layers:
        if getattr(layer, "buffers", ()) and not getattr(layer, "params", ()):
            raise ValueError(f"cannot save {layer!r}: nncore saves the buffers {layer.buffers} of trainable layers "
                             "(layers with params) only")
    return {f"layer{index}_{name}": value
            for index, layer in enumerate(model.trainable_layers)
            for name, value in zip(layer.params + tuple(getattr(layer, "buffers", ())),
                                   layers.get_parameters(layer) + layers.get_buffers(layer))}


def save_parameters(model, path):
    """Write the parameters (and buffers) of every trainable layer; returns the path written."""
    if not model.finalized:
        raise ValueError("call finalize() before save_parameters(): it finds the trainable layers")
    return _write_atomically(path, _parameter_arrays(model))


def _load_buffers(model, archive):
    """Read every trainable layer's buffers into it, each checked against the shape the built layer has."""
    for index, layer in enumerate(model.trainable_layers):
        names = getattr(layer, "buffers", ())
        if names:
            values = [archive.read(f"layer{index}_{name}", shape=np.shape(getattr(layer, name))) for name in names]
            try:
                layers.set_buffers(layer, values)
            except ValueError as error:
                raise ValueError(f"{archive.name}: layer{index}'s {error}") from None


def _stored_layer_count(archive):
    return len({member.split("_", 1)[0] for member in archive.members
                if member.startswith("layer") and member.split("_", 1)[0][5:].isdigit()})


def _parameters_from(archive, shapes, descriptions):
    """Each trainable layer's parameters, read from ``archive`` after checking their shapes.

    ``shapes`` holds one ``{parameter name: shape}`` per trainable layer, and
    ``descriptions`` says what each layer is, for the messages.
    """
    if _stored_layer_count(archive) != len(shapes):
        raise ValueError(f"expected parameters for {len(shapes)} trainable layers, "
                         f"{archive.name} holds {_stored_layer_count(archive)}")
    parameters = []
    for index, (layer_shapes, description) in enumerate(zip(shapes, descriptions)):
        for param, shape in layer_shapes.items():
            member = f"layer{index}_{param}"
            stored_shape = archive.header(member)[0]
            if stored_shape != tuple(shape):
                raise ValueError(f"{archive.name}: {member!r} has shape {stored_shape}; trainable layer {index} "
                                 f"({description}) needs {param} of shape {tuple(shape)}")
        parameters.append(tuple(archive.read(f"layer{index}_{param}", shape=shape)
                                for param, shape in layer_shapes.items()))
    return parameters


def _shapes_of(layer):
    return {param: np.shape(getattr(layer, param)) for param in layer.params}


def load_parameters(model, path):
    """Read every trainable layer's parameters into ``model``, checking the count and every shape first."""
    with Archive(path) as archive:
        parameters = _parameters_from(archive, [_shapes_of(layer) for layer in model.trainable_layers],
                                      [repr(layer) for layer in model.trainable_layers])
        model.set_parameters(parameters)
        _load_buffers(model, archive)


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
    schedule = getattr(model.optimizer, "schedule", None)
    rebuildable = schedule is None or registry.CLASSES["schedule"].get(type(schedule).__name__) is type(schedule)
    if include_optimizer and not rebuildable:
        raise ValueError(f"cannot save the schedule {schedule!r}: its class is not registered; call "
                         f"nncore.register({type(schedule).__name__}, kind='schedule') first "
                         "(or save with include_optimizer=False)")
    if include_optimizer and model.optimizer is not None:
        config["optimizer"] = {**_describe(model.optimizer), "iterations": model.optimizer.iterations,
                               "current_learning_rate": float(model.optimizer.current_learning_rate),
                               "state": _optimizer_state(model, arrays)}
    arrays["config"] = np.array(json.dumps(config))
    return _write_atomically(path, arrays)


def _build(kind, description):
    cls = registry.lookup(kind, description["class"])
    arguments = dict(description["config"])
    if "rng" in inspect.signature(cls).parameters:
        arguments["rng"] = np.random.default_rng(0)  # the parameters are replaced; leave the global stream alone
    if kind == "optimizer" and "schedule" in arguments:
        arguments["schedule"] = schedules.build(arguments["schedule"])
    return cls(**arguments)


def _expect(condition, name, what, value):
    if not condition:
        raise ValueError(f"{name}: the config's {what}, got {value!r}")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_description(name, where, description):
    _expect(isinstance(description, dict) and isinstance(description.get("class"), str)
            and isinstance(description.get("config", {}), dict),
            name, f"{where} must be {{'class': name, 'config': {{...}}}}", description)
    description.setdefault("config", {})


def _check_config(name, config):
    """Check every field ``load_model`` uses, before anything is built from it."""
    _expect(isinstance(config.get("layers"), list) and config["layers"], name, "'layers' must be a non-empty list",
            config.get("layers"))
    for index, description in enumerate(config["layers"]):
        _check_description(name, f"layer {index}", description)
    for part in ("loss", "accuracy", "optimizer"):
        if part in config:
            _check_description(name, part, config[part])
    precision = config.get("accuracy", {}).get("precision")
    _expect(precision is None or (isinstance(precision, (int, float)) and math.isfinite(precision) and precision >= 0),
            name, "accuracy precision must be a finite number >= 0 or null", precision)
    if "optimizer" in config:
        optimizer = config["optimizer"]
        _expect(_is_int(optimizer.get("iterations")) and optimizer["iterations"] >= 0, name,
                "optimizer iterations must be a whole number >= 0", optimizer.get("iterations"))
        if "schedule" in optimizer["config"]:
            _check_description(name, "optimizer schedule", optimizer["config"]["schedule"])
        rate = optimizer.get("current_learning_rate")
        at_the_end_of_a_schedule = rate == 0 and "schedule" in optimizer["config"]  # e.g. CosineWarmup's floor
        _expect(isinstance(rate, (int, float)) and not isinstance(rate, bool) and math.isfinite(rate)
                and (rate > 0 or at_the_end_of_a_schedule), name,
                "optimizer current_learning_rate must be a finite number > 0 (or 0 where a schedule ends)", rate)
        state = optimizer.get("state", [])
        _expect(isinstance(state, list) and all(isinstance(entry, list) and len(entry) == 3 and _is_int(entry[0])
                                                and isinstance(entry[1], str) and isinstance(entry[2], str)
                                                for entry in state),
                name, "optimizer state must be a list of [layer index, parameter name, slot]", state)


def _parameter_shapes(name, config):
    """``{parameter name: shape}`` of every trainable layer the config describes, known before building it.

    A layer class says its shapes with ``parameter_shapes(config)``; a class
    without it is built to find out. The total is bounded by ``MAX_PARAMETERS``.
    """
    shapes = []
    for description in config["layers"]:
        cls = registry.lookup("layer", description["class"])
        if not getattr(cls, "params", ()):
            continue
        if hasattr(cls, "parameter_shapes"):
            shapes.append(cls.parameter_shapes(description["config"]))
        else:
            shapes.append(_shapes_of(_build("layer", description)))
    total = sum(math.prod(shape) for layer_shapes in shapes for shape in layer_shapes.values())
    if total > MAX_PARAMETERS:
        raise ValueError(f"{name} describes a model of {total:,} parameters; nncore loads at most "
                         f"{MAX_PARAMETERS:,} (saving.MAX_PARAMETERS)")
    return shapes


def load_model(model_class, path):
    """Rebuild, finalize and fill a ``model_class`` from a file written by ``save_model``.

    The file is checked before anything is built from it: a regular file, the
    config's fields, the parameters' shapes against the config (and their
    total against ``MAX_PARAMETERS``), every array's size before it is read.
    """
    with Archive(path) as archive:
        name = archive.name
        if "config" not in archive.members:
            raise ValueError(f"{name} is not an nncore model file (no readable config); "
                             "parameter files are loaded with load_parameters")
        try:
            config = json.loads(str(archive.read("config", shape=(), kinds="U", max_bytes=4 * MAX_CONFIG_BYTES)))
        except json.JSONDecodeError:
            raise ValueError(f"{name} is not an nncore model file (no readable config); "
                             "parameter files are loaded with load_parameters") from None
        if not isinstance(config, dict) or config.get("format") != FORMAT:
            raise ValueError(f"{name} is not an nncore model file "
                             f"(format {config.get('format') if isinstance(config, dict) else None!r})")
        version = config.get("version")
        if not _is_int(version) or version < 1:
            raise ValueError(f"{name} has format version {version!r}, which nncore never wrote")
        if version > VERSION:
            raise ValueError(f"{name} has format version {version}; this nncore reads up to version {VERSION}: "
                             "upgrade nncore")
        if config["version"] < VERSION and "optimizer" in config:
            raise ValueError(f"{name} has format version {config['version']}, whose optimizer state this nncore "
                             "cannot restore: load it with an nncore of that version and save it again, or read "
                             "its parameters alone with load_parameters")
        _check_config(name, config)
        try:
            return _rebuild(model_class, config, archive)
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{name} has a malformed config ({type(error).__name__}: {error})") from None


def _rebuild(model_class, config, archive):
    shapes = _parameter_shapes(archive.name, config)
    descriptions = [f"{description['class']} {description['config']}" for description in config["layers"]
                    if getattr(registry.lookup("layer", description["class"]), "params", ())]
    parameters = _parameters_from(archive, shapes, descriptions)
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
        optimizer.iterations = config["optimizer"]["iterations"]
        optimizer.current_learning_rate = float(config["optimizer"]["current_learning_rate"])
    model.set(loss=loss, optimizer=optimizer, accuracy=accuracy)
    model.finalize()
    model.set_parameters(parameters)
    _load_buffers(model, archive)
    if optimizer is not None:
        _restore_optimizer_state(model, config["optimizer"].get("state", []), archive)
    return model


def _restore_optimizer_state(model, entries, archive):
    """Hand each layer the state that the config's ``[layer index, parameter name, slot]`` entries describe."""
    per_layer = {}
    for k, (index, param, slot) in enumerate(entries):
        if not 0 <= index < len(model.trainable_layers):
            raise ValueError(f"{archive.name} lists optimizer state for trainable layer {index!r}; the model has "
                             f"{len(model.trainable_layers)}")
        layer = model.trainable_layers[index]
        if param not in layer.params:
            raise ValueError(f"{archive.name} lists optimizer state for {param!r} of {layer!r}, whose parameters "
                             f"are {layer.params}")
        shape = np.shape(getattr(layer, param))
        per_layer.setdefault(index, {}).setdefault(param, {})[slot] = archive.read(f"optimizer_state{k}", shape=shape)
    for index, state in per_layer.items():
        model.optimizer.set_state(model.trainable_layers[index], state)
