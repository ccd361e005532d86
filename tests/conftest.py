import numpy as np
import pytest
from hypothesis import settings

import minigrad as mg

settings.register_profile("minigrad", max_examples=40, deadline=None)
settings.load_profile("minigrad")


@pytest.fixture(autouse=True)
def _fresh_state():
    """Every test starts from float32 default, grad mode on, and a fixed seed."""
    mg.set_default_dtype(np.float32)
    mg.manual_seed(0)
    yield
    mg.set_default_dtype(np.float32)
    assert mg.is_grad_enabled(), "a test left no_grad switched on"
