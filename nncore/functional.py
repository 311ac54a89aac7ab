"""A Keras-like functional API on top of nncore's own layers and ``nncore.Model`` (not a second engine).

Import it as ``from nncore import functional as F`` so that ``F.Dense`` does not
shadow ``nncore.Dense``::

    x = inputs = F.Dense(input_size=2, output_size=16, activation='tanh')
    x = F.Dense(output_size=1, activation='sigmoid')(x)
    model = F.Model(inputs, x)
    model.compile(loss_fn='mse')
    final_loss = model.fit(X, y, epochs=500, learning_rate=0.05, print_loss=False)

Any other nncore layer joins the chain as an ``F.Layer`` node, which links the
same way: ``x = F.Layer(BatchNorm(16))(x)``; an ``F.Dense`` after it takes its
``input_size`` from that node's output shape.

The pairing rule: softmax may only be the last layer's activation, and then the
loss must be ``'categorical_crossentropy'``; that loss in turn needs a softmax
last layer. Losses are means over samples, so the learning rate is not scaled
by the batch size. The chain runs as an ``nncore.Model`` (``F.Model.engine``):
its forward and backward passes, with plain gradient descent (``SGD``) as the
update.
"""
import numpy as np

from . import _checks, activations, layers, losses, model, optimizers
from .registry import short_names

ACTIVATION_NAMES = short_names("activation")
LOSS_NAMES = short_names("loss")


def _shape_text(shape):
    """``2`` for a flat sample of 2 features, ``1x8x8`` for an image, ``?`` when the shape is not known."""
    return "?" if shape is None else "x".join(map(str, shape))


def _link(node, previous):
    """Check that ``node`` may follow ``previous``: a functional node, and ``node`` not linked yet."""
    if not isinstance(previous, (Dense, Layer)):
        raise TypeError(f"a layer is called on the previous functional Dense, got {type(previous).__name__} "
                        "(F.Dense and F.Layer nodes link to each other)")
    if node.previous is not None:
        raise ValueError(f"{node!r} is already linked; layers form a chain and cannot be reused")


class Dense:
    """A fully connected layer with its activation, linked to the layer before it by calling it.

    Parameters
    ----------
    input_size, output_size : int
        ``output_size`` is required; ``input_size`` may come from the previous layer
        (the flat size of its output; an image needs an ``F.Layer(Flatten())`` first).
    activation : str or None
        One of ``ACTIVATION_NAMES``; ``None`` means linear.
    init : {"book", "glorot", "he"}
        As ``nncore.Dense``'s ``init``.
    weight_scale : float, optional
        With ``init="book"``, initial weights are ``weight_scale * randn``; 1.0 (standard normal) by default.
    """

    def __init__(self, input_size=None, output_size=None, activation=None, name=None, *, init="book",
                 weight_scale=None):
        if output_size is None:
            raise ValueError("output_size is required, e.g. Dense(output_size=8, activation='relu')")
        self.output_size = _checks.positive_int("output_size", output_size)
        self.input_size = None if input_size is None else _checks.positive_int("input_size", input_size)
        self.activation_name = _checks.choice("activation", "linear" if activation is None else activation,
                                              ACTIVATION_NAMES)
        self.activation = activations.get(self.activation_name)
        self.name = name
        self.init = _checks.choice("init", init, layers.INITS)
        if self.init != "book" and weight_scale is not None:
            raise ValueError(f"weight_scale sets the scale of init='book' only; init={self.init!r} sets its own: "
                             f"pass init or weight_scale, not both (got weight_scale={weight_scale!r})")
        self.weight_scale = 1.0 if self.init == "book" and weight_scale is None else weight_scale
        self.previous = None
        self.dense = None
        if self.input_size is not None:
            self._build()

    def _build(self):
        self.dense = layers.Dense(self.input_size, self.output_size, init=self.init, weight_scale=self.weight_scale)

    @property
    def input_shape(self):
        return None if self.input_size is None else (self.input_size,)

    @property
    def output_shape(self):
        return (self.output_size,)

    @property
    def parts(self):
        """The nncore layers this node runs, in order."""
        return (self.dense, self.activation)

    def __call__(self, previous):
        """Link this layer after ``previous`` and return this layer, so chains read ``x = Dense(...)(x)``."""
        _link(self, previous)
        shape = previous.output_shape
        if shape is not None and len(shape) != 1:
            raise ValueError(f"{self!r} takes flat samples, but {previous!r} gives samples of shape {shape}: "
                             "put an F.Layer(Flatten()) between them")
        if self.input_size is not None and shape is not None and self.input_size != shape[0]:
            raise ValueError(f"{self!r} expects input_size {self.input_size}, but {previous!r} "
                             f"gives {shape[0]}")
        if self.dense is None and shape is None:
            raise ValueError(f"{self!r} needs an input_size: {previous!r} does not know its output shape "
                             "(give the first node an input_shape)")
        self.previous = previous
        if self.dense is None:
            self.input_size = shape[0]
            self._build()
        return self

    def forward(self, input_data):
        """``activation(input_data @ W + b)``: ``(N, input_size) -> (N, output_size)``."""
        return self.activation.forward(self.dense.forward(input_data))

    def backward(self, output_error):
        """Through the activation and the weights; stores the gradients and returns the input's error."""
        return self.dense.backward(self.activation.backward(output_error))

    def __repr__(self):
        name = f", name={self.name!r}" if self.name else ""
        return f"F.Dense({self.input_size} -> {self.output_size}, activation={self.activation_name!r}{name})"


class Layer:
    """Any nncore layer as a node of the chain, linked like ``F.Dense``: ``x = F.Layer(BatchNorm(16))(x)``.

    Parameters
    ----------
    layer : object
        A layer with ``forward`` and ``backward``; its ``params``, if any, are trained with
        the rest. Its ``output_shape(input_shape)``, if it has one, maps one sample's shape
        to the output's (and may refuse a shape); without it the layer keeps the shape
        (an activation, ``Dropout``).
    input_shape : tuple of int, optional
        One sample's shape, for the first node of a chain: ``(2,)``, or ``(1, 8, 8)`` for an image.
    """

    def __init__(self, layer, input_shape=None, name=None):
        if isinstance(layer, type):
            raise TypeError(f"layer must be a layer object, got the class {layer.__name__}: "
                            f"call it, e.g. {layer.__name__}(...)")
        if not (callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))):
            raise TypeError(f"layer must have forward and backward methods, got {type(layer).__name__}")
        self.layer = layer
        self.name = name
        self.previous = None
        self.input_shape = None if input_shape is None else self._checked_shape(input_shape)
        self.output_shape = None if self.input_shape is None else self._output_shape(self.input_shape)

    @staticmethod
    def _checked_shape(input_shape):
        if not isinstance(input_shape, tuple) or not input_shape:
            raise TypeError(f"input_shape must be one sample's shape as a tuple, such as (2,) or (1, 8, 8), "
                            f"got {input_shape!r}")
        return tuple(_checks.positive_int("input_shape entries", size) for size in input_shape)

    def _output_shape(self, input_shape):
        shape_of = getattr(self.layer, "output_shape", None)
        return input_shape if shape_of is None else tuple(shape_of(input_shape))

    @property
    def parts(self):
        """The nncore layers this node runs, in order."""
        return (self.layer,)

    def __call__(self, previous):
        """Link this node after ``previous`` and return it; the previous output shape becomes its input shape."""
        _link(self, previous)
        shape = previous.output_shape
        if self.input_shape is not None and shape is not None and self.input_shape != shape:
            raise ValueError(f"{self!r} expects samples of shape {self.input_shape}, but {previous!r} gives {shape}")
        self.previous = previous
        if shape is not None:
            self.output_shape = self._output_shape(shape)
            self.input_shape = shape
        return self

    def forward(self, input_data, training=False):
        """The layer's output for ``input_data``."""
        return self.layer.forward(input_data, training)

    def backward(self, output_error):
        """The layer's gradient for its input; it stores the gradients of its parameters."""
        return self.layer.backward(output_error)

    def __repr__(self):
        name = f", name={self.name!r}" if self.name else ""
        return f"F.Layer({self.layer!r}{name})"


class Model:
    """The chain of layers from ``inputs`` to ``outputs``, run by an ``nncore.Model`` and trained by plain
    gradient descent."""

    def __init__(self, inputs, outputs):
        chain, layer = [], outputs
        while layer is not None:
            chain.append(layer)
            if layer is inputs:
                break
            layer = layer.previous
        else:
            raise ValueError(f"outputs {outputs!r} is not connected back to inputs {inputs!r}")
        if isinstance(inputs, Dense) and inputs.dense is None:
            raise ValueError(f"the first layer needs an input_size: {inputs!r}")
        self.layers = chain[::-1]
        self.loss = None
        self.engine = model.Model(*[part for layer in self.layers for part in layer.parts])

    def compile(self, loss_fn):
        """Choose the loss by name and enforce the softmax / categorical cross-entropy pairing."""
        _checks.choice("loss_fn", loss_fn, LOSS_NAMES)
        for layer in self.layers[:-1]:
            if getattr(layer, "activation_name", None) == "softmax":
                raise ValueError(f"softmax may only be the last layer's activation, found it in {layer!r}")
        last_is_softmax = getattr(self.layers[-1], "activation_name", None) == "softmax"
        if last_is_softmax and loss_fn != "categorical_crossentropy":
            raise ValueError(f"a softmax last layer needs loss_fn='categorical_crossentropy', got {loss_fn!r}")
        if loss_fn == "categorical_crossentropy" and not last_is_softmax:
            raise ValueError(f"loss_fn='categorical_crossentropy' needs a softmax last layer, got {self.layers[-1]!r}")
        self.loss = losses.get(loss_fn)
        self.engine.set(loss=self.loss)
        self.engine.finalize()  # picks the softmax + cross-entropy shortcut for that pair

    def forward(self, x):
        """The output of the last layer for a batch ``x`` ``(N, input_size)``."""
        self.output = self.engine.forward(x)
        return self.output

    def backward(self, y_true):
        """Back-propagate the loss of the last ``forward`` against ``y_true`` through every layer."""
        if self.loss is None:
            raise ValueError("call compile(loss_fn=...) before training")
        self.engine.backward(self.output, y_true)

    def update(self, learning_rate):
        """One gradient-descent step on every layer."""
        optimizers.SGD(learning_rate).step(self.engine.trainable_layers)

    def fit(self, x_train, y_train, epochs, learning_rate, print_loss=True, *, batch_size=None, print_every=1):
        """Train and return the last epoch's mean loss; prints it every ``print_every`` epochs if ``print_loss``."""
        if self.loss is None:
            raise ValueError("call compile(loss_fn=...) before fit()")
        x_train = _checks.as_array("x_train", x_train, ndim=self._input_ndim())
        y_train = _checks.as_array("y_train", y_train)
        if len(x_train) == 0:
            raise ValueError(f"x_train must hold at least one sample, got shape {x_train.shape}")
        if len(y_train) != len(x_train):
            raise ValueError(f"y_train must have one target per sample ({len(x_train)}), got {len(y_train)}")
        epochs = _checks.positive_int("epochs", epochs)
        learning_rate = _checks.real_number("learning_rate", learning_rate, low_open=True)
        batch_size = len(x_train) if batch_size is None else _checks.positive_int("batch_size", batch_size)
        print_every = _checks.positive_int("print_every", print_every)
        y_train = self.engine.checked_targets(x_train, y_train, batch_size)
        descent = optimizers.SGD(learning_rate)
        checked = True  # the first step checks every layer's input, later steps do the math alone (as Model.train)
        for epoch in range(1, epochs + 1):
            total = 0.0
            self.loss.new_pass()
            for x, y in model.batches(x_train, y_train, batch_size):
                self.output = self.engine.forward(x, training=True, checked=checked)
                sample_losses = (self.loss.forward if checked else self.loss._forward)(self.output, y)
                total += float(self.loss.accumulate(sample_losses))
                if not np.isfinite(total):
                    raise model.diverged(f"the loss must stay finite, got {total} in epoch {epoch}", learning_rate)
                self.engine.backward(self.output, y, checked=checked)
                descent.step(self.engine.trainable_layers)
                checked = False
            model.check_not_diverged(self.loss, epoch, learning_rate)
            mean_loss = total / len(x_train)
            if epoch == epochs:
                model.check_parameters_finite(self.engine.trainable_layers, epoch, learning_rate)
            if print_loss and (epoch % print_every == 0 or epoch == epochs):
                print(f"epoch {epoch}/{epochs}, loss {mean_loss:.6f}")
        return mean_loss

    def predict(self, input_data):
        """The outputs for ``input_data`` ``(N, input_size)`` as an array ``(N, output_size)``."""
        return self.forward(_checks.as_array("input_data", input_data, ndim=self._input_ndim()))

    def _input_ndim(self):
        """2 (a batch of flat samples), unless the first layer takes other batches (it checks those itself)."""
        return model.expected_x_ndim(self.engine.layers[0])

    def __repr__(self):
        shapes = [self.layers[0].input_shape] + [layer.output_shape for layer in self.layers]
        return f"F.Model({' -> '.join(map(_shape_text, shapes))})"
