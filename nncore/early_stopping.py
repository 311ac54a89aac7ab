"""Early stopping: keep the weights of the lowest validation loss, and stop once it has not improved for a while.

``Model.train(..., patience=N)`` uses ``EarlyStopping``; ``snapshot`` and
``restore`` copy a model's parameters and buffers (BatchNorm's running
statistics) out and back in.
"""
import math

from . import layers

EARLY_STOPPING_KEYS = ("stopped_epoch", "best_epoch")
"""The history keys ``Model.train`` adds: the epoch it stopped at and the epoch whose weights it kept."""


def snapshot(stateful_layers):
    """Copies of the parameters and buffers of every layer in ``stateful_layers``, for ``restore``."""
    return [(layer, layers.get_parameters(layer), layers.get_buffers(layer)) for layer in stateful_layers]


def restore(saved):
    """Put the arrays of a ``snapshot`` back into its layers."""
    for layer, parameters, buffers in saved:
        layers.set_parameters(layer, parameters)
        layers.set_buffers(layer, buffers)


class EarlyStopping:
    """What ``train(..., patience=N)`` keeps: the lowest validation loss, its epoch and a snapshot of its weights."""

    def __init__(self, patience, stateful_layers, format_loss=str):
        """``format_loss`` writes a loss for the closing line (``Model`` passes the one of its progress lines)."""
        self.patience = patience
        self.stateful_layers = stateful_layers
        self.format_loss = format_loss
        self.best_loss, self.best_epoch, self.best_weights = math.inf, None, None
        self.evaluations_since_best = 0

    def exhausted(self, epoch, val_loss):
        """Record the evaluation of ``epoch``; ``True`` once ``patience`` evaluations in a row did not improve."""
        if val_loss < self.best_loss:
            self.best_loss, self.best_epoch, self.evaluations_since_best = val_loss, epoch, 0
            self.best_weights = snapshot(self.stateful_layers)
        else:
            self.evaluations_since_best += 1
        return self.evaluations_since_best >= self.patience

    def finish(self, history, last_epoch, stopped):
        """Restore the best weights unless ``last_epoch`` was the best; note both epochs in ``history``.

        Returns the line that says what happened, or ``None`` when the model keeps its last weights.
        """
        history["best_epoch"] = self.best_epoch
        history["stopped_epoch"] = last_epoch if stopped else None
        if self.best_weights is None or self.best_epoch == last_epoch:
            return None
        restore(self.best_weights)
        kept = f"restored the weights of epoch {self.best_epoch}"
        if stopped:
            return (f"stopped early at epoch {last_epoch}: val_loss has not improved for {self.patience} evaluations "
                    f"since epoch {self.best_epoch} ({self.format_loss(self.best_loss)}); {kept}")
        return f"val_loss was lowest at epoch {self.best_epoch} ({self.format_loss(self.best_loss)}); {kept}"
