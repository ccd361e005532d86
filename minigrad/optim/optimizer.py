"""`Optimizer`: the loop every optimizer shares. A subclass only says what makes it different.

    optimizer = optim.Adam(model.params(), lr=1e-3)
    for x, y in batches:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

`step()` visits every parameter that has a gradient, applies weight decay, creates the parameter's
state the first time, and hands (parameter, gradient, state, hyperparameters) to the optimizer's update rule, named by
the subclass's `update_rule`: a small function of NumPy arrays that reads like its equation
(e.g. `minigrad.optim.adam.adam`). The rules change the parameter and the state in place
and never touch `p.grad`.

For groups of many small tensors (a typical small network) the optimizer packs the parameters into
one array when it is created: each `p.data` becomes a view into it, and the update rule then runs
once per group instead of once per tensor (same results, far fewer NumPy calls; see packing.py).
Hold on to the parameter `p`, not to an old `p.data` array.

Parameters may be split into groups with their own hyperparameters, as in PyTorch:

    optim.SGD([{"params": model.body.params()}, {"params": model.head.params(), "lr": 0.1}], lr=0.01)
"""

import numbers

import numpy as np

from minigrad.optim.packing import PackedGroup, block_size, worth_packing
from minigrad.tensor import Tensor


def _flat_views(param: np.ndarray, state: dict) -> bool:
    """True if the parameter and its state arrays can be seen as flat arrays without a copy."""
    return param.flags.c_contiguous and all(v.flags.c_contiguous for v in state.values() if isinstance(v, np.ndarray))


def no_step_where_zero(denom: np.ndarray, eps: float) -> None:
    """Make x/denom = 0 where denom is 0, when the rule's ε is 0 (in denom's dtype).

    With ε = 0, a coordinate whose gradients have all been 0 (or so small that their squares underflow
    to 0) has a zero accumulator, and the rule would divide 0 by 0. For every ε > 0 that coordinate
    takes no step (0/(0 + ε) = 0), so no step is the ε → 0 limit: setting such denominators to ∞ gives
    exactly that (x/∞ = 0), without a NaN or a warning. With ε > 0 a denominator cannot be 0, and
    this costs nothing but the test of ε."""
    if denom.dtype.type(eps) == 0:
        np.copyto(denom, np.inf, where=denom == 0)


# The hyperparameters that are switches (True or False); every other one is a number, except betas.
FLAGS = frozenset({"nesterov", "centered", "amsgrad", "decoupled_weight_decay", "eps_hat", "simplified"})


class Optimizer:
    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}  # parameter -> its state dict (arrays and numbers)
        # group index -> PackedGroup or None. Packing a group of small tensors moves their data into one
        # array (each p.data becomes a view into it) when the optimizer is made; see packing.py.
        self._packing = {}
        params = list(params) if not isinstance(params, Tensor) else [params]
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        """Add a group of parameters; hyperparameters it doesn't set come from the defaults."""
        name = type(self).__name__
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{name}: a parameter group must be a dict with a 'params' entry")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameters must be Tensors, got {type(p).__name__}")
            if not p.requires_grad or not p.is_leaf:
                raise ValueError(f"{name}: every parameter must be a leaf tensor that requires grad")
            if id(p) in seen:
                raise ValueError(f"{name}: a parameter appears more than once in the parameter list")
            seen.add(id(p))
        group = {**self.defaults, **group, "params": params}
        self.check_hyperparameters(group)
        self.param_groups.append(group)
        self._packing[len(self.param_groups) - 1] = PackedGroup(params) if worth_packing(params) else None

    # -- what subclasses provide ----------------------------------------------------------------------

    def check_hyperparameters(self, group: dict) -> None:
        """Raise TypeError or ValueError naming the argument if a hyperparameter is invalid (subclasses
        extend this with the ranges of their own). Every hyperparameter is a number (not a bool, a
        string or None), except the switches in FLAGS (True or False) and `betas` (a pair of numbers,
        checked by _require_betas)."""
        for name in self.defaults:
            value = group[name]
            if name in FLAGS:
                if not isinstance(value, (bool, np.bool_)):
                    raise TypeError(f"{type(self).__name__}: invalid {name} = {value!r}: must be True or False")
            elif name != "betas":
                self._require_number(name, value)
        self._require(group, "lr", group["lr"] >= 0, "must be ≥ 0")
        self._require(group, "weight_decay", group.get("weight_decay", 0) >= 0, "must be ≥ 0")

    def init_state(self, param: np.ndarray, group: dict) -> dict:
        """The state of a parameter before its first step: {"step": 0, ...arrays}."""
        raise NotImplementedError

    def update_rule(self, group: dict):
        """(rule, keyword arguments) for a group: `rule(param, grad, state, **kwargs)` updates one
        parameter array and its state in place."""
        raise NotImplementedError

    # -- the shared loop ------------------------------------------------------------------------------

    def step(self) -> None:
        """Update every parameter that has a gradient (parameters whose .grad is None are skipped).

        The rules work on the parameters' arrays, outside the graph, so no `no_grad` is needed."""
        for index, group in enumerate(self.param_groups):
            rule, hyperparameters = self.update_rule(group)
            packed = self._packed(index)
            if packed is not None and self._can_step_packed(packed):
                self._step_packed(packed, group, rule, hyperparameters)
            else:
                self._step_each(group, rule, hyperparameters)
                if packed is not None:
                    packed.aligned = False  # some parameters may now be a step ahead of others

    def _step_each(self, group, rule, hyperparameters) -> None:
        """The update of every parameter on its own."""
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = self.init_state(p.data, group)
            state["step"] += 1  # t counts this parameter's steps from 1
            if p.data.size <= block_size(p.data) or not _flat_views(p.data, state):
                self._decay_and_update(group, rule, hyperparameters, p.data, grad, False, state)
            else:
                flat_grad = grad.reshape(-1)
                self._update_in_blocks(group, rule, hyperparameters, p.data.reshape(-1), lambda a, b: (flat_grad[a:b], False), state)

    def _step_packed(self, packed, group, rule, hyperparameters) -> None:
        """The same update for the whole group at once (see packing.py): identical results, one call
        (or one per block, for a group bigger than a block)."""
        if packed.state is None:
            packed.make_state(self.init_state(packed.flat, group), self.state)
        packed.take_scalars(self.state)  # per-parameter steps may have run in between
        packed.state["step"] += 1
        if packed.flat.size <= block_size(packed.flat):
            grad = packed.gather_grads(0, packed.flat.size)  # our own array: weight decay may be added in place
            self._decay_and_update(group, rule, hyperparameters, packed.flat, grad, True, packed.state)
        else:
            self._update_in_blocks(group, rule, hyperparameters, packed.flat, lambda a, b: (packed.gather_grads(a, b), True), packed.state)
        packed.share_scalars(self.state)

    def _update_in_blocks(self, group, rule, hyperparameters, flat, grad_of, state) -> None:
        """The update of a flat array block by block, each block small enough that its parameter,
        gradient, state and work arrays stay in the CPU cache for the rule's ten-odd passes (one
        pass over a whole big array would go to memory and back each time). The rules are
        elementwise, so the result is bit-identical to one call on the whole array. Each block sees the
        state's numbers (step, Nadam's mu_product) as they were before the step; a rule that updates
        one computes the same new value in every block, and the last block's is kept."""
        size = block_size(flat)
        arrays = {key: value.reshape(-1) for key, value in state.items() if isinstance(value, np.ndarray)}
        for start in range(0, flat.size, size):
            stop = min(start + size, flat.size)
            block_state = dict(state)
            for key, value in arrays.items():
                block_state[key] = value[start:stop]
            grad, owned = grad_of(start, stop)
            self._decay_and_update(group, rule, hyperparameters, flat[start:stop], grad, owned, block_state)
        state.update((key, value) for key, value in block_state.items() if key not in arrays)

    @staticmethod
    def _decay_and_update(group, rule, hyperparameters, param, grad, owned, state) -> None:
        """Weight decay, then the rule. `owned`: grad is the optimizer's own array (not p.grad), so the
        decay may be added to it in place; otherwise a new array is made and p.grad stays as it is."""
        weight_decay = group.get("weight_decay", 0)
        if weight_decay != 0:
            if group.get("decoupled_weight_decay", False):
                param *= 1 - group["lr"] * weight_decay
            elif owned:
                grad += weight_decay * param
            else:
                grad = grad + weight_decay * param
        rule(param, grad, state, **hyperparameters)

    def _packed(self, index):
        """The packed form of group `index` (None for a group not worth packing)."""
        packed = self._packing[index]
        if packed is not None and not packed.intact():  # someone replaced a parameter's .data
            packed = self._packing[index] = PackedGroup(packed.params)
        return packed

    def _can_step_packed(self, packed) -> bool:
        """Packed steps need every gradient, and every parameter at the same step count."""
        if any(p._grad is None for p in packed.params):
            return False
        if not packed.aligned:
            steps = {self.state[p]["step"] if p in self.state else 0 for p in packed.params}
            packed.aligned = len(steps) == 1
        return packed.aligned

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (set it to None), so the next backward starts afresh."""
        for group in self.param_groups:
            for p in group["params"]:
                p._grad = None

    # -- state dicts ------------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        """{"state": {index: {name: array or number}}, "param_groups": [{hyperparameters, "params": [indices]}]},
        with parameters numbered in order across groups (PyTorch's layout); `minigrad.save` can store it."""
        index, groups = 0, []
        numbering = {}
        for group in self.param_groups:
            indices = list(range(index, index + len(group["params"])))
            for i, p in zip(indices, group["params"]):
                numbering[id(p)] = i
            index += len(indices)
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": indices})
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[numbering[id(p)]] = {k: _copy(v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyperparameters and state saved by `state_dict()` (for the same parameters, in order)."""
        name = type(self).__name__
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the state has {len(saved_groups)} parameter groups, the optimizer {len(self.param_groups)}")
        params_by_index = {}
        for saved, group in zip(saved_groups, self.param_groups):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: a parameter group has {len(saved['params'])} parameters in the state, "
                    f"{len(group['params'])} in the optimizer"
                )
            params_by_index.update(zip(saved["params"], group["params"]))
        state = {}
        for index, entries in state_dict["state"].items():
            p = params_by_index[int(index)]
            state[p] = {}
            for key, value in entries.items():
                if isinstance(value, np.ndarray):
                    if value.shape != p.shape:
                        raise ValueError(f"{name}.load_state_dict: state {key!r} has shape {value.shape}, the parameter {p.shape}")
                    value = value.astype(p.dtype, copy=True)  # float32 parameters keep float32 state
                state[p][key] = value
        for saved, group in zip(saved_groups, self.param_groups):
            group.update({k: _copy(v) for k, v in saved.items() if k != "params"})
        self.state = state
        for packed in self._packing.values():
            if packed is not None:
                packed.state = None  # rebuilt from the loaded per-parameter state on the next step
                packed.aligned = False

    # -- helpers -----------------------------------------------------------------------------------------

    def _require(self, group: dict, name: str, condition: bool, requirement: str) -> None:
        if not condition:
            raise ValueError(f"{type(self).__name__}: invalid {name} = {group.get(name)!r}: {requirement}")

    def _require_number(self, name: str, value) -> None:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{type(self).__name__}: invalid {name} = {value!r}: must be a number")

    def _require_betas(self, group: dict) -> None:
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)):
            raise TypeError(f"{type(self).__name__}: invalid betas = {betas!r}: must be a pair (β₁, β₂)")
        if len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: invalid betas = {betas!r}: must be a pair (β₁, β₂), got {len(betas)} values")
        for i, beta in enumerate(betas):
            self._require_number(f"betas[{i}]", beta)
            if not 0 <= beta < 1:
                raise ValueError(f"{type(self).__name__}: invalid betas[{i}] = {beta!r}: must be in [0, 1)")
        group["betas"] = tuple(betas)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params")
        return "\n".join(lines + [")"])


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value

