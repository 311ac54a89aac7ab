"""Small parameters laid end to end, so that an optimizer's step applies its rule to all of them at once.

A bias vector of 64 numbers costs Adam a dozen NumPy calls, each a microsecond of overhead for a few
nanoseconds of arithmetic. The rules are elementwise, so one call on the gradients of every small parameter
concatenated (and on their states, kept concatenated) gives each parameter the numbers of its own call, bit
for bit; each parameter then adds its slice of the increment. Parameters larger than ``MAX_PACKED_SIZE``
elements are updated one by one: for them the arithmetic outweighs the calls, and copying their gradients
would cost more than it saves.
"""
import numpy as np

MAX_PACKED_SIZE = 16384  # elements (a 128x128 weight matrix); measured on the spiral, digits and MLP setups


class PackedGroup:
    """Parameters of one dtype, one gradient dtype and one state dtype per slot, laid end to end."""

    def __init__(self, optimizer, entries):
        """``entries``: ``(layer, name, value, grad, state)`` of every parameter in the group, ``state`` its
        ``{slot: array}`` so far."""
        self.optimizer = optimizer
        self.entries, offset = [], 0
        for layer, name, value, _, _ in entries:
            self.entries.append((layer, name, slice(offset, offset + value.size), value.shape))
            offset += value.size
        first_value, first_grad = entries[0][2], entries[0][3]
        self.value_dtype, self.grad_dtype = first_value.dtype, first_grad.dtype
        self.grad = np.empty(offset, self.grad_dtype)
        self.state = {slot: np.concatenate([state[slot].ravel() for *_, state in entries]) for slot in optimizer.slots}
        self.views = []
        # Each parameter's state becomes a view of the packed arrays: update_params, get_state and
        # Model.save see and change the same numbers.
        for layer, name, part, shape in self.entries:
            views = {slot: packed[part].reshape(shape) for slot, packed in self.state.items()}
            optimizer.layer_state(layer)[name] = views
            self.views.append(views)

    def matches(self):
        """Whether every parameter still has the shape and dtypes, and the state arrays, the group was built with."""
        states = self.optimizer.states
        for (layer, name, _, shape), views in zip(self.entries, self.views):
            value, grad = getattr(layer, name), getattr(layer, "d" + name, None)
            if (grad is None or value.shape != shape or grad.shape != shape or value.dtype != self.value_dtype
                    or grad.dtype != self.grad_dtype or states.get(layer, {}).get(name) is not views):
                return False
        return True

    def update(self):
        """One increment for the whole group; each parameter adds its slice of it."""
        np.concatenate([getattr(layer, "d" + name).ravel() for layer, name, _, _ in self.entries], out=self.grad)
        increment = self.optimizer.increment(self.grad, self.state)
        for layer, name, part, shape in self.entries:
            value = getattr(layer, name)
            value += increment[part].reshape(shape)


class PackedParameters:
    """The parameters of a step's layers: the small ones in packed groups, the others one by one."""

    def __init__(self, optimizer, layers):
        self.optimizer, self.layers = optimizer, list(layers)
        groups, self.one_by_one = {}, []
        for layer in self.layers:
            optimizer.layer_state(layer)  # refuses a layer without params
            for name in layer.params:
                value, grad = optimizer.parameter_and_gradient(layer, name)
                if value.size > MAX_PACKED_SIZE or grad.shape != value.shape:
                    self.one_by_one.append((layer, name))  # a wrong shape fails there as it would unpacked
                    continue
                state = optimizer.parameter_state(layer, name, value, grad)
                key = (value.dtype, grad.dtype, tuple(state[slot].dtype for slot in optimizer.slots))
                groups.setdefault(key, []).append((layer, name, value, grad, state))
        self.groups = [PackedGroup(optimizer, entries) for entries in groups.values()]

    def matches(self, layers):
        """Whether ``layers`` are the layers this packing was built for, in the same state."""
        return (len(layers) == len(self.layers) and all(a is b for a, b in zip(layers, self.layers))
                and all(group.matches() for group in self.groups))

    def update(self):
        """Update every parameter of the layers in place."""
        for group in self.groups:
            group.update()
        for layer, name in self.one_by_one:
            self.optimizer.update_parameter(layer, name)
