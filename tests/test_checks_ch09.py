"""09_model's checks refuse the usual wrong answers, each with a message that names the mistake."""
import numpy as np
import pytest

import nncore
from nncore import (CategoricalAccuracy, CategoricalCrossentropy, Dense, Input, Linear, RegressionAccuracy, ReLU,
                    Sigmoid, Softmax, SoftmaxCategoricalCrossentropy)
from nncore import functional as F

from wrong_answers import cases, chapter_checks, refusal, strict


class BookModel:
    """The chapter's Model as the notebook's solution cells write it."""

    def __init__(self):
        self.layers = []
        self.softmax_classifier_output = None

    def add(self, layer):
        self.layers.append(layer)

    def set(self, *, loss, optimizer, accuracy):
        self.loss, self.optimizer, self.accuracy = loss, optimizer, accuracy

    def finalize(self):
        self.input_layer = Input()
        self.trainable_layers = [layer for layer in self.layers if hasattr(layer, "weights")]
        self.output_layer_activation = self.layers[-1]
        self.loss.remember_trainable_layers(self.trainable_layers)
        combined = isinstance(self.layers[-1], Softmax) and isinstance(self.loss, CategoricalCrossentropy)
        self.softmax_classifier_output = SoftmaxCategoricalCrossentropy() if combined else None

    def forward(self, X, training):
        output = self.input_layer.forward(X, training)
        for layer in self.layers:
            output = layer.forward(output, training)
        return output

    def backward(self, output, y):
        if self.softmax_classifier_output is not None:
            dvalues = self.softmax_classifier_output.backward(output, y)
            self.layers[-1].dinputs = dvalues
            layers = self.layers[:-1]
        else:
            dvalues = self.loss.backward(output, y)
            layers = self.layers
        for layer in reversed(layers):
            dvalues = layer.backward(dvalues)

    def batches(self, X, y, batch_size):
        size = batch_size or len(X)
        return [(X[start:start + size], y[start:start + size]) for start in range(0, len(X), size)]

    def evaluate(self, X_val, y_val, *, batch_size=None):
        loss_sum = hits = 0.0
        for batch_X, batch_y in self.batches(X_val, y_val, batch_size):
            output = self.forward(batch_X, training=False)
            loss_sum += len(batch_X) * self.loss.calculate(output, batch_y)
            hits += len(batch_X) * self.accuracy.calculate(self.output_layer_activation.predictions(output), batch_y)
        return loss_sum / len(X_val), hits / len(X_val)

    def step(self, batch_X, batch_y):
        """One training step; returns the batch's loss and accuracy."""
        output = self.forward(batch_X, training=True)
        data_loss, reg_loss = self.loss.calculate(output, batch_y, include_regularization=True)
        accuracy = self.accuracy.calculate(self.output_layer_activation.predictions(output), batch_y)
        self.backward(output, batch_y)
        self.optimizer.step(self.trainable_layers)
        return data_loss + reg_loss, accuracy

    def epoch_means(self, results, sizes):
        return (sum(n * loss for n, (loss, _) in zip(sizes, results)) / sum(sizes),
                sum(n * accuracy for n, (_, accuracy) in zip(sizes, results)) / sum(sizes))

    def validate(self, history, validation_data, batch_size):
        val_loss, val_accuracy = self.evaluate(*validation_data, batch_size=batch_size)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)

    def train(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None):
        self.accuracy.init(y)
        history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
        for epoch in range(1, epochs + 1):
            batches = self.batches(X, y, batch_size)
            results = [self.step(batch_X, batch_y) for batch_X, batch_y in batches]
            loss, accuracy = self.epoch_means(results, [len(batch_X) for batch_X, _ in batches])
            history["loss"].append(loss)
            history["accuracy"].append(accuracy)
            if validation_data is not None and (epoch % print_every == 0 or epoch == epochs):
                self.validate(history, validation_data, batch_size)
        return history


def model_with(name, method):
    """BookModel with one method replaced."""
    return type("Model", (BookModel,), {name: method})


class AccumulatingModel(BookModel):
    """The book's train: the loss's and the accuracy's running totals, and the penalty read once, after the epoch's
    last step (a right answer written differently: the check must accept it)."""

    def train(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None):
        self.accuracy.init(y)
        history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
        for epoch in range(1, epochs + 1):
            self.loss.new_pass()
            self.accuracy.new_pass()
            for batch_X, batch_y in self.batches(X, y, batch_size):
                output = self.forward(batch_X, training=True)
                self.loss.calculate(output, batch_y)
                self.accuracy.calculate(self.output_layer_activation.predictions(output), batch_y)
                self.backward(output, batch_y)
                self.optimizer.pre_update_params()
                for layer in self.trainable_layers:
                    self.optimizer.update_params(layer)
                self.optimizer.post_update_params()
            data_loss, reg_loss = self.loss.calculate_accumulated(include_regularization=True)
            history["loss"].append(data_loss + reg_loss)
            history["accuracy"].append(self.accuracy.calculate_accumulated())
            if validation_data is not None and (epoch % print_every == 0 or epoch == epochs):
                self.validate(history, validation_data, batch_size)
        return history


def finalize_by_exact_type(self):
    """A right answer written differently: type(...) is Softmax rather than isinstance."""
    BookModel.finalize(self)
    combined = type(self.layers[-1]) is Softmax and type(self.loss) is CategoricalCrossentropy
    self.softmax_classifier_output = SoftmaxCategoricalCrossentropy() if combined else None


# finalize


def every_layer_trainable(self):
    BookModel.finalize(self)
    self.trainable_layers = list(self.layers)
    self.loss.remember_trainable_layers(self.trainable_layers)


def loss_not_told(self):
    BookModel.finalize(self)
    self.loss.remember_trainable_layers([])


def shortcut_for_any_softmax(self):
    BookModel.finalize(self)
    if isinstance(self.layers[-1], Softmax):
        self.softmax_classifier_output = SoftmaxCategoricalCrossentropy()


def shortcut_for_any_cross_entropy(self):
    BookModel.finalize(self)
    if isinstance(self.loss, CategoricalCrossentropy):
        self.softmax_classifier_output = SoftmaxCategoricalCrossentropy()


def first_layer_as_output(self):
    BookModel.finalize(self)
    self.output_layer_activation = self.layers[0]


def no_input_layer(self):
    BookModel.finalize(self)
    del self.input_layer


# forward and backward


def forward_always_inference(self, X, training):
    return BookModel.forward(self, X, False)


def forward_always_training(self, X, training):
    return BookModel.forward(self, X, True)


def backward_through_softmax_too(self, output, y):
    dvalues = self.loss.backward(output, y)
    for layer in reversed(self.layers):
        dvalues = layer.backward(dvalues)


def backward_without_last_dinputs(self, output, y):
    if self.softmax_classifier_output is None:
        return BookModel.backward(self, output, y)
    dvalues = self.softmax_classifier_output.backward(output, y)
    for layer in reversed(self.layers[:-1]):
        dvalues = layer.backward(dvalues)


def backward_always_shortcut(self, output, y):
    dvalues = SoftmaxCategoricalCrossentropy().backward(output, np.argmax(y, axis=1) if np.ndim(y) == 2 else y)
    self.layers[-1].dinputs = dvalues
    for layer in reversed(self.layers[:-1]):
        dvalues = layer.backward(dvalues)


def backward_in_order(self, output, y):
    dvalues = self.loss.backward(output, y)
    for layer in self.layers:
        dvalues = layer.backward(dvalues)


# evaluate


def evaluate_in_training_mode(self, X_val, y_val, *, batch_size=None):
    loss_sum = hits = 0.0
    for batch_X, batch_y in self.batches(X_val, y_val, batch_size):
        output = self.forward(batch_X, training=True)
        loss_sum += len(batch_X) * self.loss.calculate(output, batch_y)
        hits += len(batch_X) * self.accuracy.calculate(self.output_layer_activation.predictions(output), batch_y)
    return loss_sum / len(X_val), hits / len(X_val)


def evaluate_drops_last(self, X_val, y_val, *, batch_size=None):
    keep = len(X_val) - len(X_val) % batch_size if batch_size and batch_size < len(X_val) else len(X_val)
    return BookModel.evaluate(self, X_val[:keep], y_val[:keep], batch_size=batch_size)


def evaluate_unweighted(self, X_val, y_val, *, batch_size=None):
    results = []
    for batch_X, batch_y in self.batches(X_val, y_val, batch_size):
        output = self.forward(batch_X, training=False)
        results.append((self.loss.calculate(output, batch_y),
                        self.accuracy.calculate(self.output_layer_activation.predictions(output), batch_y)))
    return tuple(np.mean(results, axis=0))


def evaluate_last_batch(self, X_val, y_val, *, batch_size=None):
    for batch_X, batch_y in self.batches(X_val, y_val, batch_size):
        output = self.forward(batch_X, training=False)
        loss = self.loss.calculate(output, batch_y)
        accuracy = self.accuracy.calculate(self.output_layer_activation.predictions(output), batch_y)
    return loss, accuracy


def evaluate_ignores_batch_size(self, X_val, y_val, *, batch_size=None):
    return BookModel.evaluate(self, X_val, y_val)


# train


def batches_drop_last(self, X, y, batch_size):
    size = batch_size or len(X)
    return [(X[start:start + size], y[start:start + size]) for start in range(0, len(X) - size + 1, size)]


def training_with_training_false(self, batch_X, batch_y):
    output = self.forward(batch_X, training=False)
    loss = self.loss.calculate(output, batch_y)
    accuracy = self.accuracy.calculate(self.output_layer_activation.predictions(output), batch_y)
    self.backward(output, batch_y)
    self.optimizer.step(self.trainable_layers)
    return loss, accuracy


def validate_in_training_mode(self, history, validation_data, batch_size):
    X_val, y_val = validation_data
    output = self.forward(X_val, training=True)
    history["val_loss"].append(self.loss.calculate(output, y_val))
    history["val_accuracy"].append(self.accuracy.calculate(self.output_layer_activation.predictions(output), y_val))


def step_before_backward(self, batch_X, batch_y):
    output = self.forward(batch_X, training=True)
    loss = self.loss.calculate(output, batch_y)
    accuracy = self.accuracy.calculate(self.output_layer_activation.predictions(output), batch_y)
    self.optimizer.step(self.trainable_layers)
    self.backward(output, batch_y)
    return loss, accuracy


def step_without_pre_and_post(self, batch_X, batch_y):
    output = self.forward(batch_X, training=True)
    loss = self.loss.calculate(output, batch_y)
    accuracy = self.accuracy.calculate(self.output_layer_activation.predictions(output), batch_y)
    self.backward(output, batch_y)
    for layer in self.trainable_layers:
        self.optimizer.update_params(layer)
    return loss, accuracy


def step_without_penalty(self, batch_X, batch_y):
    output = self.forward(batch_X, training=True)
    data_loss = self.loss.calculate(output, batch_y)
    accuracy = self.accuracy.calculate(self.output_layer_activation.predictions(output), batch_y)
    self.backward(output, batch_y)
    self.optimizer.step(self.trainable_layers)
    return data_loss, accuracy


def validating_every_epoch(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None):
    return BookModel.train(self, X, y, epochs=epochs, batch_size=batch_size, print_every=1,
                           validation_data=validation_data)


def validating_without_the_last(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None):
    history = BookModel.train(self, X, y, epochs=epochs, batch_size=batch_size, print_every=print_every)
    for epoch in range(print_every, epochs + 1, print_every):  # the right epochs but the last, validated at the end
        self.validate(history, validation_data, batch_size)
    return history


def last_batch_as_epoch(self, results, sizes):
    return results[-1]


def unweighted_epoch(self, results, sizes):
    return tuple(np.mean(results, axis=0))


def constant_history(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None):
    return {"loss": [0.5] * epochs, "accuracy": [0.9] * epochs, "val_loss": [0.5] * epochs,
            "val_accuracy": [0.9] * epochs}


def shuffled(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None):
    keys = np.random.permutation(len(X))
    return BookModel.train(self, X[keys], y[keys], epochs=epochs, batch_size=batch_size, print_every=print_every,
                           validation_data=validation_data)


def without_history(self, X, y, **settings):
    BookModel.train(self, X, y, **settings)


# exercises


def build_fixed_head(last_activation, loss):
    model = nncore.Model()
    for layer in (Dense(2, 8), ReLU(), Dense(8, 3), last_activation):
        model.add(layer)
    model.set(loss=loss, accuracy=CategoricalAccuracy())
    model.finalize()
    return model


def build_head(last_activation, loss, *, binary=True, regression=True, finalize=True, activation=None):
    k = 3 if isinstance(last_activation, Softmax) else 1
    accuracy = (RegressionAccuracy() if regression and isinstance(last_activation, Linear)
                else CategoricalAccuracy(binary=binary and isinstance(last_activation, Sigmoid)))
    model = nncore.Model()
    for layer in (Dense(2, 8), ReLU(), Dense(8, k), activation or last_activation):
        model.add(layer)
    model.set(loss=loss, accuracy=accuracy)
    if finalize:
        model.finalize()
    return model


def old_twin(model):
    first = F.Dense(input_size=2, output_size=16, activation="relu")
    twin = F.Model(first, F.Dense(output_size=3, activation="softmax")(first))
    for layer, (weights, biases) in zip(twin.layers, model.get_parameters()):
        layer.dense.set_parameters(weights, biases)
    twin.compile(loss_fn="categorical_crossentropy")
    return twin


def twin(model, *, names=None, copy=True, compile=True):
    names = names or {ReLU: "relu", nncore.Tanh: "tanh", Sigmoid: "sigmoid", Softmax: "softmax", Linear: "linear"}
    pairs = list(zip(model.layers[::2], model.layers[1::2]))
    first = layer = None
    for dense, activation in pairs:
        n_inputs, n_neurons = dense.weights.shape
        name = names.get(type(activation), "relu")
        layer = (F.Dense(input_size=n_inputs, output_size=n_neurons, activation=name) if first is None
                 else F.Dense(output_size=n_neurons, activation=name)(layer))
        first = first or layer
        if copy:
            layer.dense.set_parameters(dense.weights, dense.biases)
    result = F.Model(first, layer)
    if compile:
        last = names.get(type(pairs[-1][1]), "relu")
        result.compile(loss_fn={"softmax": "categorical_crossentropy", "sigmoid": "binary_crossentropy"}.get(last, "mse"))
    return result


def chain(activations):
    inputs = outputs = F.Dense(input_size=2, output_size=4, activation=activations[0])
    for name in activations[1:]:
        outputs = F.Dense(output_size=4, activation=name)(outputs)
    return F.Model(inputs, outputs)


def handmade_error(activations, loss_fn):
    if activations[-1] == "softmax" and loss_fn != "categorical_crossentropy":
        return ValueError("categorical_crossentropy")
    try:
        chain(activations).compile(loss_fn=loss_fn)
    except ValueError as error:
        return error
    return None


def own_rule(activations, loss_fn):
    try:
        if "softmax" in activations[:-1] or (activations[-1] == "softmax") != (loss_fn == "categorical_crossentropy"):
            raise ValueError("softmax may only be the last layer's activation")
    except ValueError as error:
        return error
    return None


def always_softmax_mse(activations, loss_fn):
    try:
        chain(["relu", "softmax"]).compile(loss_fn="mse")
    except ValueError as error:
        return error


def never_refused(activations, loss_fn):
    return None


WRONG_ANSWERS = {
    "check_finalize": [
        ("every layer counted as trainable", lambda: (model_with("finalize", every_layer_trainable),),
         "which have no weights"),
        ("the loss not given the trainable layers", lambda: (model_with("finalize", loss_not_told),),
         "remember_trainable_layers"),
        ("the shortcut for softmax with any loss", lambda: (model_with("finalize", shortcut_for_any_softmax),),
         "the loss is not categorical cross-entropy"),
        ("the shortcut for cross-entropy after any layer",
         lambda: (model_with("finalize", shortcut_for_any_cross_entropy),), "the last layer is not a softmax"),
        ("the first layer as the output activation", lambda: (model_with("finalize", first_layer_as_output),),
         "output_layer_activation should be the last layer"),
        ("no input layer", lambda: (model_with("finalize", no_input_layer),), "self.input_layer"),
    ],
    "check_forward_backward": [
        ("training never passed on", lambda: (model_with("forward", forward_always_inference),),
         "gave the inference output"),
        ("always in training mode", lambda: (model_with("forward", forward_always_training),),
         "does not give the inference output"),
        ("through Softmax.backward despite the shortcut", lambda: (model_with("backward", backward_through_softmax_too),),
         "start from the layer before it"),
        ("the last layer's dinputs not set", lambda: (model_with("backward", backward_without_last_dinputs),),
         "set the last layer's dinputs"),
        ("the shortcut's gradient for MSE too", lambda: (model_with("backward", backward_always_shortcut),),
         "no shortcut for this pair"),
        ("the layers walked first to last", lambda: (model_with("backward", backward_in_order),),
         "the check called model.backward"),
    ],
    "check_evaluate": [
        ("dropout left on", lambda: (model_with("evaluate", evaluate_in_training_mode),), "training=True"),
        ("the last partial batch dropped", lambda: (model_with("evaluate", evaluate_drops_last),),
         "smaller batch"),
        ("the plain mean of the batch means", lambda: (model_with("evaluate", evaluate_unweighted),),
         "weight each batch by its size"),
        ("the last batch's numbers", lambda: (model_with("evaluate", evaluate_last_batch),), "the last batch's alone"),
        ("batch_size ignored", lambda: (model_with("evaluate", evaluate_ignores_batch_size),),
         "batch_size was ignored"),
        ("a constant", lambda: (model_with("evaluate", lambda self, X, y, batch_size=None: (0.5, 0.5)),),
         "never ran the model"),
    ],
    "check_train": [
        ("the last partial batch dropped", lambda: (model_with("batches", batches_drop_last),), "was dropped"),
        ("training steps in inference mode", lambda: (model_with("step", training_with_training_false),),
         "dropout must be on while training"),
        ("validation with dropout on", lambda: (model_with("validate", validate_in_training_mode),),
         "the validation pass ran with training=True"),
        ("the optimizer steps before backward", lambda: (model_with("step", step_before_backward),),
         "stepped before backward"),
        ("no pre_update_params or post_update_params", lambda: (model_with("step", step_without_pre_and_post),),
         "pre_update_params"),
        ("the last batch's loss as the epoch's", lambda: (model_with("epoch_means", last_batch_as_epoch),),
         "the last batch's alone"),
        ("the plain mean of the batch means", lambda: (model_with("epoch_means", unweighted_epoch),),
         "weight each batch by its size"),
        ("a constant history", lambda: (model_with("train", constant_history),), "took no training step"),
        ("shuffled", lambda: (model_with("train", shuffled),), "without shuffling"),
        ("no history returned", lambda: (model_with("train", without_history),), "should return the history"),
        ("the data loss alone, no regularization", lambda: (model_with("step", step_without_penalty),),
         "the data loss alone"),
        ("validation after every epoch, print_every ignored", lambda: (model_with("train", validating_every_epoch),),
         "after epochs 2 and 3: every print_every epochs and after the last"),
        ("no validation after the last epoch", lambda: (model_with("train", validating_without_the_last),),
         "one value per printed epoch, 2"),
    ],
    "check_build": [
        ("Dense(8, 3) and CategoricalAccuracy() for every head", lambda: (build_fixed_head,), "1 neuron"),
        ("a sigmoid scored without binary=True", lambda: (lambda a, loss: build_head(a, loss, binary=False),),
         "binary=True"),
        ("a regression scored as classification", lambda: (lambda a, loss: build_head(a, loss, regression=False),),
         "RegressionAccuracy()"),
        ("not finalized", lambda: (lambda a, loss: build_head(a, loss, finalize=False),), "not finalized"),
        ("always a softmax", lambda: (lambda a, loss: build_head(a, loss, activation=Softmax()),),
         "the activation object passed in"),
    ],
    "check_functional_twin": [
        ("the chapter's 2 -> 16 -> 3 twin", lambda: (old_twin,), "the model's layer sizes"),
        ("ReLU for every activation", lambda: (lambda model: twin(model, names={Softmax: "softmax"}),),
         "activation should be 'tanh'"),
        ("parameters not copied", lambda: (lambda model: twin(model, copy=False),), "copy the weights"),
        ("not compiled", lambda: (lambda model: twin(model, compile=False),), "not compiled"),
    ],
    "check_total_parameters": [
        ("no biases", lambda: (lambda model: sum(w.size for w, _ in model.get_parameters()),), "forget the biases"),
        ("the first layer only", lambda: (lambda model: sum(p.size for p in model.get_parameters()[0]),),
         "only the first layer"),
        ("the example's answer", lambda: (lambda model: 387,), "parameters, got 387"),
    ],
    "check_pairing_error": [
        ("a hand-made ValueError", lambda: (handmade_error,), "not raised by compile"),
        ("the rule re-implemented", lambda: (own_rule,), "not raised by compile"),
        ("the chapter's softmax + mse every time", lambda: (always_softmax_mse,), "refused it for another reason"),
        ("None every time", lambda: (never_refused,), "return the ValueError it raises"),
    ],
}


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch09", check_name, answer())


@pytest.mark.parametrize("check_name", ["check_finalize", "check_forward_backward", "check_evaluate", "check_train"])
@pytest.mark.parametrize("model_class", [BookModel, nncore.Model, AccumulatingModel,
                                         model_with("finalize", finalize_by_exact_type)],
                         ids=["the chapter's", "nncore's", "the book's accumulating train", "type() is Softmax"])
def test_the_pieces_accept_the_chapters_model_and_nncores(check_name, model_class, capsys):
    strict(getattr(chapter_checks("ch09"), check_name))(model_class)
    assert capsys.readouterr().out.startswith("Correct: ")


def test_the_checks_leave_the_global_random_stream_alone():
    checks = chapter_checks("ch09")
    np.random.seed(5)
    state = np.random.get_state()
    for check in (checks.check_finalize, checks.check_forward_backward, checks.check_evaluate, checks.check_train):
        strict(check)(BookModel)
    strict(checks.check_build)(lambda a, loss: build_head(a, loss))
    strict(checks.check_functional_twin)(twin)
    strict(checks.check_pairing_error)(_compiled)
    after = np.random.get_state()
    assert np.array_equal(state[1], after[1]) and state[2] == after[2]


def _compiled(activations, loss_fn):
    try:
        chain(activations).compile(loss_fn=loss_fn)
    except ValueError as error:
        return error
    return None
