"""SyncBatchNorm's op: batch norm whose statistics are those of the batches of every process together.

With P processes each holding part of the batch, ordinary batch norm would normalize each part with its own
mean and variance. SyncBatchNorm all-reduces the per-channel sums first, so that every process uses the
statistics of the whole batch (M = Σ_p M_p values per channel):

    forward    μ = Σ_p Σ x / M                      (all-reduce of [Σ x, M_p])
               σ² = Σ_p Σ (x − μ)² / M              (all-reduce of Σ (x − μ)²: two passes, as exact as one process)
               y = γ · (x − μ)/σ + β                and the running buffers see μ and the unbiased σ²·M/(M − 1)
    backward   with g = dL/dy:  Σ g and Σ g · (x − μ) are all-reduced too (one call), then
               dL/dx = γ/σ · (g − Σg/M − x̂ · Σ(g · x̂)/M)      x̂ = (x − μ)/σ
               dL/dγ = Σ_local g · x̂,  dL/dβ = Σ_local g  (local: DistributedDataParallel averages them)

As in PyTorch, the input gradient carries every process's loss (the sums are global), so that after DDP's
average the gradients are those of one process on the concatenated batch with the mean loss.
"""
from ..autograd.function import Function
from ..ops.channels import channel_dot, channel_shape, channel_sum, spread
from ..ops.norm import _grad_input, _inv_std, _normalize, _update_running
from .process_group import _mpi


def _sum_over_processes(pg, *arrays):
    """Σ over the processes of each array (one Allreduce of them side by side, float64)."""
    import numpy as np
    flat = np.concatenate([np.asarray(a, np.float64).reshape(-1) for a in arrays])
    pg.comm.Allreduce(_mpi().IN_PLACE, flat, op=_mpi().SUM)
    out, at = [], 0
    for a in arrays:
        n = np.size(a)
        out.append(flat[at:at + n].reshape(np.shape(a)))
        at += n
    return out


class SyncBatchNormFunction(Function):
    """y = γ · (x − μ)/σ + β with μ, σ² over the batches of every process of ``pg`` (training only)."""

    saves = (1,)

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, momentum, eps, pg):
        shape = channel_shape(x)
        local_sum = channel_sum(x)
        total, count = _sum_over_processes(pg, local_sum, [x.size // x.shape[1]])
        m = int(count[0])                                           # M: values per channel, all processes
        mean = (total / m).astype(x.dtype).reshape(shape)
        xc = x - spread(mean, x)                                    # x − μ
        (var_sum,) = _sum_over_processes(pg, channel_dot(xc, xc))   # Σ_p Σ (x − μ)²
        var_sum = var_sum.astype(x.dtype).reshape(shape)
        inv_std = _inv_std(var_sum, m, eps, x.dtype)                # 1/σ, as BatchNorm's
        y = _normalize(x, xc, inv_std, weight, bias, shape)           # y = (x − μ) · γ/σ + β
        _update_running(running_mean, running_var, mean, var_sum, m, momentum)
        ctx.xc, ctx.inv_std, ctx.weight, ctx.m, ctx.pg = xc, inv_std, weight, m, pg
        return y

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        xc, inv_std, weight, m = ctx.xc, ctx.inv_std, ctx.weight, ctx.m
        n_channels = grad.shape[1]
        local_g = channel_sum(grad)                                  # Σ_local g
        local_gxc = channel_dot(grad, xc)                            # Σ_local g · (x − μ)
        gx = gw = gb = None
        if need[0]:
            sum_g, sum_gxc = _sum_over_processes(ctx.pg, local_g, local_gxc)
            sum_g = sum_g.astype(grad.dtype).reshape(inv_std.shape)
            sum_gx = sum_gxc.astype(grad.dtype).reshape(inv_std.shape) * inv_std     # Σ g · x̂, all processes
            gx = _grad_input(grad, xc, inv_std, weight, sum_g, sum_gx, grad.dtype.type(m))   # γ/σ · (...)
        if need[1]:
            gw = (local_gxc.reshape(inv_std.shape) * inv_std).reshape(n_channels)   # dL/dγ = Σ_local g · x̂
        if need[2]:
            gb = local_g.reshape(n_channels)                         # dL/dβ = Σ_local g
        return gx, gw, gb, None, None, None, None, None
