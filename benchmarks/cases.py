"""Benchmark cases: each builds, for one library (torch or glasstorch), a step function to time.

The same code runs on both libraries (that is the point of glasstorch's API), so each case is written once
with ``lib`` standing for the module.
"""
import numpy as np


def matmul_tanh_sum(lib):
    """(a) a 512×512 matmul, tanh and sum, forward and backward."""
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((512, 512)).astype(np.float32), requires_grad=True)
    b = lib.tensor(rng.standard_normal((512, 512)).astype(np.float32) / 20, requires_grad=True)

    def step():
        a.grad = b.grad = None
        (a @ b).tanh().sum().backward()

    return step


def small_op_chain(lib):
    """(b) Python overhead per op: 100 small elementwise ops on a 16×16 tensor, forward and backward.

    Reported per op: (step time) / 100.
    """
    x = lib.randn(16, 16, requires_grad=True)
    ones = lib.ones(16, 16)

    def step():
        x.grad = None
        y = x
        for _ in range(25):
            y = (y * 1.001 + 0.01).tanh() - x
        y.backward(ones)

    step.ops_per_step = 100
    return step


def small_op_forward_no_grad(lib):
    """(b') Python overhead per op without autograd: 100 small ops under no_grad."""
    x = lib.randn(16, 16)

    def step():
        with lib.no_grad():
            y = x
            for _ in range(25):
                y = (y * 1.001 + 0.01).tanh() - x

    step.ops_per_step = 100
    return step


CASES = {
    "matmul_tanh_sum": matmul_tanh_sum,
    "small_op_chain": small_op_chain,
    "small_op_forward_no_grad": small_op_forward_no_grad,
}
