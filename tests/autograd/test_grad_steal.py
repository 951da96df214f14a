"""leaf.grad takes the gradient array as it is when only the engine refers to it (autograd/engine.py,
``_sole_reference``), and a copy whenever anything else could see or change it: no two tensors, no hook and no
saved value ever share memory with a .grad."""
import weakref

import numpy as np

import glasstorch
from glasstorch.autograd.function import Function


class Fresh(Function):
    """y = 2x; backward returns a fresh array and remembers it (weakly, or strongly when ``keep`` is set)."""
    made, keep = [], None

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        g = grad * 2
        Fresh.made.append(weakref.ref(g))
        if Fresh.keep is not None:
            Fresh.keep.append(g)        # someone else holds it now
        return g


def _fresh(x, keep=None):
    Fresh.made, Fresh.keep = [], keep
    return Fresh.apply(x)


def test_a_fresh_gradient_only_the_engine_holds_becomes_grad_without_a_copy():
    x = glasstorch.ones(5, requires_grad=True)
    _fresh(x).sum().backward()
    assert x.grad._array is Fresh.made[0]()
    assert x.grad.tolist() == [2.0] * 5


def test_a_gradient_someone_else_holds_is_copied():
    kept = []
    x = glasstorch.ones(5, requires_grad=True)
    _fresh(x, keep=kept).sum().backward()
    assert x.grad._array is not kept[0] and not np.shares_memory(x.grad._array, kept[0])
    kept[0][:] = 99.0                     # the holder writes its array: .grad does not change
    assert x.grad.tolist() == [2.0] * 5


def test_a_weight_gradient_of_linear_is_taken_and_later_backwards_accumulate_into_it():
    lin = glasstorch.nn.Linear(4, 3)
    x = glasstorch.randn(6, 4)
    lin(x).sum().backward()
    first = lin.weight.grad._array
    expected = x.sum(0).tolist()
    for row in lin.weight.grad.tolist():
        np.testing.assert_allclose(row, expected, rtol=1e-6)
    lin(x).sum().backward()               # accumulates in place into the same array
    assert lin.weight.grad._array is first
    np.testing.assert_allclose(lin.weight.grad.numpy(), 2 * np.tile(np.array(expected, np.float32), (3, 1)),
                               rtol=1e-6)


def test_two_leaves_given_the_same_gradient_array_get_separate_arrays():
    a = glasstorch.ones(3, requires_grad=True)
    b = glasstorch.ones(3, requires_grad=True)
    s = a + b                             # AddBackward passes the same array to both leaves
    _fresh(s).sum().backward()
    assert not np.shares_memory(a.grad._array, b.grad._array)
    a.grad += 1                           # writing one leaves the other as it was
    assert a.grad.tolist() == [3.0] * 3 and b.grad.tolist() == [2.0] * 3


def test_a_leaf_used_twice_gets_the_sum_in_an_array_of_its_own():
    x = glasstorch.ones(3, requires_grad=True)
    y = _fresh(x)
    (y + y).sum().backward()              # the same leaf reached through one node, twice
    assert x.grad.tolist() == [4.0] * 3


def test_a_hook_that_keeps_the_gradient_does_not_share_it_with_grad():
    seen = []
    x = glasstorch.ones(4, requires_grad=True)
    x.register_hook(lambda g: seen.append(g))
    _fresh(x).sum().backward()
    assert not np.shares_memory(seen[0]._array, x.grad._array)
    seen[0]._array[:] = -1.0
    assert x.grad.tolist() == [2.0] * 4


def test_a_retained_non_leaf_gradient_is_not_shared_with_the_leaf_below():
    x = glasstorch.ones(4, requires_grad=True)
    h = x * 1
    h.retain_grad()
    _fresh(h).sum().backward()            # h.grad is Fresh's array; x.grad comes from MulBackward
    assert not np.shares_memory(h.grad._array, x.grad._array)
    assert h.grad.tolist() == [2.0] * 4 and x.grad.tolist() == [2.0] * 4


def test_a_gradient_of_another_dtype_is_cast_once_and_kept():
    x = glasstorch.ones(3, dtype=glasstorch.float64, requires_grad=True)
    y = x.float()                         # float32 downstream: the float32 gradient is cast to float64
    _fresh(y).sum().backward()
    assert x.grad.dtype == glasstorch.float64 and x.grad.tolist() == [2.0] * 3


def test_the_interpreter_count_for_one_holder_is_measured():
    from glasstorch.autograd import engine
    a = np.ones(2)
    assert engine._sole_reference(a)      # only this local holds it
    b = a
    assert not engine._sole_reference(a)  # two locals
    del b
    assert not engine._sole_reference(a[:1])   # a view: its base is someone else's
    assert not engine._sole_reference(np.broadcast_to(a, (3, 2)))


# --- the engine adds a node's gradients into the first one when it alone holds that one (engine.py) ---

class Kept(Function):
    """y = x; backward returns a fresh array of ``value`` and keeps it (someone else holds it)."""
    kept = []

    @staticmethod
    def forward(ctx, x, value):
        ctx.value = value
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        g = np.full_like(grad, ctx.value)
        Kept.kept.append(g)
        return g, None


def test_a_gradient_someone_kept_is_not_added_into():
    """Both contributions to x are arrays a Function kept: whichever comes first, the sum is a new array."""
    Kept.kept = []
    x = glasstorch.ones(4, requires_grad=True)
    (Kept.apply(x, 2.0) + Kept.apply(x, 3.0)).sum().backward()
    assert sorted(k.tolist()[0] for k in Kept.kept) == [2.0, 3.0]      # neither changed by the sum
    assert all(len(set(k.tolist())) == 1 for k in Kept.kept)
    assert x.grad.tolist() == [5.0] * 4


def test_sums_of_fresh_gradients_are_right():
    """A tensor read by several ops (a residual), one op reading it twice, and a broadcast contribution."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    x = glasstorch.tensor(a, requires_grad=True)
    h = x * 2
    y = (h + h) * h + h.exp() + (h * 3).sum(dim=0, keepdim=True)
    y.sum().backward()
    h2 = 2 * a.astype(np.float64)
    expected = 2 * (4 * h2 + np.exp(h2) + 3 * 3)          # d/dh of 2h², e^h and 3·Σ_rows h, times dh/dx = 2
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5)


def test_a_retained_intermediate_gradient_is_not_changed_by_a_later_sum():
    x = glasstorch.ones(3, requires_grad=True)
    h = x * 2
    h.retain_grad()
    (h * 3 + h * 4).sum().backward()
    assert h.grad.tolist() == [7.0] * 3
    assert x.grad.tolist() == [14.0] * 3
    assert not np.shares_memory(h.grad._array, x.grad._array)


def test_mixed_dtypes_are_summed_out_of_place():
    """A float64 contribution to a float32 sum: the sum is float64 first (NumPy's promotion), then cast to x's."""
    x = glasstorch.ones(3, requires_grad=True)
    y = x * 2 + (x.double() * 3).float()
    y.sum().backward()
    assert x.grad.dtype == glasstorch.float32 and x.grad.tolist() == [5.0] * 3
