"""glass.profile: per-op calls, forward/backward time and FLOPs of what runs inside the block, and nothing else."""
import pytest

import glasstorch
from glasstorch import glass, nn
from glasstorch.autograd.function import Hooks


def _by_op(prof):
    return {r["op"]: r for r in prof.rows}


def test_linear_layer_ops_calls_and_flops():
    layer = nn.Linear(784, 256)
    x = glasstorch.randn(64, 784)
    with glass.profile() as prof:
        out = layer(x).relu()
        out.sum().backward()
    rows = _by_op(prof)
    assert set(rows) == {"Linear", "Relu", "Sum"}
    assert rows["Linear"]["calls"] == 1 and rows["Linear"]["backward_calls"] == 1
    assert rows["Linear"]["flops"] == 2 * 64 * 784 * 256  # the matmul part; the bias is not counted
    assert rows["Relu"]["flops"] == 64 * 256               # elementwise: one per output element
    assert rows["Sum"]["flops"] == 0                        # not estimated
    assert rows["Linear"]["gflop"] == pytest.approx(2 * 64 * 784 * 256 / 1e9)
    assert rows["Linear"]["forward_ms"] > 0 and rows["Linear"]["backward_ms"] > 0
    assert rows["Linear"]["gflops"] == pytest.approx(rows["Linear"]["gflop"] / (rows["Linear"]["forward_ms"] / 1e3))
    assert layer.weight.grad is not None


def test_loop_counts_and_sorting():
    x = glasstorch.randn(8, 8, requires_grad=True)
    with glass.profile() as prof:
        y = x
        for _ in range(7):
            y = (y * 1.5).tanh()
        y.sum().backward()
    rows = _by_op(prof)
    assert rows["Mul"]["calls"] == 7 and rows["Tanh"]["calls"] == 7 and rows["Sum"]["calls"] == 1
    assert rows["Mul"]["backward_calls"] == 7 and rows["Tanh"]["backward_calls"] == 7
    assert rows["Mul"]["flops"] == 7 * 64
    times = [r["forward_ms"] + r["backward_ms"] for r in prof.rows]
    assert times == sorted(times, reverse=True)
    assert all(r["backward_ms"] > 0 for r in prof.rows)


def test_conv_and_matmul_flops():
    conv = nn.Conv2d(3, 8, 3, padding=1, groups=1)
    grouped = nn.Conv2d(4, 8, 3, groups=2)
    a, b = glasstorch.randn(5, 6), glasstorch.randn(6, 7)
    with glass.profile() as prof:
        conv(glasstorch.randn(2, 3, 10, 10))
        grouped(glasstorch.randn(1, 4, 5, 5))
        a @ b
    rows = _by_op(prof)
    want = 2 * 2 * 8 * 10 * 10 * 3 * 3 * 3 + 2 * 1 * 8 * 3 * 3 * (4 // 2) * 3 * 3
    assert rows["Convolution"]["calls"] == 2 and rows["Convolution"]["flops"] == want
    matmul = [r for r in prof.rows if r["op"] in ("MatMul", "Mm")]
    assert len(matmul) == 1 and matmul[0]["flops"] == 2 * 5 * 6 * 7


def test_nothing_recorded_outside_the_block_and_hooks_off():
    x = glasstorch.randn(4, 4, requires_grad=True)
    y = (x * 2).exp()  # before: not recorded
    with glass.profile() as prof:
        z = y.sin()
        assert Hooks.forward is not None and Hooks.backward is not None
    assert Hooks.forward is None and Hooks.backward is None
    z.sum().backward()  # after: not recorded
    (x * 3).sum()
    rows = _by_op(prof)
    assert set(rows) == {"Sin"}
    assert rows["Sin"]["calls"] == 1 and rows["Sin"]["backward_calls"] == 0


def test_backward_of_nodes_created_before_the_block_is_counted():
    x = glasstorch.randn(3, requires_grad=True)
    y = x.exp().sum()
    with glass.profile() as prof:
        y.backward()
    rows = _by_op(prof)
    assert rows["Exp"]["calls"] == 0 and rows["Exp"]["backward_calls"] == 1


def test_table_text_and_key_averages():
    layer = nn.Linear(10, 5)
    with glass.profile() as prof:
        layer(glasstorch.randn(3, 10)).sum().backward()
    text = prof.key_averages().table(row_limit=10)
    lines = text.splitlines()
    for column in ("op", "calls", "forward ms", "backward ms", "GFLOP", "GFLOP/s"):
        assert column in lines[1]
    assert lines[0].startswith("---") and lines[2].startswith("---")
    assert any(line.startswith("Linear ") for line in lines)
    assert "block wall time" in lines[-1]
    assert str(prof) == prof.table()
    assert len(prof.table(sort_by="calls", row_limit=1).splitlines()) == 6
    with pytest.raises(ValueError, match="sort_by"):
        prof.table(sort_by="nonsense")


def test_profile_and_detect_anomaly_together():
    x = glasstorch.randn(4, requires_grad=True)
    with glass.profile() as prof:
        with glass.detect_anomaly():
            (x.exp() + 1).log().sum().backward()
        assert Hooks.forward == prof._forward
    assert Hooks.forward is None and Hooks.backward is None
    rows = _by_op(prof)
    assert rows["Log"]["calls"] == 1 and rows["Log"]["backward_calls"] == 1
    assert x.grad is not None


def test_verbose_prints_the_table(capsys):
    with glass.profile(verbose=True):
        glasstorch.ones(3).exp()
    assert "Exp" in capsys.readouterr().out


def test_backward_flops_of_a_linear_layer():
    layer = nn.Linear(784, 256)
    forward = 2 * 64 * 784 * 256
    x = glasstorch.randn(64, 784)
    with glass.profile() as prof:                  # only the weight needs a gradient: dL/dW = dL/dyᵀ · x
        layer(x).relu().sum().backward()
    rows = _by_op(prof)
    assert rows["Linear"]["flops"] == forward and rows["Linear"]["backward_flops"] == forward
    assert rows["Linear"]["backward_gflop"] == pytest.approx(forward / 1e9)
    assert rows["Relu"]["backward_flops"] == 64 * 256 and rows["Sum"]["backward_flops"] == 0
    x.requires_grad_(True)
    with glass.profile() as prof:                  # the input too: dL/dx = dL/dy · W, another 2·m·n·k
        layer(x).sum().backward()
    assert _by_op(prof)["Linear"]["backward_flops"] == 2 * forward
    layer.weight.requires_grad_(False)
    with glass.profile() as prof:                  # a frozen weight, the input needs it: 1×
        layer(x).sum().backward()
    assert _by_op(prof)["Linear"]["backward_flops"] == forward
    with glass.profile() as prof:                  # no backward run: no backward FLOPs
        layer(x).sum()
    assert _by_op(prof)["Linear"]["backward_flops"] == 0
    header = prof.table().splitlines()[1]
    assert "forward GFLOP" in header and "backward GFLOP" in header
    line = [ln for ln in prof.table().splitlines() if ln.startswith("Linear")][0].split()
    assert line[4] == f"{forward / 1e9:.4f}" and line[5] == "0.0000"
