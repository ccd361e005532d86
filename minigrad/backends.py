"""`minigrad.backends.mps.is_available()` (and `cudnn`): no accelerator backend exists in minigrad."""

from types import SimpleNamespace

mps = SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
cudnn = SimpleNamespace(is_available=lambda: False, deterministic=True, benchmark=False)
