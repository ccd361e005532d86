"""`Module`: a piece of a network that holds parameters and says how to compute its output.

Subclass it, assign layers and `Parameter`s as attributes in `__init__`, and define `forward`:

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(64, 128)
            self.fc2 = nn.Linear(128, 10)
        def forward(self, x):
            return self.fc2(self.fc1(x).relu())

There is no registration: `parameters()` finds parameters by walking the attributes (and lists, tuples
and dicts of them) in the order they were defined, exactly as PyTorch names them ("fc1.weight", "0.bias").
`params()` is the same list under a shorter name.
"""

from collections import OrderedDict

import numpy as np

from minigrad.dtypes import as_dtype
from minigrad.errors import check_device
from minigrad.tensor import Tensor


class Parameter(Tensor):
    """A tensor that is trained: it requires grad and `Module.parameters()` finds it."""

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True):
        super().__init__(data.data if isinstance(data, Tensor) else data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """A tensor that is part of a module's state but not trained (e.g. batch-norm running statistics):
    it is saved in `state_dict()` but not returned by `parameters()`."""

    __slots__ = ()

    def __init__(self, data):
        super().__init__(data.data if isinstance(data, Tensor) else data)


class Module:
    def __init__(self):
        self.training = True

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def fuse_with(self, following: "Module"):
        """A function computing `following(self(x))` in one step, or None (the default). `Sequential`
        uses it for adjacent layers, e.g. Linear + ReLU become one graph node."""
        return None

    # -- walking the attributes ------------------------------------------------------------------------

    def _named_members(self, prefix: str = ""):
        """(dotted name, value) for every Parameter, Buffer and Module directly held by this module,
        including those inside lists, tuples and dicts, in definition order."""
        stack = [(prefix + name, value) for name, value in vars(self).items() if not name.startswith("_")]
        stack.reverse()
        while stack:
            name, value = stack.pop()
            if isinstance(value, (Tensor, Module)):
                yield name, value
            elif isinstance(value, (list, tuple)):
                stack.extend(reversed([(f"{name}.{i}", v) for i, v in enumerate(value)]))
            elif isinstance(value, dict):
                stack.extend(reversed([(f"{name}.{k}", v) for k, v in value.items()]))

    def _named_tensors(self, kind, prefix: str = "", seen=None):
        """Depth-first (name, tensor) of the given kind (Parameter or Buffer), each tensor once."""
        seen = set() if seen is None else seen
        for name, value in self._named_members(prefix):
            if isinstance(value, Module):
                if id(value) not in seen:
                    seen.add(id(value))
                    yield from value._named_tensors(kind, name + ".", seen)
            elif isinstance(value, kind) and id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def named_params(self):
        """(dotted name, parameter) pairs, in definition order, each parameter once."""
        return list(self._named_tensors(Parameter))

    def params(self) -> list:
        """The trainable parameters, in definition order, each once: what an optimizer takes."""
        return [p for _, p in self._named_tensors(Parameter)]

    def parameters(self, recurse: bool = True) -> list:
        """The trainable parameters (PyTorch's name for `params()`)."""
        return self.params()

    def named_parameters(self) -> list:
        """(dotted name, parameter) pairs (PyTorch's name for `named_params()`)."""
        return self.named_params()

    def named_buffers(self):
        return list(self._named_tensors(Buffer))

    def buffers(self) -> list:
        """The non-trained state tensors (batch-norm running statistics), in definition order."""
        return [b for _, b in self._named_tensors(Buffer)]

    def register_buffer(self, name: str, value) -> None:
        """PyTorch's way to add non-trained state; the same as `self.name = nn.Buffer(value)`."""
        setattr(self, name, Buffer(value))

    def children(self) -> list:
        """The modules held directly by this one (each once)."""
        found = OrderedDict()
        for _, value in self._named_members():
            if isinstance(value, Module):
                found.setdefault(id(value), value)
        return list(found.values())

    def named_children(self):
        found = OrderedDict()
        for name, value in self._named_members():
            if isinstance(value, Module):
                found.setdefault(id(value), (name, value))
        return list(found.values())

    def modules(self) -> list:
        """This module and every module below it, each once, depth first."""
        found, stack = OrderedDict(), [self]
        while stack:
            module = stack.pop()
            if id(module) not in found:
                found[id(module)] = module
                stack.extend(reversed(module.children()))
        return list(found.values())

    # -- training helpers ------------------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters: set them to None (or to zeros, with set_to_none=False)."""
        for p in self.params():
            if set_to_none or p._grad is None:
                p._grad = None
            else:
                p._grad[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Switch gradient tracking of every parameter on or off (e.g. to freeze a part of a model)."""
        for p in self.params():
            p.requires_grad = requires_grad
        return self

    def apply(self, fn) -> "Module":
        """Call `fn(module)` on every submodule and this one, children first (as PyTorch), e.g. to initialise."""
        for module in reversed(self.modules()):
            fn(module)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """`model.to("cpu")` returns the model (the CPU is the only device, another one is an error);
        `model.to(minigrad.float64)` converts every parameter and buffer to that float dtype."""
        for arg in list(args) + list(kwargs.values()):
            if isinstance(arg, str) or hasattr(arg, "type"):
                check_device(arg)
                continue
            dtype = as_dtype(arg)
            if dtype.kind != "f":
                raise TypeError(
                    f"{type(self).__name__}.to: parameters can only have a floating-point dtype, got {dtype}"
                )
            for tensor in self._state_tensors().values():
                if tensor.dtype.kind == "f" and tensor.dtype != dtype:
                    tensor.data = tensor.data.astype(dtype)
                    tensor.grad = None
        return self

    def cpu(self) -> "Module":
        return self

    def train(self, mode: bool = True) -> "Module":
        """Training mode (dropout active, batch norm uses batch statistics) for this module and below."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> "Module":
        """Evaluation mode: `train(False)`."""
        return self.train(False)

    # -- state dicts -------------------------------------------------------------------------------------

    def _state_tensors(self) -> "OrderedDict[str, Tensor]":
        """Parameters and buffers by name: a module's own first, then its children's, as PyTorch orders them."""
        state = OrderedDict()
        seen = set()

        def visit(module, prefix):
            children = []
            for name, value in module._named_members(prefix):
                if isinstance(value, Module):
                    children.append((name, value))
                elif isinstance(value, (Parameter, Buffer)) and id(value) not in seen:
                    seen.add(id(value))
                    state[name] = value
            for name, child in children:
                if id(child) not in seen:
                    seen.add(id(child))
                    visit(child, name + ".")

        visit(self, "")
        return state

    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """Every parameter and buffer as a copied ndarray, by dotted name (PyTorch's names and order)."""
        return OrderedDict((name, t.data.copy()) for name, t in self._state_tensors().items())

    def load_state_dict(self, state_dict, strict: bool = True) -> None:
        """Copy arrays into the parameters and buffers of the same names (in place, keeping dtypes).

        With `strict`, every key must match. Every entry is checked and converted before anything is
        written: a shape mismatch, or a value that is not an array of numbers castable to the
        tensor's dtype (a float into an integer buffer, a string, a complex number...), is an error
        that names the key, and the model is then left exactly as it was.
        """
        name_of_model = type(self).__name__
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(
                f"load_state_dict for {name_of_model}: expected a dict of arrays, got {type(state_dict).__name__}"
            )
        own = self._state_tensors()
        missing = [name for name in own if name not in state_dict]
        unexpected = [str(name) for name in state_dict.keys() if name not in own]
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        arrays = {}
        for name, tensor in own.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            value = value.data if isinstance(value, Tensor) else value
            try:
                array = np.asarray(value)
            except Exception as error:  # e.g. a ragged nested list
                problems.append(f"{name} cannot be made an array ({type(error).__name__}: {error})")
                continue
            if array.dtype.kind not in "biuf" or not np.can_cast(
                array.dtype, tensor.dtype, casting="same_kind"
            ):
                problems.append(
                    f"dtype mismatch for {name}: the state dict has {array.dtype}, the model has {tensor.dtype}"
                )
            elif array.shape != tensor.shape:
                problems.append(
                    f"shape mismatch for {name}: the state dict has {array.shape}, the model has {tensor.shape}"
                )
            else:
                arrays[name] = array.astype(tensor.dtype, copy=True)  # converted now: writing cannot fail
        if problems:
            raise RuntimeError(f"load_state_dict for {name_of_model}: " + "; ".join(problems))
        for name, array in arrays.items():
            own[name].data[...] = array

    # -- printing ------------------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The layer's settings, shown inside the parentheses of its repr."""
        return ""

    def __repr__(self) -> str:
        children = self.named_children()
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        if self.extra_repr():
            lines.append("  " + self.extra_repr())
        for name, child in children:
            child_repr = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child_repr}")
        lines.append(")")
        return "\n".join(lines)


class Sequential(Module):
    """Modules applied one after another: `Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))`.

    Its layers are named "0", "1", ..., so parameters are "0.weight", "2.bias" as in PyTorch.
    """

    def __init__(self, *modules):
        super().__init__()
        super().__setattr__("_layer_list", [])
        super().__setattr__("_plan", [])
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(module).__name__}, not a Module")
            setattr(self, str(i), module)

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if isinstance(value, Module):  # keep the list and the plan `forward` uses in step with the attributes
            layers = [v for v in vars(self).values() if isinstance(v, Module)]
            super().__setattr__("_layer_list", layers)
            super().__setattr__("_plan", _plan(layers))

    def _layers(self) -> list:
        return self._layer_list

    def forward(self, x):
        for step in self._plan:
            x = step(x)
        return x

    def __getitem__(self, index):
        layers = self._layers()
        if isinstance(index, slice):
            return Sequential(*layers[index])
        return layers[index]

    def __len__(self) -> int:
        return len(self._layers())

    def __iter__(self):
        return iter(self._layers())


def _plan(layers: list) -> list:
    """The calls `Sequential.forward` makes: each layer, or one fused call for a pair of layers that
    offers one (see `Module.fuse_with`)."""
    plan, i = [], 0
    while i < len(layers):
        fused = layers[i].fuse_with(layers[i + 1]) if i + 1 < len(layers) else None
        plan.append(fused or layers[i])
        i += 2 if fused else 1
    return plan
