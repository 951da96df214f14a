"""Shared test set-up: tests/ is on sys.path so every test can ``from parity import check``."""
import numpy as np
import pytest

import glasstorch
import glasstorch.autograd.function

# every op recorded anywhere in the suite checks that its declared ``saves`` finds all the memory its
# forward keeps (a missed name would let an in-place write go unnoticed: a silently wrong gradient)
glasstorch.autograd.function.AUDIT_SAVES = True


@pytest.fixture(autouse=True)
def _fresh_state():
    """Each test starts from the same seed and the default dtype, with gradients on."""
    glasstorch.manual_seed(0)
    yield
    glasstorch.set_default_dtype(glasstorch.float32)
    glasstorch.autograd.grad_mode.GradMode.enabled = True


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
