"""Run by tests/distributed/test_ddp.py on 2 processes: DistributedDataParallel against single-process training
on the concatenated batch (float64). Prints ``RESULT {json}``: check name -> "ok" or the error."""
import numpy as np

import glasstorch as torch
import glasstorch.distributed as dist
from checks import check, report
from glasstorch import nn
from glasstorch.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("gloo")
R, P = dist.get_rank(), dist.get_world_size()
rng = np.random.default_rng(0)
X = torch.from_numpy(rng.standard_normal((8 * P, 6)))
Y = torch.from_numpy(rng.integers(0, 4, 8 * P))


def net(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 32), nn.Tanh(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4)).double()


def mine(t, k=0, chunks=1):
    """This rank's share of micro-batch k (of ``chunks``)."""
    n = t.shape[0] // (P * chunks)
    start = (k * P + R) * n
    return t[start:start + n]


def close(a, b, tol=1e-12):
    err = float((a - b).abs().max())
    assert err <= tol, err


@check("construction_broadcasts_rank0")
def _():
    model = net(seed=R)                     # a different initialization on every rank ...
    DDP(model)
    ref = net(seed=0)                       # ... DDP copies rank 0's
    for p, q in zip(model.parameters(), ref.parameters()):
        close(p, q, 0)


@check("gradients_equal_concatenated_batch")
def _():
    for cap in (25, 0.002):                 # one bucket; several small buckets
        model = net(seed=R)
        ddp = DDP(model, bucket_cap_mb=cap)
        nn.functional.cross_entropy(ddp(mine(X)), mine(Y)).backward()
        ref = net(seed=0)
        nn.functional.cross_entropy(ref(X), Y).backward()
        for p, q in zip(model.parameters(), ref.parameters()):
            close(p.grad, q.grad)
        stats = ddp.comm_stats()
        assert (stats["buckets"] == 1) == (cap == 25), stats
        assert stats["comm_seconds"] > 0


@check("three_steps_equal_single_process")
def _():
    for make_opt in (lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: torch.optim.Adam(ps, lr=1e-2)):
        model = net(seed=R)
        ddp = DDP(model, bucket_cap_mb=0.002)
        ref = net(seed=0)
        opt, ropt = make_opt(ddp.parameters()), make_opt(ref.parameters())
        for step in range(3):
            xs, ys = X.roll(step, 0), Y.roll(step, 0)
            opt.zero_grad()
            nn.functional.cross_entropy(ddp(mine(xs)), mine(ys)).backward()
            opt.step()
            ropt.zero_grad()
            nn.functional.cross_entropy(ref(xs), ys).backward()
            ropt.step()
        for p, q in zip(model.parameters(), ref.parameters()):
            close(p, q)


@check("no_sync_accumulates")
def _():
    model = net(seed=R)
    ddp = DDP(model)
    with ddp.no_sync():                     # micro-batch 0: local only
        nn.functional.cross_entropy(ddp(mine(X, 0, 2)), mine(Y, 0, 2)).backward()
    local = [p.grad.clone() for p in model.parameters()]
    ref0 = net(seed=0)
    nn.functional.cross_entropy(ref0(mine(X, 0, 2)), mine(Y, 0, 2)).backward()
    for g, q in zip(local, ref0.parameters()):
        close(g, q.grad)                    # not averaged
    nn.functional.cross_entropy(ddp(mine(X, 1, 2)), mine(Y, 1, 2)).backward()   # synchronized
    ref = net(seed=0)
    for k in range(2):
        half = X.shape[0] // 2
        nn.functional.cross_entropy(ref(X[k * half:(k + 1) * half]), Y[k * half:(k + 1) * half]).backward()
    for p, q in zip(model.parameters(), ref.parameters()):
        close(p.grad, q.grad)


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(6, 4).double()
        self.unused = nn.Linear(6, 4).double()
        self.sometimes = nn.Linear(6, 4).double()

    def forward(self, x, use):
        y = self.a(x)
        return y + self.sometimes(x) if use else y


@check("find_unused_parameters")
def _():
    torch.manual_seed(0)
    model = Branchy()
    ddp = DDP(model, find_unused_parameters=True)
    use = R == 0                            # `sometimes` is used on rank 0 only
    nn.functional.cross_entropy(ddp(mine(X), use), mine(Y)).backward()
    assert model.unused.weight.grad is None           # used by no rank: untouched
    torch.manual_seed(0)
    ref = Branchy()
    per_rank = []
    for r in range(P):
        ref.zero_grad(set_to_none=True)
        n = X.shape[0] // P
        nn.functional.cross_entropy(ref(X[r * n:(r + 1) * n], r == 0), Y[r * n:(r + 1) * n]).backward()
        per_rank.append({k: (v.grad.clone() if v.grad is not None else torch.zeros_like(v))
                         for k, v in ref.named_parameters()})
    for name, p in model.named_parameters():
        if name.startswith("unused"):
            continue
        close(p.grad, sum(g[name] for g in per_rank) / P)


@check("unused_without_detection_raises")
def _():
    torch.manual_seed(0)
    model = Branchy()
    ddp = DDP(model)
    nn.functional.cross_entropy(ddp(mine(X), False), mine(Y)).backward()
    try:
        ddp(mine(X), False)
    except RuntimeError as e:
        assert "Expected to have finished reduction in the prior iteration" in str(e), e
    else:
        raise AssertionError("no error for parameters that got no gradient")


@check("wrapper_api")
def _():
    model = net(seed=0)
    ddp = DDP(model)
    assert ddp.module is model
    assert list(ddp.state_dict()) == ["module." + k for k in model.state_dict()]
    bn = nn.Sequential(nn.Linear(6, 4), nn.BatchNorm1d(4)).double()
    bn[1].running_mean.fill_(float(R + 3))  # buffers differ at construction ...
    dbn = DDP(bn)
    close(bn[1].running_mean, torch.full((4,), 3.0, dtype=torch.float64), 0)   # ... rank 0's were copied
    bn[1].running_mean.fill_(float(R + 7))  # and differ again before a forward ...
    dbn.eval()
    dbn(mine(X))
    close(bn[1].running_mean, torch.full((4,), 7.0, dtype=torch.float64), 0)   # ... rank 0's were broadcast
    with torch.no_grad():
        ddp(mine(X))                        # no backward follows: nothing pending
    ddp(mine(X))


@check("sync_batchnorm")
def _():
    def bn_net(cls):
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(6, 8), cls(8), nn.ReLU(), nn.Linear(8, 4)).double()
    model = nn.SyncBatchNorm.convert_sync_batchnorm(bn_net(nn.BatchNorm1d))
    assert isinstance(model[1], nn.SyncBatchNorm)
    ddp = DDP(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1)
    ref = bn_net(nn.BatchNorm1d)                    # one process, the concatenated batch
    ropt = torch.optim.SGD(ref.parameters(), lr=0.1)
    for step in range(2):
        opt.zero_grad()
        nn.functional.cross_entropy(ddp(mine(X)), mine(Y)).backward()
        opt.step()
        ropt.zero_grad()
        nn.functional.cross_entropy(ref(X), Y).backward()
        ropt.step()
    for p, q in zip(model.parameters(), ref.parameters()):
        close(p, q)
    close(model[1].running_mean, ref[1].running_mean)
    close(model[1].running_var, ref[1].running_var)
    assert int(model[1].num_batches_tracked) == 2
    model.eval()
    close(ddp(mine(X)), ref.eval()(mine(X)))       # eval: the (equal) running statistics


@check("sync_batchnorm_numerical_gradient")
def _():
    """Central differences across processes (float64): only rank ``owner`` perturbs its input while the other
    runs the same forwards, so the all-reduces pair up; the loss is rank 0's alone (rank 1's output gradient is
    0), so the analytic dL/dx on each rank is d(rank 0's loss)/d(that rank's x), through the shared statistics.
    γ and β are equal on every rank, as DDP keeps them (PyTorch's SyncBatchNorm backward assumes it too)."""
    from glasstorch.distributed.process_group import resolve
    from glasstorch.distributed.sync_batchnorm import SyncBatchNormFunction
    pg = resolve(None)
    rng = np.random.default_rng(10 + R)
    x = torch.from_numpy(rng.standard_normal((5, 3, 2))).requires_grad_()
    shared = np.random.default_rng(7)
    gamma = torch.from_numpy(shared.standard_normal(3) + 1).requires_grad_()
    beta = torch.from_numpy(shared.standard_normal(3)).requires_grad_()
    weights = torch.from_numpy(np.random.default_rng(99).standard_normal((5, 3, 2)))

    def loss(xv, g, b):
        y = SyncBatchNormFunction.apply(xv, g, b, None, None, 0.1, 1e-5, pg)
        return (y * weights).sum() * (1.0 if R == 0 else 0.0)
    loss(x, gamma, beta).backward()
    eps, worst = 1e-6, {}
    for owner in range(P):
        for name, t in (("x", x), ("gamma", gamma), ("beta", beta)):
            flat = t.detach().numpy().reshape(-1)
            for k in range(flat.size):
                values = []
                for sign in (1, -1):
                    with torch.no_grad():
                        if R == owner:
                            flat[k] += sign * eps
                        values.append(float(loss(x.detach(), gamma.detach(), beta.detach())))
                        if R == owner:
                            flat[k] -= sign * eps
                numeric = np.array((values[0] - values[1]) / (2 * eps))
                total = torch.zeros(1, dtype=torch.float64)
                total[0] = float(numeric)
                dist.broadcast(total, src=0)          # rank 0 holds the loss: its difference is the derivative
                if R == owner:   # compared after the loops: a failure must not leave the other rank waiting
                    err = abs(t.grad.numpy().reshape(-1)[k] - float(total[0]))
                    worst[name] = max(worst.get(name, 0.0), err)
    assert all(err < 1e-6 for err in worst.values()), worst


@check("sampler_defaults_from_group")
def _():
    from glasstorch.utils.data.distributed import DistributedSampler
    s = DistributedSampler(list(range(10)), shuffle=False)
    assert s.num_replicas == P and s.rank == R and list(s) == list(range(10))[R::P]


dist.destroy_process_group()
report(R)
