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

Big arrays (a tensor or a packed group of more than 512 KiB) are updated block by block, each block
small enough to stay in the CPU cache for all of the rule's passes (see `_update_in_blocks`).
The rules are elementwise, so blocks change no result, only the memory traffic. Backward stores the
gradients of a big packed group in one array laid out like its parameters, so the step reads them
where they are instead of gathering them first.

Every hyperparameter is checked when a group is added: a number where a number is expected, True or
False for a switch, and within its range, with the argument's name in the error.

Parameters may be split into groups with their own hyperparameters, as in PyTorch:

    optim.SGD([{"params": model.body.parameters()}, {"params": model.head.parameters(), "lr": 0.1}], lr=0.01)
"""

import functools
import inspect
import numbers

import numpy as np

from minigrad.optim.packing import PackedGroup, aligned_empty, block_size, worth_blocking, worth_packing
from minigrad.tensor import Tensor


def _flat_views(param: np.ndarray, state: dict) -> bool:
    """True if the parameter and its state arrays can be seen as flat arrays without a copy."""
    return param.flags.c_contiguous and all(
        v.flags.c_contiguous for v in state.values() if isinstance(v, np.ndarray)
    )


@functools.cache
def _takes_scratch(rule) -> bool:
    """True if an update rule takes a `scratch` work array (see Optimizer.update_rule)."""
    try:
        return "scratch" in inspect.signature(rule).parameters
    except (TypeError, ValueError):  # no signature to read (a built-in): give it nothing extra
        return False


def work_array(param: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
    """A rule's work array: `scratch` if the optimizer gave one (see Optimizer.update_rule), else a new
    array like param. An array even for a 0-d param, where NumPy arithmetic would give a scalar that an
    `out=` argument cannot take."""
    return np.empty_like(param) if scratch is None else scratch


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
    # Hyperparameters added after state dicts were first saved, with the value that gives the old
    # behaviour: load_state_dict fills them in when an older state dict lacks them.
    added_later: dict = {}

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}  # parameter -> its state dict (arrays and numbers)
        # group index -> PackedGroup or None. Packing a group of small tensors moves their data into one
        # array (each p.data becomes a view into it) when the optimizer is made; see packing.py.
        self._packing = {}
        self._work = {}  # dtype -> the work array that big arrays' blocks share (see _work_array)
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
                    raise TypeError(
                        f"{type(self).__name__}: invalid {name} = {value!r}: must be True or False"
                    )
            elif name != "betas":
                self._require_number(name, value)
        self._require(group, "lr", group["lr"] >= 0, "must be ≥ 0")
        self._require(group, "weight_decay", group.get("weight_decay", 0) >= 0, "must be ≥ 0")

    def init_state(self, param: np.ndarray, group: dict) -> dict:
        """The state of a parameter before its first step: {"step": 0, ...arrays}."""
        raise NotImplementedError

    def update_rule(self, group: dict):
        """(rule, keyword arguments) for a group: `rule(param, grad, state, **kwargs)` updates one
        parameter array and its state in place. The arrays a rule gets have at least one dimension (a
        0-d parameter comes as a 1-element view), so its `out=` arguments always receive arrays.

        A rule that takes a keyword argument `scratch` (a work array like param, which the rule makes
        when it is None) is given one when a big array is updated block by block: one buffer then
        serves every block, and stays in the cache, instead of a new array per block."""
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
            # A 0-d parameter is updated through 1-element views, as a big one is through blocks: NumPy
            # arithmetic on 0-d arrays gives scalars, which a rule's in-place `out=` cannot take.
            if (p.data.ndim == 0 or worth_blocking(p.data)) and _flat_views(p.data, state):
                flat_grad = grad.reshape(-1)
                self._update_in_blocks(
                    group,
                    rule,
                    hyperparameters,
                    p.data.reshape(-1),
                    lambda a, b: (flat_grad[a:b], False),
                    state,
                )
            else:
                self._decay_and_update(group, rule, hyperparameters, p.data, grad, False, state)

    def _step_packed(self, packed, group, rule, hyperparameters) -> None:
        """The same update for the whole group at once (see packing.py): identical results, one call
        (or one per block, for a big group)."""
        if packed.state is None:
            packed.make_state(self.init_state(packed.flat, group), self.state)
        packed.take_scalars(self.state)  # per-parameter steps may have run in between
        packed.state["step"] += 1
        if not worth_blocking(packed.flat):
            grad, owned = packed.gather_grads(0, packed.flat.size)
            self._decay_and_update(group, rule, hyperparameters, packed.flat, grad, owned, packed.state)
        else:
            self._update_in_blocks(
                group, rule, hyperparameters, packed.flat, packed.grads_of_blocks(), packed.state
            )
        packed.share_scalars(self.state)
        packed.renew_grad_home()

    def _update_in_blocks(self, group, rule, hyperparameters, flat, grad_of, state) -> None:
        """The update of a flat array block by block, each block small enough that its parameter,
        gradient, state and work arrays stay in the CPU cache for the rule's ten-odd passes (one
        pass over a whole big array would go to memory and back each time). The rules are
        elementwise, so the result is bit-identical to one call on the whole array. Each block sees the
        state's numbers (step, Nadam's mu_product) as they were before the step; a rule that updates
        one computes the same new value in every block, and the last block's is kept."""
        size = block_size(flat)
        arrays = {key: value.reshape(-1) for key, value in state.items() if isinstance(value, np.ndarray)}
        scratch = self._work_array(flat.dtype, min(size, flat.size))
        if _takes_scratch(rule):
            hyperparameters = dict(hyperparameters, scratch=scratch)
        for start in range(0, flat.size, size):
            stop = min(start + size, flat.size)
            block_state = dict(state)
            for key, value in arrays.items():
                block_state[key] = value[start:stop]
            grad, owned = grad_of(start, stop)
            if stop - start < size and "scratch" in hyperparameters:  # the last block is shorter
                hyperparameters["scratch"] = scratch[: stop - start]
            self._decay_and_update(group, rule, hyperparameters, flat[start:stop], grad, owned, block_state)
        state.update((key, value) for key, value in block_state.items() if key not in arrays)

    def _work_array(self, dtype, size: int) -> np.ndarray:
        """The rules' `scratch` for blocks: `size` elements, kept from step to step so that every block
        of every step uses the same memory (which stays in the cache)."""
        work = self._work.get(dtype)
        if work is None or work.size < size:
            work = self._work[dtype] = aligned_empty(size, dtype)
        return work[:size]

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
            else:  # g + wd·θ as wd·θ + g (the same sum) in one new array: less for a block to keep in cache
                decayed = np.multiply(param, weight_decay)
                decayed += grad
                grad = decayed
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

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (set it to None, or to zeros with set_to_none=False, as
        PyTorch's), so the next backward starts afresh."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p._grad is None:
                    p._grad = None
                else:
                    p._grad[...] = 0

    # -- state dicts ------------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        """{"optimizer": class name, "state": {index: {name: array or number}},
        "param_groups": [{hyperparameters, "params": [indices]}]}, with parameters numbered in order
        across groups (PyTorch's layout, plus the class name so that loading can refuse another
        optimizer's state); `minigrad.save` can store it."""
        index, groups = 0, []
        numbering = {}
        for group in self.param_groups:
            indices = list(range(index, index + len(group["params"])))
            for i, p in zip(indices, group["params"]):
                numbering[id(p)] = i
            index += len(indices)
            groups.append({**{k: _copy(v) for k, v in group.items() if k != "params"}, "params": indices})
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[numbering[id(p)]] = {k: _copy(v) for k, v in self.state[p].items()}
        return {"optimizer": type(self).__name__, "state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyperparameters and state saved by `state_dict()` (for the same parameters, in order).

        Everything is checked before anything changes: the optimizer type, the parts and the number of
        groups and parameters, every hyperparameter (as the constructor checks it), and every state
        entry (the names this optimizer keeps, numbers where numbers belong, arrays of the parameter's
        shape). On any error the optimizer is untouched and the message names what is wrong."""
        groups, state = self._checked_state(state_dict)
        for group, saved in zip(self.param_groups, groups):
            group.clear()
            group.update(saved)
        self.state = state
        for packed in self._packing.values():
            if packed is not None:
                packed.state = None  # rebuilt from the loaded per-parameter state on the next step
                packed.aligned = False

    def _checked_state(self, state_dict) -> tuple:
        """(new param_groups, new state) from a state dict, or a ValueError naming what is wrong."""
        name = type(self).__name__

        def fail(message):
            raise ValueError(f"{name}.load_state_dict: {message}")

        if not isinstance(state_dict, dict):
            fail(f"expected a dict, got {type(state_dict).__name__}")
        saved_type = state_dict.get("optimizer", name)  # state dicts from before the type was stored
        if saved_type != name:
            fail(f"the state dict is from {saved_type!r}, not {name}")
        for part, kind in (("state", dict), ("param_groups", (list, tuple))):
            if part not in state_dict:
                fail(f"the state dict has no {part!r}")
            if not isinstance(state_dict[part], kind):
                fail(f"{part!r} is a {type(state_dict[part]).__name__}")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            fail(
                f"the state has {len(saved_groups)} parameter groups, the optimizer {len(self.param_groups)}"
            )

        groups, params_by_index = [], {}
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            where = f"parameter group {i}"
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
                fail(f"{where} is not a dict with a 'params' list")
            indices = saved["params"]
            if len(indices) != len(group["params"]):
                fail(
                    f"{where} has {len(indices)} parameters in the state, {len(group['params'])} in the optimizer"
                )
            for index, p in zip(indices, group["params"]):
                if (
                    isinstance(index, bool)
                    or not isinstance(index, (int, np.integer))
                    or int(index) in params_by_index
                ):
                    fail(f"{where}: parameter index {index!r} is not an int or appears twice")
                params_by_index[int(index)] = p
            # Hyperparameters added in a later version take their old meaning when a state dict from
            # before lacks them (as PyTorch's __setstate__ does), e.g. Adam's eps_hat = False.
            saved = {**self.added_later, **saved}
            missing = [k for k in self.defaults if k not in saved]
            if missing:
                fail(f"{where} lacks the hyperparameter(s) {', '.join(missing)}")
            # A key neither this optimizer nor the live group knows belongs to another optimizer;
            # "initial_lr" is the learning-rate schedulers' own entry, as in PyTorch.
            unknown = [k for k in saved if k not in group and k not in ("params", "initial_lr")]
            if unknown:
                fail(f"{where} has hyperparameter(s) {name} does not take: {', '.join(map(str, unknown))}")
            new_group = {
                **group,
                **{k: _copy(v) for k, v in saved.items() if k != "params"},
                "params": group["params"],
            }
            if isinstance(new_group.get("betas"), list):
                new_group["betas"] = tuple(new_group["betas"])
            try:
                self.check_hyperparameters(new_group)
            except (ValueError, TypeError) as error:
                fail(f"{where}: {error}")
            groups.append(new_group)

        group_of = {id(p): g for g in groups for p in g["params"]}
        state = {}
        for index, entries in state_dict["state"].items():
            try:
                p = params_by_index[int(index)]
            except (KeyError, TypeError, ValueError):
                fail(f"state for parameter {index!r}, which no parameter group lists")
            if not isinstance(entries, dict):
                fail(f"the state of parameter {index} is a {type(entries).__name__}, not a dict")
            expected = self.init_state(p.data, group_of[id(p)])
            if set(entries) != set(expected):
                missing = sorted(set(expected) - set(entries), key=str)
                extra = sorted(set(entries) - set(expected), key=str)
                fail(
                    f"the state of parameter {index} "
                    + "; ".join(
                        text
                        for text in (
                            f"lacks {', '.join(map(str, missing))}" if missing else "",
                            f"has unknown {', '.join(map(str, extra))}" if extra else "",
                        )
                        if text
                    )
                )
            state[p] = {key: _checked_entry(value, expected[key], p, lambda m, k=key: fail(f"state {k!r} of parameter {index}: {m}"))
                        for key, value in entries.items()}  # fmt: skip
        return groups, state

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
            raise ValueError(
                f"{type(self).__name__}: invalid betas = {betas!r}: must be a pair (β₁, β₂), got {len(betas)} values"
            )
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


def _checked_entry(value, template, param, fail):
    """A loaded state entry, converted like the entry `init_state` makes: a copied array of the
    parameter's shape and dtype, or a number (a step count is an int ≥ 0)."""
    if isinstance(template, np.ndarray):
        array = value.data if isinstance(value, Tensor) else value
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
            fail(f"expected an array of numbers, got {type(value).__name__}")
        if array.shape != param.shape:
            fail(f"shape {array.shape}, but the parameter has shape {param.shape}")
        return array.astype(param.dtype, copy=True)  # float32 parameters keep float32 state
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        fail(f"expected a number, got {type(value).__name__}")
    if isinstance(template, int):
        if not float(value).is_integer() or value < 0:
            fail(f"expected a count ≥ 0, got {value!r}")
        return int(value)
    return float(value)
