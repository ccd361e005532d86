"""Packing a parameter group into one contiguous array, so an update rule runs once per group.

A small network has a handful of small tensors, and an update rule costs ~10 NumPy calls per tensor:
for Adam on an MLP's 6 tensors that is ~70 calls, most of it call overhead. The rules are elementwise,
so they give the same result on one long array holding every parameter end to end. `PackedGroup`
moves the parameters' data into such an array (each `p.data` becomes a view into it: the model sees
no difference), keeps the optimizer state the same way (each parameter's state arrays are views into
one array per state), and gathers the gradients into one array with a single `concatenate`.

Only groups of many small tensors of one dtype are packed: for big tensors the call overhead is
negligible and gathering the gradients would cost an extra pass over memory.
"""

import numpy as np

# Pack when the group's tensors hold at most this many elements on average.
MAX_MEAN_SIZE = 16384


def worth_packing(params) -> bool:
    if len(params) < 2 or len({p.data.dtype for p in params}) != 1:
        return False
    return sum(p.data.size for p in params) / len(params) <= MAX_MEAN_SIZE


class PackedGroup:
    """The parameters of one group as views into one flat array, plus the matching flat state."""

    def __init__(self, params):
        self.params = list(params)
        self.shapes = [p.data.shape for p in self.params]
        bounds = np.cumsum([0] + [p.data.size for p in self.params])
        self.slices = [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
        self.flat = np.empty(int(bounds[-1]), dtype=self.params[0].data.dtype)
        self.views = self.split(self.flat)
        for p, view in zip(self.params, self.views):
            view[...] = p.data
            p._data = view  # not `p.data = ...`: the values are unchanged, so this is no in-place change
        self.grad = np.empty_like(self.flat)
        self.state = None  # the flat state dict, made on the first packed step
        self.aligned = False  # known: every parameter has taken the same number of steps

    def split(self, flat: np.ndarray) -> list:
        """One view per parameter, shaped like the parameter, into a flat array."""
        return [flat[s].reshape(shape) for s, shape in zip(self.slices, self.shapes)]

    def intact(self) -> bool:
        """False if someone replaced a parameter's `.data` with another array since packing."""
        return all(p._data is view for p, view in zip(self.params, self.views))

    def gather_grads(self) -> np.ndarray:
        np.concatenate([p._grad.reshape(-1) for p in self.params], out=self.grad)
        return self.grad

    def make_state(self, flat_state: dict, states: dict) -> None:
        """Adopt `flat_state` (made for the flat array), copying in any per-parameter state that exists,
        and make every parameter's state arrays views into it."""
        first = states.get(self.params[0], {})
        for key, value in flat_state.items():
            if isinstance(value, np.ndarray):
                for p, view in zip(self.params, self.split(value)):
                    if p in states:
                        view[...] = states[p][key]
            elif key in first:
                flat_state[key] = first[key]
        for p, i in zip(self.params, range(len(self.params))):
            states[p] = {k: (v[self.slices[i]].reshape(self.shapes[i]) if isinstance(v, np.ndarray) else v) for k, v in flat_state.items()}
        self.state = flat_state

    def take_scalars(self, states: dict) -> None:
        """Before a packed step: the numbers (step counter, ...) from the parameters' own state, which
        per-parameter steps may have advanced (they are equal for all: packed steps need that)."""
        own = states[self.params[0]]
        for key, value in self.state.items():
            if not isinstance(value, np.ndarray):
                self.state[key] = own[key]

    def share_scalars(self, states: dict) -> None:
        """After a packed step: the step counter and other numbers are per parameter too."""
        scalars = {k: v for k, v in self.state.items() if not isinstance(v, np.ndarray)}
        for p in self.params:
            states[p].update(scalars)
