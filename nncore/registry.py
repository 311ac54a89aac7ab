"""One registry of the classes nncore can name: saving rebuilds only these, and short names map to them.

Every class is registered under its kind (``"layer"``, ``"loss"``, ``"accuracy"``,
``"optimizer"`` or ``"schedule"``) and its class name; an activation or a loss may also have a
short name (``"relu"``, ``"mse"``) for ``get`` and the functional API. A layer
written outside nncore joins with one call, usable as a decorator::

    @nncore.register
    class ScaleShift:
        params = ("scale", "shift")
        ...
        def config(self):
            return {"n_features": self.n_features}

It then trains in ``Model`` and saves and loads with ``Model.save``/``Model.load``.
"""
KINDS = ("layer", "loss", "accuracy", "optimizer", "schedule")
CLASSES = {kind: {} for kind in KINDS}
SHORT_NAMES = {"activation": {}, "loss": {}}


def register(cls=None, *, kind="layer", name=None):
    """Add ``cls`` to the registry of ``kind`` (and under the short ``name``); returns ``cls``.

    ``register(cls)``, ``@register`` and ``@register(kind="loss", name="mse")`` all work.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of: {', '.join(map(repr, KINDS))}")

    def add(cls):
        if not isinstance(cls, type):
            raise TypeError(f"register takes a class, got {type(cls).__name__}")
        known = CLASSES[kind].get(cls.__name__)
        if known is not None and known is not cls:
            raise ValueError(f"another {kind} class named {cls.__name__!r} is registered already")
        CLASSES[kind][cls.__name__] = cls
        if name is not None:
            SHORT_NAMES["loss" if kind == "loss" else "activation"][name] = cls
        return cls

    return add if cls is None else add(cls)


def lookup(kind, class_name):
    """The registered class of ``kind`` called ``class_name``; an unknown name raises ``ValueError``."""
    if class_name not in CLASSES[kind]:
        raise ValueError(f"unknown {kind} class {class_name!r}; registered: {', '.join(CLASSES[kind])}")
    return CLASSES[kind][class_name]


def short_names(group):
    """The short names of ``group`` (``"activation"`` or ``"loss"``), in registration order."""
    return tuple(SHORT_NAMES[group])


def create(group, name):
    """A new instance of the class registered under the short ``name`` of ``group``."""
    if name not in SHORT_NAMES[group]:
        raise ValueError(f"unknown {group} {name!r}; expected one of: "
                         f"{', '.join(repr(known) for known in SHORT_NAMES[group])}")
    return SHORT_NAMES[group][name]()
