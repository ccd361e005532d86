"""Packing a parameter group into one contiguous array, so an update rule runs once per group.

A small network has a handful of small tensors, and an update rule costs ~10 NumPy calls per tensor:
for Adam on an MLP's 6 tensors that is ~70 calls, most of it call overhead. The rules are elementwise,
so they give the same result on one long array holding every parameter end to end. `PackedGroup`
moves the parameters' data into such an array (each `p.data` becomes a view into it: the model sees
no difference), keeps the optimizer state the same way (each parameter's state arrays are views into
one array per state), and gathers the gradients into one array with a single `concatenate`.

Only groups of many small tensors of one dtype are packed: for big tensors the call overhead is
negligible and gathering the gradients would cost an extra pass over memory. A packed group worth
updating in blocks (more than MIN_BLOCKS blocks of BLOCK_BYTES) is updated block by block. Such a
group gives its gradients a home laid out like `flat`: backward stores each parameter's gradient in
its piece of one array (`p._grad_home`, see `autograd._store_grad`), so the step reads them where
they are instead of gathering them block by block (gathering is one call for a small group but one
per block, and a pass over memory, for a big one). Gradients found elsewhere (assigned by the user:
`p.grad = g`) are gathered one block at a time into a block-sized buffer that stays in the cache.

A home is reused from step to step, so it must never be an array the user still holds: reading
`p.grad` while it is at home hands the array over (`Tensor.grad` forgets the home), and the next step
gives the group a new one. Zeroing with `zero_grad(set_to_none=False)` keeps the gradients where they
are and backward adds to them there, as in PyTorch.
"""

import bisect
import mmap

import numpy as np

# Pack when the group's tensors hold at most this many elements on average.
MAX_MEAN_SIZE = 16384

# Big arrays are updated in blocks of this many bytes per array: a block's parameter, gradient, state and
# work arrays (five or six of them, 1.5 MiB) then fit in a core's L2 cache together (see
# Optimizer._update_in_blocks). Measured on a 2 MiB L2 (benchmarks/run.py, W4), Adam over 1M float32 is
# fastest with 256 KiB blocks: smaller ones cost more calls, bigger ones spill out of the cache.
# Arrays of up to MIN_BLOCKS blocks are updated in one piece: for them, splitting costs more calls
# than the cache saves.
BLOCK_BYTES = 256 * 1024
MIN_BLOCKS = 2


# The arrays a packed group owns start on a cache-line boundary. NumPy only promises 16-byte alignment,
# and a vectorised loop whose output is not aligned to a cache line stores across two lines at a time:
# measured here, that makes a pass such as `np.subtract(a, b, out=c)` up to twice as slow.
CACHE_LINE = 64


# Arrays of a huge page or more start on a huge page and ask Linux to back them with huge pages: a
# step over a big group then needs one TLB entry per 2 MiB instead of one per 4 KiB. Measured with
# benchmarks/run.py, this makes W4b (Adam over 100 tensors of 10k) about 4 % faster.
HUGE_PAGE = 2 * 1024 * 1024


def aligned_empty(shape, dtype) -> np.ndarray:
    """An uninitialised array, like `np.empty(shape, dtype)`, whose data starts on a cache line (on a
    huge page, for an array of a huge page or more)."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    if nbytes >= HUGE_PAGE:
        raw, boundary = _huge_page_memory(nbytes + HUGE_PAGE), HUGE_PAGE
    else:
        raw, boundary = np.empty(nbytes + CACHE_LINE, dtype=np.uint8), CACHE_LINE
    start = -raw.ctypes.data % boundary
    return raw[start : start + nbytes].view(dtype).reshape(shape)


def _huge_page_memory(nbytes: int) -> np.ndarray:
    """`nbytes` of new memory (bytes), which Linux backs with huge pages where it can."""
    if not hasattr(mmap, "MADV_HUGEPAGE"):  # not Linux
        return np.empty(nbytes, dtype=np.uint8)
    # Private anonymous memory, as NumPy gets for a big array (shared memory would not get huge pages).
    memory = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    try:
        memory.madvise(mmap.MADV_HUGEPAGE)
    except OSError:  # a kernel without transparent huge pages
        pass
    return np.frombuffer(memory, dtype=np.uint8)


def aligned_copy(array: np.ndarray) -> np.ndarray:
    """A copy of `array` whose data starts on a cache line."""
    copy = aligned_empty(array.shape, array.dtype)
    copy[...] = array
    return copy


def block_size(array: np.ndarray) -> int:
    """How many elements of `array` make one block."""
    return BLOCK_BYTES // array.itemsize


def worth_blocking(array: np.ndarray) -> bool:
    """True if `array` is big enough to be updated block by block."""
    return array.size > MIN_BLOCKS * block_size(array)


def worth_packing(params) -> bool:
    if len(params) < 2 or len({p.data.dtype for p in params}) != 1:
        return False
    return sum(p.data.size for p in params) / len(params) <= MAX_MEAN_SIZE


class PackedGroup:
    """The parameters of one group as views into one flat array, plus the matching flat state."""

    def __init__(self, params):
        self.params = list(params)
        self.shapes = [p.data.shape for p in self.params]
        self.bounds = [int(b) for b in np.cumsum([0] + [p.data.size for p in self.params])]
        self.slices = [slice(a, b) for a, b in zip(self.bounds[:-1], self.bounds[1:])]
        self.flat = aligned_empty(self.bounds[-1], self.params[0].data.dtype)
        self.views = self.split(self.flat)
        for p, view in zip(self.params, self.views):
            view[...] = p.data
            p._data = view  # not `p.data = ...`: the values are unchanged, so this is no in-place change
        # The gathered gradients: of the whole group, or of one block at a time for a group worth
        # updating in blocks (see Optimizer._update_in_blocks), so that the buffer stays in the cache.
        self.grad = aligned_empty(
            block_size(self.flat) if worth_blocking(self.flat) else self.flat.size, self.flat.dtype
        )
        self.grad_home = self.grad_homes = None  # made only for a group updated in blocks
        if worth_blocking(self.flat):
            self.make_grad_home()
        self._pieces = {}  # (start, stop) of a block -> the pieces of the parameters it holds (see gather_grads)
        self.state = None  # the flat state dict, made on the first packed step
        self.aligned = False  # known: every parameter has taken the same number of steps

    def split(self, flat: np.ndarray) -> list:
        """One view per parameter, shaped like the parameter, into a flat array."""
        return [flat[s].reshape(shape) for s, shape in zip(self.slices, self.shapes)]

    def intact(self) -> bool:
        """False if someone replaced a parameter's `.data` with another array since packing."""
        return all(p._data is view for p, view in zip(self.params, self.views))

    def make_grad_home(self) -> None:
        """A new home for the group's gradients: one array like `flat`, a view of it for each parameter."""
        self.grad_home = aligned_empty(self.flat.shape, self.flat.dtype)
        self.grad_homes = self.split(self.grad_home)
        for p, home in zip(self.params, self.grad_homes):
            p._grad_home = home

    def renew_grad_home(self) -> None:
        """After a step: a new home if a parameter lost its own (the user was handed its gradient, or
        another optimizer packed it since), so that the next backward stores every gradient at home."""
        if self.grad_home is None:
            return
        if any(p._grad_home is not home for p, home in zip(self.params, self.grad_homes)):
            self.make_grad_home()

    def grads_of_blocks(self):
        """For a step block by block: the function (start, stop) -> (the gradients of the flat
        elements start:stop, owned). When backward put every gradient at home (the usual case), it
        is a slice of the home; otherwise `gather_grads`."""
        if self.grad_home is not None and all(
            p._grad is home for p, home in zip(self.params, self.grad_homes)
        ):
            home = self.grad_home
            return lambda start, stop: (home[start:stop], False)
        return self.gather_grads

    def gather_grads(self, start: int, stop: int) -> tuple:
        """(the gradients of the flat elements start:stop, owned). Not owned: read where they are, in
        the one parameter's gradient that holds them all (a block inside a big parameter); owned:
        copied into the group's own buffer, which weight decay may change in place."""
        if start == 0 and stop == self.flat.size:  # the whole group (a small one)
            np.concatenate([p._grad.reshape(-1) for p in self.params], out=self.grad)
            return self.grad, True
        pieces = self._pieces.get((start, stop))
        if pieces is None:
            pieces = self._pieces[start, stop] = self._find_pieces(start, stop)
        if len(pieces) == 1:
            i, first, last = pieces[0]
            return self.params[i]._grad.reshape(-1)[first:last], False
        out = self.grad[: stop - start]
        np.concatenate([self.params[i]._grad.reshape(-1)[first:last] for i, first, last in pieces], out=out)
        return out, True

    def _find_pieces(self, start: int, stop: int) -> list:
        """[(parameter index, first, last)]: the parameters' elements first:last make up flat[start:stop]."""
        pieces = []
        i = bisect.bisect_right(self.bounds, start) - 1  # the parameter holding element `start`
        while start < stop:
            begin, end = self.bounds[i], min(self.bounds[i + 1], stop)
            pieces.append((i, start - begin, end - begin))
            start, i = end, i + 1
        return pieces

    def make_state(self, flat_state: dict, states: dict) -> None:
        """Adopt `flat_state` (made for the flat array), copying in any per-parameter state that exists,
        and make every parameter's state arrays views into it."""
        first = states.get(self.params[0], {})
        for key, value in flat_state.items():
            if isinstance(value, np.ndarray):
                value = flat_state[key] = aligned_copy(value)
                for p, view in zip(self.params, self.split(value)):
                    if p in states:
                        view[...] = states[p][key]
            elif key in first:
                flat_state[key] = first[key]
        for p, i in zip(self.params, range(len(self.params))):
            states[p] = {
                k: (v[self.slices[i]].reshape(self.shapes[i]) if isinstance(v, np.ndarray) else v)
                for k, v in flat_state.items()
            }
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
