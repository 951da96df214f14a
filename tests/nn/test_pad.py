"""F.pad parity with PyTorch: every mode, positive and negative (cropping) amounts, 1 to 3 padded dims,
batched and unbatched inputs; gradients accumulate onto the source positions; the padding modules and their
reprs; PyTorch's errors; float64 gradcheck."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import check, check_error, gradcheck
from twins import same_repr

PADS = [(1, 2), (0, 3), (-1, 2), (2, -2), (3, 3), (1, 2, 3, 0), (-1, 2, 2, -1), (3, 3, 3, 3), (1, 0, 2, 1, 1, 2),
        (2, -1, 1, 1, -1, 1)]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", PADS)
def test_pad_modes(mode, pads):
    n = len(pads) // 2
    for shape in [(2, 3) + (4, 5, 6)[3 - n:], (3,) + (4, 5, 6)[3 - n:]]:  # batched and unbatched
        if mode == "reflect" and any(p >= s for p, s in zip(pads, [shape[-1 - i // 2] for i in range(len(pads))])):
            continue
        check(lambda t, x: t.nn.functional.pad(x, pads, mode=mode), shape)
        check(lambda t, x: t.nn.functional.pad(x, pads, mode=mode), shape, dtype=np.float64)


def test_constant_pad_values_and_dtypes():
    check(lambda t, x: t.nn.functional.pad(x, (1, 2, 3, 4), value=2.5), (3, 4))
    check(lambda t, x: t.nn.functional.pad(x, (1, 2, 3, 4, 1, 0)), (3, 4, 2))
    check(lambda t, x: t.nn.functional.pad(x, (1, 1, 1, 1, 1, 1, 1, 1)), (2, 3, 4, 5))
    check(lambda t, x: t.nn.functional.pad(x, (-2, -1)), (2, 3))  # cropped to nothing
    check(lambda t, x: t.nn.functional.pad(x, ()), (2, 3))
    check(lambda t, x: t.nn.functional.pad(x, (1, 2), value=2.5), np.arange(6).reshape(2, 3))  # 2.5 -> 2
    check(lambda t, x: t.nn.functional.pad(x, (2, 1), mode="replicate"), np.arange(6.0).reshape(1, 2, 3))


def test_gradients_accumulate_on_sources():
    """Reflect/replicate/circular copy border values several times: their gradients add up."""
    x = glasstorch.arange(4.0).reshape(1, 1, 4).requires_grad_()
    glasstorch.nn.functional.pad(x, (3, 3), mode="replicate").sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[4, 1, 1, 4]]])
    x.grad = None
    glasstorch.nn.functional.pad(x, (3, 3), mode="reflect").sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[2, 3, 3, 2]]])
    x.grad = None
    glasstorch.nn.functional.pad(x, (4, 4), mode="circular").sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[3, 3, 3, 3]]])


def test_gradcheck_float64():
    for mode in ["constant", "reflect", "replicate", "circular"]:
        gradcheck(lambda t, x: t.nn.functional.pad(x, (2, 1, -1, 2), mode=mode), (2, 3, 4))


MODULES = ["ZeroPad2d(2)", "ZeroPad2d((1, 2, 3, 4))", "ZeroPad1d((2, 0))", "ConstantPad1d(2, 3.5)",
           "ConstantPad2d((1, 2, 0, 1), 1)", "ConstantPad3d(1, -1.0)", "ReflectionPad1d(2)",
           "ReflectionPad2d((1, 2, 3, 0))", "ReflectionPad3d(1)", "ReplicationPad1d(3)", "ReplicationPad2d(1)",
           "ReplicationPad3d((1, 0, 2, 1, 0, 1))", "CircularPad1d(1)", "CircularPad2d((1, 2, 2, 1))",
           "CircularPad3d(1)"]


@pytest.mark.parametrize("spec", MODULES)
def test_modules_repr_and_forward(spec):
    t_mod, g_mod = eval("torch.nn." + spec), eval("glasstorch.nn." + spec)
    same_repr(t_mod, g_mod)
    shape = (2, 3, 5) if "1d" in spec else (2, 3, 4, 5) if "2d" in spec else (1, 2, 3, 4, 5)
    check(lambda t, x: (t_mod if t is torch else g_mod)(x), shape)


def test_errors():
    check_error(lambda t, x: t.nn.functional.pad(x, (1,)), (2, 3), match="divisible by 2")
    check_error(lambda t, x: t.nn.functional.pad(x, (1, 1, 1, 1, 1, 1)), (2, 3), match="less than or equal")
    check_error(lambda t, x: t.nn.functional.pad(x, (-2, -2)), (2, 3))
    check_error(lambda t, x: t.nn.functional.pad(x, (3, 3), mode="reflect"), (1, 2, 3),
                match=r"padding \(3, 3\) at dimension 2 of input \[1, 2, 3\]")
    check_error(lambda t, x: t.nn.functional.pad(x, (6, 2), mode="circular"), (1, 4, 5), match="more than once")
    check_error(lambda t, x: t.nn.functional.pad(x, (1, 2), mode="reflect"), (5,), match="not supported for 1D")
    check_error(lambda t, x: t.nn.functional.pad(x, (1, 2), mode="reflect"), (2, 3, 4, 5))
    check_error(lambda t, x: t.nn.functional.pad(x, (1, 2), mode="foo"), (1, 4, 5), match="Unrecognised")
    check_error(lambda t, x: t.nn.functional.pad(x, (1, 2), mode="reflect", value=1.0), (1, 4, 5),
                match="doesn't take in value")
    check_error(lambda t, x: t.nn.CircularPad2d(1)(x), (4, 5), exc=ValueError, match="expected 3D or 4D")
