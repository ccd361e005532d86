"""Whether operations record a graph: `no_grad()` switches it off, e.g. for evaluation or weight updates."""

import functools


class _GradMode:
    # A class attribute rather than a module global, so `Function.apply` reads it with one lookup.
    enabled = True


class _Clock:
    """Counts in-place changes across all tensors. A graph node remembers the count when it was made
    (`Function.stamp`); an input or output changed later has a larger `_changed_at` (see autograd.py)."""

    now = 0


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return _GradMode.enabled


class set_grad_enabled:
    """Turn graph recording on or off inside a `with` block, or for every call of a decorated function."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._previous = []  # a stack, so the same object can be entered again while inside

    def __enter__(self):
        self._previous.append(_GradMode.enabled)
        _GradMode.enabled = self.mode
        return self

    def __exit__(self, *exc_info):
        _GradMode.enabled = self._previous.pop()
        return False

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper


class _ModeWithoutArguments(set_grad_enabled):
    """A mode that takes no argument, so, as in PyTorch, it decorates a function with or without
    parentheses: `@no_grad()` and `@no_grad` are the same."""

    mode = None  # subclasses: the grad mode they switch to

    def __new__(cls, func=None):
        if func is None:
            return super().__new__(cls)
        if not callable(func):
            raise TypeError(
                f"{cls.__name__}() takes no arguments (got {func!r}); use it as `with {cls.__name__}():` or `@{cls.__name__}`"
            )
        return cls()(func)

    def __init__(self, func=None):
        super().__init__(type(self).mode)


class no_grad(_ModeWithoutArguments):
    """Record no graph: `with minigrad.no_grad(): ...`, or `@minigrad.no_grad` above a function."""

    mode = False


class enable_grad(_ModeWithoutArguments):
    """Record the graph again inside a `no_grad` region (a context manager or a decorator)."""

    mode = True
