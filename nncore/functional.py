"""A Keras-like functional API on top of nncore's own layers and ``nncore.Model`` (not a second engine).

Import it as ``from nncore import functional as F`` so that ``F.Dense`` does not
shadow ``nncore.Dense``::

    x = inputs = F.Dense(input_size=2, output_size=16, activation='tanh')
    x = F.Dense(output_size=1, activation='sigmoid')(x)
    model = F.Model(inputs, x)
    model.compile(loss_fn='mse')
    final_loss = model.fit(X, y, epochs=500, learning_rate=0.05, print_loss=False)

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


class Dense:
    """A fully connected layer with its activation, linked to the layer before it by calling it.

    Parameters
    ----------
    input_size, output_size : int
        ``output_size`` is required; ``input_size`` may come from the previous layer.
    activation : str or None
        One of ``ACTIVATION_NAMES``; ``None`` means linear.
    weight_scale : float
        Initial weights are ``weight_scale * randn``; 1.0 (standard normal) by default.
    """

    def __init__(self, input_size=None, output_size=None, activation=None, name=None, *, weight_scale=1.0):
        if output_size is None:
            raise ValueError("output_size is required, e.g. Dense(output_size=8, activation='relu')")
        self.output_size = _checks.positive_int("output_size", output_size)
        self.input_size = None if input_size is None else _checks.positive_int("input_size", input_size)
        self.activation_name = _checks.choice("activation", "linear" if activation is None else activation,
                                              ACTIVATION_NAMES)
        self.activation = activations.get(self.activation_name)
        self.name = name
        self.weight_scale = weight_scale
        self.previous = None
        self.dense = None
        if self.input_size is not None:
            self._build()

    def _build(self):
        self.dense = layers.Dense(self.input_size, self.output_size, weight_scale=self.weight_scale)

    def __call__(self, previous):
        """Link this layer after ``previous`` and return this layer, so chains read ``x = Dense(...)(x)``."""
        if not isinstance(previous, Dense):
            raise TypeError(f"a layer is called on the previous functional Dense, got {type(previous).__name__}")
        if self.previous is not None:
            raise ValueError(f"{self!r} is already linked; layers form a chain and cannot be reused")
        if self.input_size is not None and self.input_size != previous.output_size:
            raise ValueError(f"{self!r} expects input_size {self.input_size}, but {previous!r} "
                             f"gives {previous.output_size}")
        self.previous = previous
        if self.dense is None:
            self.input_size = previous.output_size
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
        if inputs.dense is None:
            raise ValueError(f"the first layer needs an input_size: {inputs!r}")
        self.layers = chain[::-1]
        self.loss = None
        self.engine = model.Model(*[part for layer in self.layers for part in (layer.dense, layer.activation)])

    def compile(self, loss_fn):
        """Choose the loss by name and enforce the softmax / categorical cross-entropy pairing."""
        _checks.choice("loss_fn", loss_fn, LOSS_NAMES)
        for layer in self.layers[:-1]:
            if layer.activation_name == "softmax":
                raise ValueError(f"softmax may only be the last layer's activation, found it in {layer!r}")
        last_is_softmax = self.layers[-1].activation_name == "softmax"
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
        x_train = _checks.as_array("x_train", x_train, ndim=2)
        y_train = _checks.as_array("y_train", y_train)
        if len(x_train) == 0:
            raise ValueError(f"x_train must hold at least one sample, got shape {x_train.shape}")
        if len(y_train) != len(x_train):
            raise ValueError(f"y_train must have one target per sample ({len(x_train)}), got {len(y_train)}")
        epochs = _checks.positive_int("epochs", epochs)
        learning_rate = _checks.real_number("learning_rate", learning_rate, low_open=True)
        batch_size = len(x_train) if batch_size is None else _checks.positive_int("batch_size", batch_size)
        print_every = _checks.positive_int("print_every", print_every)
        descent = optimizers.SGD(learning_rate)
        checked = True  # the first step checks every layer's input, later steps do the math alone (as Model.train)
        for epoch in range(1, epochs + 1):
            total = 0.0
            self.loss.new_pass()
            for x, y in model.batches(x_train, y_train, batch_size):
                self.output = self.engine.forward(x, checked=checked)
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
        return self.forward(_checks.as_array("input_data", input_data, ndim=2))

    def __repr__(self):
        sizes = [self.layers[0].input_size] + [layer.output_size for layer in self.layers]
        return f"F.Model({' -> '.join(map(str, sizes))})"
