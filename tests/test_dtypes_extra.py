"""bfloat16 and the unsigned types of limited support (uint16, uint32, uint64) against PyTorch 2.13.

Promotion (every pair of dtypes glasstorch has), creation, casting, printing, ``type()`` names, finfo/iinfo,
a set of common ops on bfloat16 tensors with their gradients (PyTorch's CPU kernels compute bfloat16 in
float32 and round back; so does NumPy with ml_dtypes: compared at bfloat16's ~1e-2 relative precision), and
the ops PyTorch supports or refuses on uint16/32/64.
"""
import numpy as np
import pytest
import torch

import glasstorch

NAMES = ["float16", "bfloat16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "uint16",
         "uint32", "uint64", "bool"]
UNSIGNED = ["uint16", "uint32", "uint64"]
BF16_TOL = dict(rtol=2e-2, atol=2e-2)


def _dt(lib, name):
    return getattr(lib, name)


def _name(d):
    return str(d).split(".")[-1]


def _values(t):
    return t.detach().float().numpy() if t.is_floating_point() else t.detach().numpy()


# -- promotion ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("b", NAMES)
def test_promote_types_every_pair(a, b):
    try:
        want = _name(torch.promote_types(_dt(torch, a), _dt(torch, b)))
    except RuntimeError as e:
        with pytest.raises(RuntimeError) as got:
            glasstorch.promote_types(_dt(glasstorch, a), _dt(glasstorch, b))
        assert str(got.value) == str(e)
        return
    assert _name(glasstorch.promote_types(_dt(glasstorch, a), _dt(glasstorch, b))) == want


@pytest.mark.parametrize("name", ["bfloat16"] + UNSIGNED)
@pytest.mark.parametrize("other", [1, 2.5, True, "0d_int64", "0d_float16", "0d_bool", "int64", "bool"])
def test_result_type_with_scalars_and_zero_dim(name, other):
    def operand(lib):
        if isinstance(other, str):
            zero, dt = other.startswith("0d_"), other.removeprefix("0d_")
            return lib.ones(() if zero else (2,), dtype=_dt(lib, dt))
        return other
    t = lambda lib: lib.ones(2, dtype=_dt(lib, name))  # noqa: E731
    try:
        want = _name(torch.result_type(t(torch), operand(torch)))
    except RuntimeError:
        with pytest.raises(RuntimeError, match="Promotion for uint16, uint32, uint64 types is not supported"):
            glasstorch.result_type(t(glasstorch), operand(glasstorch))
        return
    assert _name(glasstorch.result_type(t(glasstorch), operand(glasstorch))) == want


# -- the dtypes themselves ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["bfloat16"] + UNSIGNED)
def test_dtype_attributes(name):
    d, w = _dt(glasstorch, name), _dt(torch, name)
    assert (d.is_floating_point, d.is_signed, d.itemsize) == (w.is_floating_point, w.is_signed, w.itemsize)
    assert repr(d) == "torch." + name


def test_finfo_bfloat16():
    got, want = glasstorch.finfo(glasstorch.bfloat16), torch.finfo(torch.bfloat16)
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(got, field) == getattr(want, field), field
    assert repr(got) == repr(want)


@pytest.mark.parametrize("name", UNSIGNED)
def test_iinfo_unsigned(name):
    got, want = glasstorch.iinfo(_dt(glasstorch, name)), torch.iinfo(_dt(torch, name))
    assert (got.bits, got.min, got.max) == (want.bits, want.min, want.max)
    assert repr(got) == repr(want)


# -- creation, casting, printing ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["bfloat16"] + UNSIGNED)
@pytest.mark.parametrize("data", [[1, 2, 3], [[0, 7], [300, 65535]], [], 5])
def test_tensor_repr_and_type(name, data):
    t, g = torch.tensor(data, dtype=_dt(torch, name)), glasstorch.tensor(data, dtype=_dt(glasstorch, name))
    assert repr(g).replace("glasstorch", "torch") == repr(t)
    assert g.type().replace("glasstorch", "torch") == t.type()
    assert g.element_size() == t.element_size() and g.is_floating_point() == t.is_floating_point()
    assert g.tolist() == t.tolist()


@pytest.mark.parametrize("data", [[1.5, -2.25, 1e-3, 300.7], [[0.1, 2.0], [3.0, 4.0]], [0.1, float("inf"),
                                                                                          float("nan")], 3.14159])
def test_bfloat16_repr_rounds_as_pytorch(data):
    t, g = torch.tensor(data, dtype=torch.bfloat16), glasstorch.tensor(data, dtype=glasstorch.bfloat16)
    assert repr(g).replace("glasstorch", "torch") == repr(t)
    assert g.tolist() == t.tolist() if not isinstance(data, list) or data[-1] == data[-1] else True


@pytest.mark.parametrize("factory", [lambda T: T.zeros(2, 3, dtype=T.bfloat16), lambda T: T.ones(4, dtype=T.uint32),
                                     lambda T: T.full((2,), 0.1, dtype=T.bfloat16),
                                     lambda T: T.full((3,), 7, dtype=T.uint64),
                                     lambda T: T.arange(0, 1, 0.25, dtype=T.bfloat16),
                                     lambda T: T.linspace(0, 1, 5, dtype=T.bfloat16),
                                     lambda T: T.zeros_like(T.ones(2, dtype=T.uint16)),
                                     lambda T: T.empty(0, dtype=T.uint16), lambda T: T.BFloat16Tensor([1.5, 2]),
                                     lambda T: T.BFloat16Tensor(2, 3).zero_(),
                                     lambda T: T.tensor([1.0, 2.5]).bfloat16(),
                                     lambda T: T.tensor([1.0, 2.5]).type(T.BFloat16Tensor),
                                     lambda T: T.tensor([1.0, 2.5]).type("torch.BFloat16Tensor"),
                                     lambda T: T.tensor([1, 2]).type("torch.UInt16Tensor"),
                                     lambda T: T.tensor([70000, 2]).to(T.uint32),
                                     lambda T: T.tensor([2 ** 63 + 5], dtype=T.uint64)])
def test_creation(factory):
    t, g = factory(torch), factory(glasstorch)
    assert _name(g.dtype) == _name(t.dtype) and tuple(g.shape) == tuple(t.shape)
    np.testing.assert_array_equal(_values(g), _values(t))


def test_bfloat16_legacy_class():
    assert isinstance(glasstorch.tensor([1.0]).bfloat16(), glasstorch.BFloat16Tensor)
    assert not isinstance(glasstorch.tensor([1.0]), glasstorch.BFloat16Tensor)
    assert repr(glasstorch.BFloat16Tensor) == "<class 'torch.BFloat16Tensor'>"


CASTS = ["float32", "float16", "float64", "int64", "int32", "uint8", "bool", "bfloat16", "uint16", "uint32",
         "uint64"]


@pytest.mark.parametrize("src", ["float32", "bfloat16", "int64"])
@pytest.mark.parametrize("dst", CASTS)
def test_casts(src, dst):
    data = [0.1, 1.0, 2.7, 255.5, 1000.3, 0.0] if src != "int64" else [0, 1, 3, 255, 1000, 70000]
    t = torch.tensor(data).to(_dt(torch, src)).to(_dt(torch, dst))
    g = glasstorch.tensor(data).to(_dt(glasstorch, src)).to(_dt(glasstorch, dst))
    assert _name(g.dtype) == _name(t.dtype)
    np.testing.assert_array_equal(_values(g), _values(t))


# -- bfloat16 ops against PyTorch's bfloat16 results, with gradients ------------------------------------
OPS = {
    "add": lambda T, a, b, c: a + c, "sub": lambda T, a, b, c: a - c, "mul": lambda T, a, b, c: a * c,
    "div": lambda T, a, b, c: a / (c.abs() + 1), "add_python_float": lambda T, a, b, c: a + 1.5,
    "mul_python_int": lambda T, a, b, c: a * 3, "add_float32": lambda T, a, b, c: a + c.float(),
    "add_float16": lambda T, a, b, c: a + c.half(), "add_int64": lambda T, a, b, c: a + T.ones(3, 4, dtype=T.int64),
    "matmul": lambda T, a, b, c: a @ b, "matmul_batched": lambda T, a, b, c: a[None].expand(2, 3, 4) @ b,
    "mv": lambda T, a, b, c: a @ b[:, 0], "mm": lambda T, a, b, c: T.mm(a, b),
    "bmm": lambda T, a, b, c: T.bmm(a[None], b[None]), "einsum": lambda T, a, b, c: T.einsum("ij,jk->ik", a, b),
    "addmm": lambda T, a, b, c: T.addmm(b[0] * 1, a, b),
    "linear": lambda T, a, b, c: T.nn.functional.linear(a, b.t(), b[0] * 1),  # (b[0] would be a view of b)
    "sum": lambda T, a, b, c: a.sum(), "sum_dim": lambda T, a, b, c: a.sum(0),
    "mean": lambda T, a, b, c: a.mean(), "mean_dim": lambda T, a, b, c: a.mean(1, keepdim=True),
    "exp": lambda T, a, b, c: a.exp(), "tanh": lambda T, a, b, c: a.tanh(), "relu": lambda T, a, b, c: T.relu(a),
    "sigmoid": lambda T, a, b, c: a.sigmoid(), "softmax": lambda T, a, b, c: T.softmax(a, 1),
    "log_softmax": lambda T, a, b, c: T.log_softmax(a, 1), "gelu": lambda T, a, b, c: T.nn.functional.gelu(a),
    "abs": lambda T, a, b, c: a.abs(), "neg": lambda T, a, b, c: -a, "sqrt": lambda T, a, b, c: (a.abs() + 1).sqrt(),
    "log": lambda T, a, b, c: (a.abs() + 1).log(), "pow": lambda T, a, b, c: a ** 2,
    "clamp": lambda T, a, b, c: a.clamp(-0.5, 0.5), "maximum": lambda T, a, b, c: T.maximum(a, c),
    "where": lambda T, a, b, c: T.where(a > 0, a, c), "cat": lambda T, a, b, c: T.cat([a, c]),
    "index": lambda T, a, b, c: a[1:, [0, 2]], "max_dim": lambda T, a, b, c: a.max(1).values,
    "var": lambda T, a, b, c: a.var(), "norm": lambda T, a, b, c: a.norm(),
    "layer_norm": lambda T, a, b, c: T.nn.functional.layer_norm(a, (4,)),
    "cross_entropy": lambda T, a, b, c: T.nn.functional.cross_entropy(a, T.tensor([0, 1, 3])),
    "mse_loss": lambda T, a, b, c: T.nn.functional.mse_loss(a, c),
    "to_float32": lambda T, a, b, c: a.float() * 2, "to_float16": lambda T, a, b, c: a.half() * 2,
}
NO_GRAD_OPS = {
    "lt": lambda T, a, b, c: a < c, "eq": lambda T, a, b, c: a == c, "gt_zero": lambda T, a, b, c: a > 0,
    "ge_python_float": lambda T, a, b, c: a >= 0.5, "argmax": lambda T, a, b, c: a.argmax(1),
    "to_int32": lambda T, a, b, c: (a * 10).int(), "to_int64": lambda T, a, b, c: (a * 10).long(),
    "to_bool": lambda T, a, b, c: a.bool(), "isnan": lambda T, a, b, c: (a / 0 * 0).isnan(),
    "nansum": lambda T, a, b, c: T.nansum(T.where(a > 0, a, a / 0 * 0)),
}
_RNG = np.random.default_rng(7)
_A, _B, _C = (_RNG.standard_normal(s).astype(np.float32) for s in ((3, 4), (4, 5), (3, 4)))


def _bf16_inputs(lib, grad):
    return [lib.tensor(v).to(lib.bfloat16).requires_grad_(grad) for v in (_A, _B, _C)]


@pytest.mark.parametrize("name", sorted(OPS))
def test_bfloat16_op_and_gradient(name):
    fn = OPS[name]
    tin, gin = _bf16_inputs(torch, True), _bf16_inputs(glasstorch, True)
    t, g = fn(torch, *tin), fn(glasstorch, *gin)
    assert _name(g.dtype) == _name(t.dtype)
    np.testing.assert_allclose(_values(g), _values(t), **BF16_TOL)
    seed = np.random.default_rng(1).standard_normal(tuple(t.shape)).astype(np.float32)
    t.backward(torch.tensor(seed).to(t.dtype))
    g.backward(glasstorch.tensor(seed).to(g.dtype))
    for ti, gi in zip(tin, gin):
        if ti.grad is None:
            assert gi.grad is None
            continue
        assert gi.grad.dtype is glasstorch.bfloat16  # a bfloat16 leaf gets a bfloat16 gradient
        np.testing.assert_allclose(_values(gi.grad), _values(ti.grad), **BF16_TOL)


@pytest.mark.parametrize("name", sorted(NO_GRAD_OPS))
def test_bfloat16_op_without_gradient(name):
    fn = NO_GRAD_OPS[name]
    t, g = fn(torch, *_bf16_inputs(torch, False)), fn(glasstorch, *_bf16_inputs(glasstorch, False))
    assert _name(g.dtype) == _name(t.dtype)
    np.testing.assert_allclose(_values(g), _values(t), **BF16_TOL)


def test_bfloat16_sum_accumulates_in_float32():
    # 4096 ones: a bfloat16 accumulator would stop at 256; PyTorch (and ml_dtypes) add in float32
    t, g = torch.ones(4096, dtype=torch.bfloat16).sum(), glasstorch.ones(4096, dtype=glasstorch.bfloat16).sum()
    assert g.item() == t.item() == 4096.0


def test_bfloat16_model_training_step():
    """A bfloat16 two-layer net: forward, loss, backward and one SGD step, as PyTorch."""
    def step(T):
        w1 = T.tensor(_B.T.copy()).to(T.bfloat16).requires_grad_()  # (5, 4)
        w2 = T.tensor(_A[:1, :].copy()).to(T.bfloat16)[:, :4].requires_grad_()  # (1, 4): reads 4 of 5 units
        x = T.tensor(_C).to(T.bfloat16)
        y = T.nn.functional.linear(T.tanh(T.nn.functional.linear(x, w1))[:, :4], w2)
        loss = (y ** 2).mean()
        loss.backward()
        T.optim.SGD([w1, w2], lr=0.1).step()
        return loss, w1, w2
    tl, tw1, tw2 = step(torch)
    gl, gw1, gw2 = step(glasstorch)
    np.testing.assert_allclose(_values(gl), _values(tl), **BF16_TOL)
    for gw, tw in ((gw1, tw1), (gw2, tw2)):
        assert gw.dtype is glasstorch.bfloat16 and gw.grad.dtype is glasstorch.bfloat16
        np.testing.assert_allclose(_values(gw.grad), _values(tw.grad), **BF16_TOL)
        np.testing.assert_allclose(_values(gw), _values(tw), **BF16_TOL)


# -- uint16 / uint32 / uint64: what PyTorch computes, and what it refuses ---------------------------------
UINT_OPS = {
    "mul": lambda T, x: x * x, "div": lambda T, x: x / x, "mul_python_float": lambda T, x: x * 1.5,
    "div_python_int": lambda T, x: x / 2, "eq": lambda T, x: x == x, "ne": lambda T, x: x != x,
    "eq_python_int": lambda T, x: x == 1, "sum": lambda T, x: x.sum(), "sum_dim": lambda T, x: x.sum(0),
    "prod": lambda T, x: x.prod(), "cumsum": lambda T, x: x.cumsum(0), "sort": lambda T, x: x.sort().values,
    "exp": lambda T, x: x.exp(), "sqrt": lambda T, x: x.sqrt(), "and": lambda T, x: x & x, "or": lambda T, x: x | x,
    "xor": lambda T, x: x ^ x, "cat": lambda T, x: T.cat([x, x]), "stack": lambda T, x: T.stack([x, x]),
    "index": lambda T, x: x[T.tensor([0, 2])], "float": lambda T, x: x.float(), "long": lambda T, x: x.long(),
    "unique": lambda T, x: T.unique(x), "fill_": lambda T, x: x.clone().fill_(3), "clone": lambda T, x: x.clone(),
    "reshape": lambda T, x: x.reshape(3, 1), "repeat": lambda T, x: x.repeat(2), "any": lambda T, x: x.any(),
    "all": lambda T, x: x.all(), "isnan": lambda T, x: x.isnan(), "add_float_tensor": lambda T, x: x + T.ones(3),
    "round": lambda T, x: x.round(), "floor": lambda T, x: x.floor(), "std_of_float": lambda T, x: x.float().std(),
    "big_values": lambda T, x: T.full((3,), T.iinfo(x.dtype).max, dtype=x.dtype).sum(),
}
UINT_PROMOTION_ERRORS = {
    "mul_int64_tensor": lambda T, x: x * T.tensor([1, 2, 3]), "add_bool_tensor": lambda T, x: x + T.ones(3).bool(),
    "cat_int64": lambda T, x: T.promote_types(x.dtype, T.int64), "mul_uint8": lambda T, x: x * T.ones(3, dtype=T.uint8),
    "mul_other_unsigned": lambda T, x: x * x.to(T.uint32 if x.dtype != T.uint32 else T.uint16),
}


@pytest.mark.parametrize("dtype", UNSIGNED)
@pytest.mark.parametrize("name", sorted(UINT_OPS))
def test_unsigned_ops_pytorch_supports(dtype, name):
    t = UINT_OPS[name](torch, torch.tensor([1, 2, 3], dtype=_dt(torch, dtype)))
    g = UINT_OPS[name](glasstorch, glasstorch.tensor([1, 2, 3], dtype=_dt(glasstorch, dtype)))
    if isinstance(t, torch.Tensor):
        assert _name(g.dtype) == _name(t.dtype)
        np.testing.assert_allclose(_values(g).astype(np.float64), _values(t).astype(np.float64), rtol=1e-6)
    else:
        assert g == t


@pytest.mark.parametrize("dtype", UNSIGNED)
@pytest.mark.parametrize("name", sorted(UINT_PROMOTION_ERRORS))
def test_unsigned_promotion_errors(dtype, name):
    fn = UINT_PROMOTION_ERRORS[name]
    with pytest.raises(RuntimeError) as want:
        fn(torch, torch.tensor([1, 2, 3], dtype=_dt(torch, dtype)))
    with pytest.raises(RuntimeError) as got:
        fn(glasstorch, glasstorch.tensor([1, 2, 3], dtype=_dt(glasstorch, dtype)))
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("dtype", UNSIGNED)
def test_unsigned_mean_refused(dtype):
    with pytest.raises(RuntimeError) as want:
        torch.tensor([1, 2], dtype=_dt(torch, dtype)).mean()
    with pytest.raises(RuntimeError) as got:
        glasstorch.tensor([1, 2], dtype=_dt(glasstorch, dtype)).mean()
    assert str(got.value) == str(want.value)


def test_unsigned_cannot_require_grad():
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        glasstorch.ones(2, dtype=glasstorch.uint16).requires_grad_()
