"""Graph introspection as PyTorch's: grad_fn names, next_functions structure, node hooks, saved values."""
import numpy as np
import pytest
import torch

import glasstorch


def walk(node):
    """(name, ((child, index), ...)) recursively: the whole graph below a node, comparable across libraries."""
    if node is None:
        return None
    return node.name(), tuple((walk(n), i) for n, i in node.next_functions)


def _inputs(lib):
    g = np.random.default_rng(0)

    def t(*shape, grad=True):
        return lib.tensor(g.standard_normal(shape).astype(np.float32), requires_grad=grad)
    return dict(x=t(3, 4), y=t(3, 4), W=t(4, 5), b=t(5), W2=t(5, 4), c=t(3, 4, grad=False), x3=t(2, 3, 4),
                img=t(1, 2, 6, 6), k=t(3, 2, 3, 3), kb=t(3), v=t(4), idx=lib.tensor([0, 1, 2]))


EXPRESSIONS = {
    "mul": lambda T, F, d: d["x"] * d["y"],
    "mul_const": lambda T, F, d: d["x"] * d["c"],
    "mul_scalar": lambda T, F, d: d["x"] * 2,
    "add": lambda T, F, d: d["x"] + d["y"],
    "add_scalar": lambda T, F, d: d["x"] + 1,
    "sub_div": lambda T, F, d: (d["x"] - d["y"]) / d["y"],
    "mm": lambda T, F, d: d["x"] @ d["W"],
    "addmm": lambda T, F, d: T.addmm(d["b"], d["x"], d["W"]),
    "mv_dot": lambda T, F, d: (d["W2"] @ d["v"]).dot(d["b"]),
    "bmm": lambda T, F, d: T.bmm(d["x3"], d["x3"].transpose(1, 2)),
    "sum": lambda T, F, d: d["x"].sum(),
    "sum_dim": lambda T, F, d: d["x"].sum(1),
    "mean": lambda T, F, d: d["x"].mean(),
    "mean_keepdim": lambda T, F, d: d["x"].mean(0, keepdim=True),
    "prod": lambda T, F, d: d["x"].prod() + d["x"].prod(1).sum(),
    "unary": lambda T, F, d: d["x"].relu().sigmoid().tanh().exp().abs().sqrt().log().sin().cos().neg(),
    "pow": lambda T, F, d: d["x"] ** 2,
    "pow_tensor": lambda T, F, d: d["x"] ** d["y"],
    "pow_scalar_base": lambda T, F, d: 2 ** d["x"],
    "t_view_reshape": lambda T, F, d: d["x"].t().contiguous().view(12).reshape(3, 4),
    "select_slice": lambda T, F, d: d["x"][0] + d["x"][1:].sum(0) + d["x"][:, 1].sum(),
    "unsqueeze_index": lambda T, F, d: d["x"][None] + 0,
    "ellipsis": lambda T, F, d: d["x"][...],
    "advanced_index": lambda T, F, d: d["x"][d["idx"]],
    "cat_stack": lambda T, F, d: T.cat([d["x"], d["y"]]) + T.stack([d["x"], d["y"]]).sum(0).repeat(2, 1),
    "softmax": lambda T, F, d: d["x"].softmax(1) + F.log_softmax(d["x"], dim=-1),
    "nll": lambda T, F, d: F.nll_loss(d["x"], d["idx"]),
    "conv": lambda T, F, d: F.conv2d(d["img"], d["k"], d["kb"]),
    "conv_no_bias": lambda T, F, d: F.conv2d(d["img"], d["k"]),
    "max_pool": lambda T, F, d: F.max_pool2d(d["img"], 2),
    "avg_pool": lambda T, F, d: F.avg_pool2d(d["img"], 2),
    "shapes": lambda T, F, d: d["x3"].flatten().unsqueeze(0).squeeze() + d["x3"].permute(2, 0, 1).sum(),
    "expand_where": lambda T, F, d: T.where(d["x"] > 0, d["b"][:4].expand(3, 4), d["y"]),
    "max_min": lambda T, F, d: d["x"].max() + d["x"].min() + d["x"].max(1)[0].sum() + T.maximum(d["x"], d["y"]).sum(),
    "clamp": lambda T, F, d: d["x"].clamp(0, 1) + d["x"].clamp(min=0),
    "activations": lambda T, F, d: F.gelu(d["x"]) + F.leaky_relu(d["x"]) + F.softplus(d["x"]),
    "reductions": lambda T, F, d: d["x"].std() + d["x"].var(1).sum() + d["x"].norm(),
    "layer_norm": lambda T, F, d: F.layer_norm(d["x"], (4,)),
    "batch_norm": lambda T, F, d: F.batch_norm(d["img"], T.zeros(2), T.ones(2), training=True),
    "embedding": lambda T, F, d: F.embedding(d["idx"], d["W2"]),
    "split_unbind": lambda T, F, d: d["x"].split(2)[0].sum() + d["x"].chunk(2, 1)[0].sum() + d["x"].unbind()[0].sum(),
    "to_double": lambda T, F, d: d["x"].double(),
    "detached": lambda T, F, d: d["x"].detach() * d["y"],
    "chain": lambda T, F, d: (d["x"] * d["y"] + d["x"].exp()).sum(),
    "bce": lambda T, F, d: F.binary_cross_entropy(d["x"].sigmoid(), d["c"].sigmoid(), reduction="none"),
    "mlp": lambda T, F, d: (d["x"] @ d["W"] + d["b"]).relu().sum(),
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_graph_structure_as_pytorch(name):
    f = EXPRESSIONS[name]
    theirs = walk(f(torch, torch.nn.functional, _inputs(torch)).grad_fn)
    ours = walk(f(glasstorch, glasstorch.nn.functional, _inputs(glasstorch)).grad_fn)
    assert ours == theirs


def test_known_differences_of_composite_indexing():
    """x[0, 1:] is one node here (PyTorch: SliceBackward0 over SelectBackward0): named after the last step."""
    x = glasstorch.randn(3, 4, requires_grad=True)
    assert x[0, 1:].grad_fn.name() == "SliceBackward0"
    assert x[1:, 0].grad_fn.name() == "SelectBackward0"


def test_leaf_node_is_accumulate_grad_with_variable():
    x = glasstorch.randn(3, requires_grad=True)
    acc = (x * 2).grad_fn.next_functions[0][0]
    assert acc.name() == torch.randn(1, requires_grad=True).mul(2).grad_fn.next_functions[0][0].name()
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is x and acc.next_functions == ()


def test_names_survive_backward():
    for lib in (torch, glasstorch):
        x = lib.randn(3, 4, requires_grad=True)
        y = x.sum(1)
        y.sum().backward()
        assert y.grad_fn.name() == "SumBackward1"
        p = x ** 2
        p.sum().backward()
        assert p.grad_fn.name() == "PowBackward0" and len(p.grad_fn.next_functions) == 1


@pytest.mark.parametrize("lib", [torch, glasstorch])
def test_node_hooks(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = lib.tensor([4.0, 5.0, 6.0], requires_grad=True)
    z = x * y
    seen = {}

    def post(grad_inputs, grad_outputs):
        seen["post"] = ([g.tolist() for g in grad_inputs], [g.tolist() for g in grad_outputs])
        return (grad_inputs[0] * 10, grad_inputs[1])

    def pre(grad_outputs):
        seen["pre"] = [g.tolist() for g in grad_outputs]
        return (grad_outputs[0] * 2,)

    h1 = z.grad_fn.register_hook(post)
    h2 = z.grad_fn.register_prehook(pre)
    z.backward(lib.ones(3))
    result = (seen, x.grad.tolist(), y.grad.tolist())
    h1.remove()
    h2.remove()
    x.grad = y.grad = None
    z2 = x * y
    z2.grad_fn.register_prehook(lambda g: None)
    z2.backward(lib.ones(3))
    return_values = result + (x.grad.tolist(),)
    assert return_values[0]["pre"] == [[1.0, 1.0, 1.0]]
    assert return_values[0]["post"] == ([[8.0, 10.0, 12.0], [2.0, 4.0, 6.0]], [[2.0, 2.0, 2.0]])
    assert return_values[1] == [80.0, 100.0, 120.0] and return_values[2] == [2.0, 4.0, 6.0]
    assert return_values[3] == [4.0, 5.0, 6.0]


@pytest.mark.parametrize("lib", [torch, glasstorch])
def test_post_hook_grad_inputs_has_none_for_inputs_without_grad(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    c = lib.tensor([3.0, 4.0])
    z = x * c
    seen = []
    z.grad_fn.register_hook(lambda gi, go: seen.append([None if g is None else g.tolist() for g in gi]))
    z.sum().backward()
    assert seen == [[[3.0, 4.0], None]]


def test_tensor_hook_on_non_leaf_still_works():
    x = glasstorch.tensor([1.0, 2.0], requires_grad=True)
    z = x * 3
    h = z.register_hook(lambda g: g * 2)
    z.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]
    h.remove()


def test_metadata_is_a_dict_kept_on_the_node():
    x = glasstorch.randn(2, requires_grad=True)
    y = x.exp()
    assert y.grad_fn.metadata == {}
    y.grad_fn.metadata["tag"] = 1
    assert y.grad_fn.metadata == {"tag": 1}
    assert torch.randn(2, requires_grad=True).exp().grad_fn.metadata == {}


SAVED = [
    (lambda T, x, y: x * y, ["_saved_self", "_saved_other"]),
    (lambda T, x, y: x / y, ["_saved_self", "_saved_other"]),
    (lambda T, x, y: x.exp(), ["_saved_result"]),
    (lambda T, x, y: x.tanh(), ["_saved_result"]),
    (lambda T, x, y: x.sigmoid(), ["_saved_result"]),
    (lambda T, x, y: x.relu(), ["_saved_result"]),
    (lambda T, x, y: x.abs().sqrt(), ["_saved_result"]),
    (lambda T, x, y: x.abs().log(), ["_saved_self"]),
    (lambda T, x, y: x.sin(), ["_saved_self"]),
    (lambda T, x, y: x.cos(), ["_saved_self"]),
    (lambda T, x, y: x ** y, ["_saved_self", "_saved_exponent", "_saved_result"]),
    (lambda T, x, y: x @ y.t(), ["_saved_self", "_saved_mat2"]),
]


@pytest.mark.parametrize("i", range(len(SAVED)))
def test_saved_values_as_pytorch(i):
    f, names = SAVED[i]
    g = np.random.default_rng(1)
    a, b = g.uniform(0.5, 2, (3, 3)).astype(np.float32), g.uniform(0.5, 2, (3, 3)).astype(np.float32)
    results = []
    for lib in (torch, glasstorch):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        out = f(lib, x, y)
        results.append([np.asarray(getattr(out.grad_fn, n).detach().numpy()) for n in names])
        out.sum().backward()
        with pytest.raises(RuntimeError, match="after they have already been freed"):
            getattr(out.grad_fn, names[0])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_pow_scalar_exponent_is_the_number():
    for lib in (torch, glasstorch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        assert (x ** 3).grad_fn._saved_exponent == 3


def test_unknown_saved_attribute_is_attribute_error():
    y = glasstorch.randn(2, requires_grad=True).exp()
    with pytest.raises(AttributeError):
        y.grad_fn._saved_nothing
