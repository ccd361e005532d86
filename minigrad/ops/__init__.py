"""The differentiable operations, one small class each (see `minigrad/function.py` for the pattern)."""
