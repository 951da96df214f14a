"""Views share storage, in-place ops bump version counters that backward checks, in-place ops on views rewrite
the base's history (CopySlices): each case runs the same code on PyTorch and on glasstorch and compares values,
gradients, or the error type and the essential words of its message."""
import re
import threading
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import glasstorch

LIBS = {"torch": torch, "glasstorch": glasstorch}


def run_both(fn):
    """fn(lib) on both libraries; returns (torch's, glasstorch's) result, or the raised exception."""
    out = []
    for lib in (torch, glasstorch):
        try:
            out.append(fn(lib))
        except Exception as e:  # noqa: BLE001 (the test compares exceptions)
            out.append(e)
    return out


def as_np(v):
    if isinstance(v, (torch.Tensor, glasstorch.Tensor)):
        return v.detach().numpy()
    return v


def same(a, b, tol=1e-5):
    if isinstance(a, Exception) or isinstance(b, Exception):
        assert type(a) is type(b), (a, b)
        return
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y, tol)
        return
    if a is None or b is None:
        assert a is None and b is None, (a, b)
        return
    np.testing.assert_allclose(as_np(b), as_np(a), rtol=tol, atol=tol)


MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace operation"


def both_raise(fn, *words):
    t, g = run_both(fn)
    assert isinstance(t, RuntimeError), f"PyTorch did not raise: {t!r}"
    assert isinstance(g, RuntimeError), f"glasstorch did not raise: {g!r}"
    for w in words:
        assert w in str(t), (w, str(t))
        assert w in str(g), (w, str(g))
    return t, g


def w3(lib):
    return lib.tensor([1.0, 2.0, 3.0], requires_grad=True)


# ---------------------------------------------------------------------------------------------------
# the table, row by row
# ---------------------------------------------------------------------------------------------------
def test_input_changed_after_its_use_is_refused():
    def f(lib):
        w, x = w3(lib), lib.tensor([1.0, 2.0, 3.0])
        y = (w * x).sum()
        x.mul_(100)
        y.backward()
    t, g = both_raise(f, MODIFIED, "[torch.FloatTensor [3]] is at version 1; expected version 0 instead",
                      "set_detect_anomaly(True")


def test_weight_changed_under_no_grad_is_refused():
    def f(lib):
        w = w3(lib)
        y = (w ** 2).sum()
        with lib.no_grad():
            w.mul_(10)
        y.backward()
    both_raise(f, MODIFIED, "is at version 1; expected version 0")


def test_detach_shares_the_version_counter():
    def f(lib):
        w = w3(lib)
        y = (w ** 2).sum()
        w.detach().mul_(10)
        y.backward()
    both_raise(f, MODIFIED, "is at version 1; expected version 0")


def test_data_has_a_counter_of_its_own():
    def f(lib):  # the known hole of .data, in both: the write is unseen and the gradient uses the new values
        w = w3(lib)
        y = (w ** 2).sum()
        w.data.mul_(10)
        y.backward()
        return w.grad, w._version
    same(*run_both(f))


def test_buffer_copied_into_after_the_forward_is_refused():
    def f(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 1)
        buf = lib.ones(2, 3)
        loss = m(buf).sum()
        buf.copy_(lib.full_like(buf, 7))
        loss.backward()
    both_raise(f, MODIFIED, "[torch.FloatTensor [2, 3]] is at version 1; expected version 0")


def test_the_gan_mistake_is_refused():
    def f(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 3)
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        h = m(lib.ones(2, 3))
        l1, l2 = h.sum(), (m(h) ** 2).sum()
        l1.backward(retain_graph=True)
        opt.step()
        l2.backward()
    both_raise(f, MODIFIED, "[torch.FloatTensor [3, 3]]", "is at version 2; expected version 1")


def test_output_saved_by_its_op_then_changed_names_the_op():
    def f(lib):
        e = (w3(lib) * 1).exp()
        e.add_(1)
        e.sum().backward()
    both_raise(f, MODIFIED, "which is output 0 of Exp, is at version 1; expected version 0")


def test_in_place_through_a_slice_changes_the_base_and_its_gradient():
    def f(lib):
        w = w3(lib)
        a = w * 1
        a[0:2].mul_(3)
        a.sum().backward()
        return a, w.grad
    t, g = run_both(f)
    same(t, g)
    assert g[1].tolist() == [3, 3, 1]


VIEW_WRITES = [
    lambda h: h[:, 0].zero_(),
    lambda h: h.narrow(1, 0, 1).mul_(0),
    lambda h: h.view(-1).add_(1),
    lambda h: h.unsqueeze(0).zero_(),
    lambda h: h.t()[1].mul_(5),
    lambda h: h.select(1, 2).add_(h.detach()[:, 0]),
    lambda h: h.diagonal().mul_(3),
    lambda h: h.unfold(1, 1, 2).mul_(-1),
    lambda h: h.reshape(3, 2)[::2].sub_(1),
    lambda h: h.flatten()[2:].clamp_(0, 2.5),
    lambda h: h.permute(1, 0)[0].fill_(4),
    lambda h: h.mT.squeeze().mul_(2),
    lambda h: h.view_as(h).div_(2),
    lambda h: h.as_strided((2,), (4,), 1).mul_(7),
    lambda h: h[..., None][1].copy_(h.detach()[0, :, None] * 2),
]


@pytest.mark.parametrize("write", VIEW_WRITES, ids=range(len(VIEW_WRITES)))
def test_writes_through_views_reach_the_base_and_gradients_follow(write):
    def f(lib):
        w = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        h = w * 2
        write(h)
        weights = lib.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
        (h * h * weights).sum().backward()
        return h, w.grad
    same(*run_both(f))


@pytest.mark.parametrize("split", [lambda h: h.chunk(2), lambda h: h.split(1), lambda h: h.unbind()])
def test_in_place_on_a_multi_output_view_is_refused(split):
    def f(lib):
        h = lib.ones(2, 3, requires_grad=True) * 2
        a, b = split(h)
        a.add_(10)
    both_raise(f, "is a view and is being modified inplace", "returns multiple views")


def test_multi_output_views_without_grad_write_through():
    def f(lib):
        h = lib.zeros(2, 3)
        a, b = h.chunk(2)
        b.add_(10)
        return h
    same(*run_both(f))


def test_in_place_on_a_view_of_a_leaf_is_refused():
    def f(lib):
        lib.ones(3, requires_grad=True)[0:2].mul_(2)
    both_raise(f, "a view of a leaf Variable that requires grad is being used in an in-place operation")


def test_a_view_made_under_no_grad_is_refused_in_grad_mode():
    def f(lib):
        w = lib.ones(3, requires_grad=True)
        with lib.no_grad():
            v = w[0:2]
        v.mul_(2)
    both_raise(f, "A view was created in no_grad mode and is being modified inplace with grad mode enabled")


def test_writing_into_an_expanded_tensor_is_refused():
    def f(lib):
        h = lib.ones(3) * 1
        h[None].expand(3, 3).add_(1)
    both_raise(f, "more than one element of the written-to tensor refers to a single memory location")


def test_a_view_of_a_tensor_without_grad_gains_history():
    def f(lib):  # out-of-place writes into a buffer's slices: the buffer and its other views get a graph
        b = lib.zeros(3)
        v1, v2 = b[0:2], b[1:3]
        w = w3(lib)
        v1.copy_(w[0:2] * lib.tensor([2.0, 3.0]))
        flags = (v2.requires_grad, b.requires_grad, b.is_leaf, v2.grad_fn.name(), b.grad_fn.name())
        (v2 * lib.tensor([5.0, 7.0])).sum().backward()
        return b, w.grad, flags
    t, g = run_both(f)
    same(t[:2], g[:2])
    assert t[2][:3] == g[2][:3] == (True, True, False)
    assert g[2][3:] == ("AsStridedBackward0", "CopySlices")


def test_relu_in_place_then_changed_again_is_refused():
    def f(lib):
        h = w3(lib) * 1
        h.relu_()
        h.mul_(2)
        (h * h).sum().backward()
    both_raise(f, MODIFIED, "which is output 0 of Relu")


def test_setitem_with_a_graph_value_gives_gradients():
    def f(lib):
        w = w3(lib)
        out = lib.zeros(2, 3)
        out[0] = w * 2
        out[1, 1:] = w[:2]
        (out * out).sum().backward()
        return out, w.grad
    same(*run_both(f))


def test_chained_views_and_writes():
    def f(lib):
        w = lib.arange(12.0).view(3, 4).requires_grad_()
        h = w * 1
        v = h.t()[1:3]
        v.mul_(v.detach() + 1)
        u = h[:, 1]
        u.add_(w[:, 0])
        (h ** 2).sum().backward()
        return h, w.grad, v, u
    same(*run_both(f))


def test_an_in_place_op_that_needs_the_old_value_keeps_it():
    def f(lib):  # mul_ by a tensor that requires grad: d/dother needs h's value before the write
        w, o = w3(lib), lib.tensor([2.0, -1.0, 0.5], requires_grad=True)
        h = w * 1
        v = h.view(3)        # h now has a view: the product is written into h's memory
        h.mul_(o)
        (h * v).sum().backward()
        return h, w.grad, o.grad
    same(*run_both(f))


def test_a_stale_view_is_re_read_from_its_base():
    def f(lib):
        w = lib.ones(2, 2, requires_grad=True)
        h = w * 3
        v = h[0]
        h.mul_(lib.tensor([[2.0, 2.0], [1.0, 1.0]]))
        (v * lib.tensor([1.0, 10.0])).sum().backward()
        return v, w.grad, v.grad_fn.name()
    t, g = run_both(f)
    same(t[:2], g[:2])
    assert g[2] == "AsStridedBackward0" == t[2]


# ---------------------------------------------------------------------------------------------------
# storage sharing, geometry and version counters, op by op
# ---------------------------------------------------------------------------------------------------
VIEW_OPS = {
    "getitem_int": lambda x: x[1],
    "getitem_slice": lambda x: x[:, 1:3],
    "getitem_step": lambda x: x[::2, ::-1] if False else x[::2, 1:],
    "getitem_none_ellipsis": lambda x: x[None, ..., 2],
    "select": lambda x: x.select(1, 2),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "view": lambda x: x.view(4, 3),
    "view_as": lambda x: x.view_as(x.new_zeros(2, 6)),
    "reshape": lambda x: x.reshape(-1),
    "flatten": lambda x: x.flatten(),
    "squeeze": lambda x: x[None].squeeze(0),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "transpose": lambda x: x.transpose(0, 1),
    "t": lambda x: x.t(),
    "permute": lambda x: x.permute(1, 0),
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "expand": lambda x: x[:, :1].expand(3, 4),
    "unfold": lambda x: x.unfold(1, 2, 2),
    "unfold_overlapping": lambda x: x.unfold(1, 3, 1),
    "diagonal": lambda x: x.diagonal(1),
    "split": lambda x: x.split(2, dim=1)[1],
    "chunk": lambda x: x.chunk(3)[2],
    "unbind": lambda x: x.unbind(1)[3],
    "detach": lambda x: x.detach(),
    "data": lambda x: x.data,
    "real": lambda x: x.real,
    "as_strided": lambda x: x.as_strided((2, 2), (1, 4), 1),
    "movedim": lambda x: x.movedim(0, 1),
}
NOT_VIEWS_IN_PYTORCH = {"detach", "data", "real"}  # share memory, but _base is None / _is_view() False


@pytest.mark.parametrize("name", sorted(VIEW_OPS))
def test_view_ops_share_storage_and_agree_on_geometry(name):
    fn = VIEW_OPS[name]
    results = []
    for lib in (torch, glasstorch):
        x = lib.arange(12.0).reshape(3, 4)
        v = fn(x)
        facts = (v._is_view(), v._base is x, v.is_contiguous(), v.stride(), v.storage_offset(),
                 v.untyped_storage().data_ptr() == x.untyped_storage().data_ptr(), tuple(v.shape))
        results.append(facts)
        if name == "unfold_overlapping":
            v[..., 0].add_(100)              # (a write to overlapping windows visits elements more than once)
        elif name != "expand":
            v.add_(100)                      # a write through the view is seen by the base
            assert x.numpy().max() >= 100
        x.add_(1000)                         # and a write to the base by the view
        assert v.numpy().min() >= 1000
        results.append(x.numpy().copy())
    assert results[0] == results[2], (results[0], results[2])
    np.testing.assert_array_equal(results[3], results[1])


def test_reshape_that_must_copy_is_no_view():
    for lib in (torch, glasstorch):
        x = lib.arange(12.0).reshape(3, 4).t()
        r = x.reshape(-1)
        assert not r._is_view() and r.untyped_storage().data_ptr() != x.untyped_storage().data_ptr()


IN_PLACE = [
    ("add_", lambda x: x.add_(1)),
    ("iadd", lambda x: x.__iadd__(2)),
    ("imul", lambda x: x.__imul__(2)),
    ("sub_", lambda x: x.sub_(1, alpha=2)),
    ("mul_", lambda x: x.mul_(x.detach().clone())),
    ("div_", lambda x: x.div_(2)),
    ("setitem", lambda x: x.__setitem__((0, 1), 5.0)),
    ("setitem_mask", lambda x: x.__setitem__(x > 3, 0.0)),
    ("copy_", lambda x: x.copy_(x.detach() * 0 + 1)),
    ("fill_", lambda x: x.fill_(3)),
    ("zero_", lambda x: x.zero_()),
    ("clamp_", lambda x: x.clamp_(0, 4)),
    ("pow_", lambda x: x.pow_(2)),
    ("exp_", lambda x: x.exp_()),
    ("masked_fill_", lambda x: x.masked_fill_(x > 5, 1.0)),
    ("addcmul_", lambda x: x.addcmul_(x.detach(), x.detach(), value=0.5)),
    ("uniform_", lambda x: x.uniform_()),
    ("normal_", lambda x: x.normal_()),
]


@pytest.mark.parametrize("name", [n for n, _ in IN_PLACE])
def test_in_place_ops_bump_the_shared_version(name):
    op = dict(IN_PLACE)[name]
    versions = []
    for lib in (torch, glasstorch):
        x = lib.arange(12.0).reshape(3, 4)
        v, d = x[1:], x.detach()
        op(x)
        op(v)
        versions.append((x._version, v._version, d._version))
    assert versions[0] == versions[1]


def test_in_place_with_grad_bumps_like_pytorch():
    def f(lib):
        w = w3(lib)
        h = w * 1
        v = h[1:]
        h.add_(w)
        v.mul_(2)
        h[0] = w[2]
        return h._version, v._version
    t, g = run_both(f)
    assert t == g


def _train_one_step(lib, opt_name, **kw):
    lib.manual_seed(0)
    m = lib.nn.Linear(3, 2)
    opt = getattr(lib.optim, opt_name)(m.parameters(), **kw)
    before = [p._version for p in m.parameters()]
    m(lib.ones(4, 3)).sum().backward()
    opt.step()
    return before, [p._version for p in m.parameters()]


@pytest.mark.parametrize("opt_name,kw", [("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "momentum": 0.9}),
                                         ("Adam", {}), ("AdamW", {}), ("RMSprop", {}), ("Adagrad", {}),
                                         ("Adadelta", {})])
def test_optimizer_steps_bump_versions(opt_name, kw):
    before, after = _train_one_step(glasstorch, opt_name, **kw)
    assert all(a > b for a, b in zip(after, before))
    tb, ta = _train_one_step(torch, opt_name, **kw)
    assert all(a > b for a, b in zip(ta, tb))


@pytest.mark.parametrize("layers", [1, 2])
def test_optimizer_step_after_the_forward_is_caught(layers):
    """The GAN mistake: a step between a forward and its backward. With one layer fed a constant input the
    weight is read only for the input's gradient, which is not needed: neither library refuses. With two,
    the second layer's weight is needed for the first layer's gradient: both refuse."""
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2) if layers == 1 else lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(),
                                                                        lib.nn.Linear(4, 2))
        opt = lib.optim.Adam(m.parameters())
        loss = (m(lib.ones(4, 3)) ** 2).sum()
        m(lib.ones(4, 3)).sum().backward()
        opt.step()
        loss.backward()
        return [p.grad for p in m.parameters()]

    t, g = run_both(fn)
    if layers == 2:
        assert isinstance(t, RuntimeError) and isinstance(g, RuntimeError) and re.search(MODIFIED, str(g)), (t, g)
    else:
        assert not isinstance(t, Exception) and not isinstance(g, Exception), (t, g)  # (seeds draw differently)


INITS = ["uniform_", "normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_", "xavier_uniform_",
         "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_", "orthogonal_", "sparse_"]


@pytest.mark.parametrize("name", INITS)
def test_nn_init_bumps_versions(name):
    fn = getattr(glasstorch.nn.init, name)
    w = glasstorch.nn.Parameter(glasstorch.empty(4, 4, 3) if name == "dirac_" else glasstorch.empty(4, 4))
    args = {"constant_": (0.5,), "sparse_": (0.5,)}.get(name, ())
    before = w._version
    fn(w, *args)
    assert w._version > before


def test_clip_grad_and_zero_grad_bump_grad_versions():
    lib = glasstorch
    m = lib.nn.Linear(3, 2)
    m(lib.ones(4, 3)).sum().backward()
    g = m.weight.grad
    v0 = g._version
    lib.nn.utils.clip_grad_norm_(m.parameters(), 0.01)
    lib.nn.utils.clip_grad_value_(m.parameters(), 0.001)
    opt = lib.optim.SGD(m.parameters(), lr=0.1)
    opt.zero_grad(set_to_none=False)
    assert g._version == v0 + 3


# ---------------------------------------------------------------------------------------------------
# random chains of views followed by an in-place op (property test)
# ---------------------------------------------------------------------------------------------------
CHAIN_STEPS = {
    "t": lambda v: v.t() if v.dim() == 2 else v,
    "slice0": lambda v: v[1:] if v.dim() and v.shape[0] > 1 else v,
    "slice_last": lambda v: v[..., ::2] if v.dim() else v,
    "unsqueeze": lambda v: v.unsqueeze(0) if v.dim() < 4 else v,
    "squeeze": lambda v: v.squeeze(),
    "select": lambda v: v.select(0, 0) if v.dim() > 1 else v,
    "flatten": lambda v: v.flatten() if v.is_contiguous() else v,
    "narrow": lambda v: v.narrow(-1, 0, 1) if v.dim() else v,
    "permute": lambda v: v.permute(*reversed(range(v.dim()))),
}
FINAL_OPS = {
    "mul_": lambda v, o: v.mul_(o),
    "add_": lambda v, o: v.add_(o),
    "copy_": lambda v, o: v.copy_(o * 3),
    "zero_": lambda v, o: v.zero_(),
    "sigmoid_": lambda v, o: v.sigmoid_(),
    "clamp_": lambda v, o: v.clamp_(-0.5, 0.5),
}


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.sampled_from(sorted(CHAIN_STEPS)), min_size=1, max_size=4),
       final=st.sampled_from(sorted(FINAL_OPS)), other_grad=st.booleans(), seed=st.integers(0, 1000))
def test_random_view_chains_then_in_place(steps, final, other_grad, seed):
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal((3, 4))
    weights = rng.standard_normal((3, 4))

    def f(lib):
        w = lib.tensor(w0, requires_grad=True)
        h = w * 1.5
        v = h
        for s in steps:
            v = CHAIN_STEPS[s](v)
        o = lib.tensor(rng_other(v.shape), requires_grad=other_grad)
        FINAL_OPS[final](v, o)
        ((h * lib.tensor(weights)).sum() + (v * v).sum()).backward()
        return h, w.grad, o.grad

    def rng_other(shape):
        return np.linspace(-1, 1, int(np.prod(shape))).reshape(tuple(shape)) if len(shape) else np.array(0.3)

    same(*run_both(f), tol=1e-9)


# ---------------------------------------------------------------------------------------------------
# per-thread grad mode
# ---------------------------------------------------------------------------------------------------
def _train(out, steps=40):
    lib = glasstorch
    gen = lib.Generator().manual_seed(1)
    w = lib.nn.Parameter(lib.randn(8, 4, generator=gen))
    x = lib.randn(16, 8, generator=gen)
    opt = lib.optim.SGD([w], lr=0.01)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((x @ w).tanh() ** 2).mean()
        loss.backward()
        opt.step()
    out["train"] = w.detach().numpy().copy()


def _evaluate(out, steps=400):
    lib = glasstorch
    gen = lib.Generator().manual_seed(2)
    m = lib.nn.Linear(8, 4)
    with lib.no_grad():
        m.weight.copy_(lib.randn(4, 8, generator=gen))
        m.bias.zero_()
    x = lib.randn(16, 8, generator=gen)
    seen = []
    for _ in range(steps):
        with lib.no_grad():
            y = m(x)
            seen.append(y.requires_grad or lib.is_grad_enabled())
    out["eval"] = (any(seen), y.numpy().copy())


def test_grad_mode_is_per_thread():
    alone = {}
    _train(alone)
    _evaluate(alone)
    together = {}
    threads = [threading.Thread(target=_evaluate, args=(together,)), threading.Thread(target=_train, args=(together,))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(together["train"], alone["train"])  # bit for bit
    assert together["eval"][0] is False
    np.testing.assert_array_equal(together["eval"][1], alone["eval"][1])
    assert glasstorch.is_grad_enabled()


def test_a_new_thread_starts_with_grad_mode_on():
    seen = []
    with glasstorch.no_grad():
        t = threading.Thread(target=lambda: seen.append(glasstorch.is_grad_enabled()))
        t.start()
        t.join()
        assert not glasstorch.is_grad_enabled()
    assert seen == [True]


def test_instruments_are_per_thread():
    from glasstorch import glass
    counted = []
    x = glasstorch.ones(3, requires_grad=True)

    def other():
        for _ in range(50):
            (x * 2).sum()
        counted.append(True)

    with glass.profile() as prof:
        t = threading.Thread(target=other)
        t.start()
        t.join()
        (x * 3).sum()
    text = str(prof.table()) if hasattr(prof, "table") else str(prof)
    assert counted == [True]
    assert re.search(r"Mul\D+1\b", text), text  # the profile saw its own thread's one Mul, not the other's 50


# ---------------------------------------------------------------------------------------------------
# assignments PyTorch refuses, and the non-leaf .grad warning
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda lib: lib.ones(4), lambda lib: lib.ones(3, dtype=lib.float64),
                                  lambda lib: 1.0])
def test_grad_assignment_checks(make):
    def f(lib):
        p = lib.ones(3, requires_grad=True)
        p.grad = make(lib)
    t, g = run_both(f)
    assert type(t) is type(g) and isinstance(g, (RuntimeError, TypeError))
    key = {RuntimeError: "attempting to assign a gradient", TypeError: "assigned grad expected to be a Tensor"}
    assert key[type(g)] in str(t) and key[type(g)] in str(g)


def test_grad_assignment_that_fits_is_kept():
    p = glasstorch.ones(3, requires_grad=True)
    p.grad = glasstorch.full((3,), 2.0)
    assert p.grad.tolist() == [2.0, 2.0, 2.0]
    p.grad = None
    assert p.grad is None


def test_reading_grad_of_a_non_leaf_warns():
    for lib in (torch, glasstorch):
        q = lib.ones(3, requires_grad=True) * 2
        with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
            assert q.grad is None
        q.retain_grad()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            q.grad  # noqa: B018 (retained: no warning)


def test_anomaly_mode_names_the_line_that_saved_it():
    w = glasstorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with glasstorch.autograd.set_detect_anomaly(True):
        y = (w ** 2).sum()
        with glasstorch.no_grad():
            w.mul_(10)
        with pytest.raises(RuntimeError, match=MODIFIED) as e:
            y.backward()
    assert "PowBackward0" in str(e.value) and "y = (w ** 2).sum()" in str(e.value)


# -- float64 numerical gradient checks of the view ops and of in-place writes through views ----------------
GRADCHECK_VIEWS = {
    "select": lambda x: x.select(1, 2) * 3,
    "narrow": lambda x: x.narrow(0, 1, 2) ** 2,
    "diagonal": lambda x: x.diagonal() * x.diagonal(1, 0, 1).sum(),
    "diagonal_negative_offset": lambda x: x.diagonal(-1).exp(),
    "unfold": lambda x: (x.unfold(1, 2, 1) ** 2).sum(-1),
    "unfold_step": lambda x: x.unfold(0, 2, 2).sin(),
    "as_strided": lambda x: x.as_strided((2, 2), (1, 3), 1) ** 3,
    "transpose_view_reshape": lambda x: x.t().reshape(-1)[::2] * 2,
    "basic_index": lambda x: x[1:, ::2].tanh(),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK_VIEWS))
def test_view_op_gradcheck_in_float64(name):
    fn = GRADCHECK_VIEWS[name]
    x = glasstorch.randn(3, 4, dtype=glasstorch.float64, requires_grad=True)
    assert glasstorch.autograd.gradcheck(fn, (x,))
    xt = torch.tensor(x.detach().numpy(), requires_grad=True)  # and PyTorch's gradient agrees
    fn(xt).sum().backward()
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


INPLACE_THROUGH_VIEWS = {
    "select_mul_": lambda a: a.select(1, 0).mul_(a[:, 1] * 1),
    "diagonal_exp_": lambda a: a.diagonal().exp_(),
    "narrow_add_": lambda a: a.narrow(1, 2, 2).add_(a[:, :2] * 2),
    "unsqueeze_view_tanh_": lambda a: a.unsqueeze(0).view(-1)[3:7].tanh_(),
    "as_strided_mul_": lambda a: a.as_strided((2,), (5,), 0).mul_(3.0),
}


@pytest.mark.parametrize("name", sorted(INPLACE_THROUGH_VIEWS))
def test_inplace_through_a_view_gradcheck_in_float64(name):
    """The base's gradient after an in-place op on its view (CopySlices), checked numerically."""
    write = INPLACE_THROUGH_VIEWS[name]

    def fn(w):
        a = w * 1.5
        write(a)
        return a * a

    x = glasstorch.randn(3, 4, dtype=glasstorch.float64, requires_grad=True)
    assert glasstorch.autograd.gradcheck(fn, (x,))
    xt = torch.tensor(x.detach().numpy(), requires_grad=True)
    fn(xt).sum().backward()
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


# -- only what backward reads is version-checked (PyTorch saves a factor only for the other's gradient) -----
WRITE_AFTER_USE = {
    "times_number": lambda lib, a: a * 2.0,
    "times_constant_mask": lambda lib, a: a * lib.tensor([1.0, 0.0, 1.0]),
    "divided_into_constant": lambda lib, a: a / lib.tensor([2.0, 4.0, 8.0]),
    "matmul_constant": lambda lib, a: a @ lib.ones(3, 2),
    "linear_frozen": lambda lib, a: lib.nn.functional.linear(a, lib.ones(2, 3)),
    "times_trainable": lambda lib, a: a * lib.ones(3, requires_grad=True),  # a is needed: both refuse
    "divides_constant": lambda lib, a: lib.tensor([2.0, 4.0, 8.0]) / a,  # a is needed: both refuse
}


@pytest.mark.parametrize("name", sorted(WRITE_AFTER_USE))
def test_writing_a_tensor_its_consumer_does_not_read_is_no_error(name):
    use = WRITE_AFTER_USE[name]

    def fn(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        a = w * 1
        y = use(lib, a).sum()
        a.add_(1)
        y.backward()
        return w.grad

    t, g = run_both(fn)
    if isinstance(t, Exception):
        assert isinstance(g, RuntimeError) and re.search(MODIFIED, str(g)), g
    else:
        np.testing.assert_allclose(g.numpy(), t.numpy())


def test_backward_from_the_same_root_twice_sums_both():
    """backward([y, y], [g1, g2]) walks y's graph once with g1 + g2 (each edge counted once)."""
    for lib in LIBS.values():
        z = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = z * 2
        lib.autograd.backward([w, w], [lib.ones(3), lib.full((3,), 2.0)])
        assert z.grad.tolist() == [6.0, 6.0, 6.0]
