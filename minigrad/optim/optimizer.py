"""`Optimizer`: the loop every optimizer shares. A subclass only says what makes it different.

    optimizer = optim.Adam(model.parameters(), lr=1e-3)
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

    optim.SGD([{"params": model.body.parameters()}, {"params": model.head.parameters(), "lr": 0.1}], lr=0.01)
"""

import numpy as np

from minigrad.optim.packing import PackedGroup, worth_packing
from minigrad.tensor import Tensor


class Optimizer:
    # Subclasses set these:
    decoupled_weight_decay = False  # True: θ ← θ·(1 − lr·wd) before the update (AdamW) instead of g += wd·θ

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
        """Raise ValueError naming the argument if a hyperparameter is invalid (subclasses extend this)."""
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
        weight_decay, lr = group.get("weight_decay", 0), group["lr"]
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            if weight_decay != 0:
                if self.decoupled_weight_decay:
                    p.data *= 1 - lr * weight_decay
                else:
                    grad = grad + weight_decay * p.data  # a new array: p.grad stays as it is
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = self.init_state(p.data, group)
            state["step"] += 1  # t counts this parameter's steps from 1
            rule(p.data, grad, state, **hyperparameters)

    def _step_packed(self, packed, group, rule, hyperparameters) -> None:
        """The same update for the whole group at once (see packing.py): identical results, one call."""
        weight_decay, lr = group.get("weight_decay", 0), group["lr"]
        grad = packed.gather_grads()  # our own array: weight decay may be added in place
        if weight_decay != 0:
            if self.decoupled_weight_decay:
                packed.flat *= 1 - lr * weight_decay
            else:
                grad += weight_decay * packed.flat
        if packed.state is None:
            packed.make_state(self.init_state(packed.flat, group), self.state)
        packed.take_scalars(self.state)  # per-parameter steps may have run in between
        packed.state["step"] += 1
        rule(packed.flat, grad, packed.state, **hyperparameters)
        packed.share_scalars(self.state)

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

    def _require_betas(self, group: dict) -> None:
        betas = group["betas"]
        for i, beta in enumerate(betas):
            if not 0 <= beta < 1:
                raise ValueError(f"{type(self).__name__}: invalid betas[{i}] = {beta!r}: must be in [0, 1)")

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

