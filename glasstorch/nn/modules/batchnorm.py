"""BatchNorm1d/2d/3d and InstanceNorm1d/2d/3d: normalize each channel, learn a scale γ and a shift β per channel.

BatchNorm in training normalizes with the statistics of the current batch (per channel, over the batch and every
spatial position) and keeps a running estimate of them in two buffers; in eval mode it normalizes with those
buffers, so one sample's output no longer depends on the rest of its batch:

    running_mean = (1 − momentum) · running_mean + momentum · batch mean
    running_var  = (1 − momentum) · running_var  + momentum · batch variance (unbiased, / (M − 1))

``momentum=0.1`` is the weight of the NEW batch (other libraries call 0.9 the "decay"); ``momentum=None``
makes it a cumulative average, weight 1/num_batches_tracked. ``num_batches_tracked`` (int64, 0-d) counts
the training batches seen. With ``track_running_stats=False`` there are no buffers and batch statistics are
used in eval mode too.

InstanceNorm normalizes each (sample, channel) plane on its own (by default without γ, β or running stats).
"""
from ... import creation
from ..._dtype import int64
from ...ops import norm as _norm
from .module import Module
from .normalization import register_affine, reset_affine

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "SyncBatchNorm"]


class _NormBase(Module):
    """What BatchNorm and InstanceNorm share: γ and β (``affine``), the running-statistics buffers, the repr."""

    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        register_affine(self, num_features, affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", creation.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", creation.tensor(0, dtype=int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        """Mean 0, variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        """Reset the running statistics, γ = 1 and β = 0."""
        self.reset_running_stats()
        reset_affine(self)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average: the n-th batch gets weight 1/n
                momentum = 1.0 / float(self.num_batches_tracked)
        # batch statistics in training, and in eval when there are no running buffers to use instead
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        # the buffers are updated only when tracked and training; in eval they are read
        update_or_read = not self.training or self.track_running_stats
        return _norm.batch_norm(input,
                                self.running_mean if update_or_read else None,
                                self.running_var if update_or_read else None,
                                self.weight, self.bias, use_batch_stats, momentum, self.eps)


class BatchNorm1d(_BatchNorm):
    """BatchNorm over input (N, C) or (N, C, L): statistics per channel over N (and L)."""

    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """BatchNorm over input (N, C, H, W): statistics per channel over N, H, W."""

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """BatchNorm over input (N, C, D, H, W): statistics per channel over N, D, H, W."""

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class _InstanceNorm(_NormBase):
    _batched_dim = None  # the input's dim with a batch dim; one fewer means an unbatched sample

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input):
        d = self._batched_dim
        if input.dim() not in (d - 1, d):
            raise ValueError(f"expected {d - 1}D or {d}D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - (self._batched_dim - 1)
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.size(feature_dim)}.")
            import warnings
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          "warning by not passing in num_features, which is not used because affine=False",
                          stacklevel=2)
        unbatched = input.dim() == self._batched_dim - 1
        x = input.unsqueeze(0) if unbatched else input
        y = _norm.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                                self.training or not self.track_running_stats,
                                0.0 if self.momentum is None else self.momentum, self.eps)
        return y.squeeze(0) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """InstanceNorm over input (N, C, L) or (C, L): statistics per sample and channel over L."""

    _batched_dim = 3


class InstanceNorm2d(_InstanceNorm):
    """InstanceNorm over input (N, C, H, W) or (C, H, W): statistics per sample and channel over H, W."""

    _batched_dim = 4


class InstanceNorm3d(_InstanceNorm):
    """InstanceNorm over input (N, C, D, H, W) or (C, D, H, W): statistics per sample and channel over D, H, W."""

    _batched_dim = 5


class SyncBatchNorm(_BatchNorm):
    """BatchNorm whose batch statistics are those of every process's batch together, in training with a
    process group of more than one process (``process_group``, or the default group): the op is
    glasstorch/distributed/sync_batchnorm.py. In eval mode, or without a group (a single-process script), it is
    ordinary batch norm, as in PyTorch."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        group = self._group() if self.training else None
        if group is None:
            return super().forward(input)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked)
        from ...distributed.sync_batchnorm import SyncBatchNormFunction
        track = self.track_running_stats
        return SyncBatchNormFunction.apply(input, self.weight, self.bias, self.running_mean if track else None,
                                           self.running_var if track else None, float(momentum), self.eps, group)

    def _group(self):
        """The process group to synchronize over, or None (no group initialized, or a group of one)."""
        from ... import distributed as dist
        if not dist.is_initialized():
            return None
        from ...distributed.process_group import resolve
        group = resolve(self.process_group)
        return group if group.size() > 1 else None

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Every BatchNorm*d in ``module`` (itself included) replaced by a SyncBatchNorm sharing its parameters
        and buffers; returns the converted module."""
        module_output = module
        if isinstance(module, _BatchNorm):
            module_output = SyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                          module.track_running_stats, process_group, bias=module.bias is not None)
            if module.affine:
                module_output.weight = module.weight
                module_output.bias = module.bias
            module_output.running_mean = module.running_mean
            module_output.running_var = module.running_var
            module_output.num_batches_tracked = module.num_batches_tracked
            module_output.training = module.training
            if hasattr(module, "qconfig"):
                module_output.qconfig = module.qconfig
        for name, child in module.named_children():
            module_output.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return module_output
