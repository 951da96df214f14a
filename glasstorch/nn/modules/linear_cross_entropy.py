"""LinearCrossEntropyLoss: a linear layer and cross-entropy in one module (PyTorch 2.13's LLM-head loss).

    logits = input Wᵀ (+ b)          W: (C, d1.., in_features), logits: (N, C, d1..)
    loss   = cross_entropy(logits, target, weight, ignore_index, label_smoothing)

The gradient is the two ops' own chain rule: ∂loss/∂logits = softmax(logits) − onehot(target) (scaled by
the class weights and the reduction), then ∂/∂input = ∂logits W, ∂/∂W = ∂logitsᵀ input.

Deviation from PyTorch: ``options`` (``LinearCrossEntropyOptions``) selects PyTorch's chunked kernel, which
never holds the whole (N, C) logits matrix at once; glasstorch accepts the options and always takes the
reference path (the same numbers; the logits are materialized).
"""
import dataclasses
import math

from ...ops import loss as _loss
from ...ops import matmul as _matmul
from .linear import Linear
from .loss import _WeightedLoss

__all__ = ["LinearCrossEntropyLoss", "LinearCrossEntropyOptions"]  # linear_cross_entropy: in nn.functional


@dataclasses.dataclass(frozen=True)
class LinearCrossEntropyOptions:
    """PyTorch's settings for its chunked kernel (batch chunk size, accumulation policy and dtype). Accepted
    and kept; glasstorch computes the reference composition whatever they say (see the module docstring)."""
    allow_retain_graph: bool = False
    batch_chunk_size: int = None
    chunking_method: str = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)`` with PyTorch's checks;
    ``linear_weight`` (C, d1.., in_features) gives a K-dimensional loss over logits (N, C, d1..)."""
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}")
    batches, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), "
                           f"got {input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(classes, *out_features)}, "
                           f"got {tuple(linear_bias.shape)}")
    if out_features and not batches:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} "
                           f"requires batched input, (N, {in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    logits_shape = (*batches, classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    # the logits: input (N, in) times W flattened to (C·d1.., in), transposed, reshaped back to (N, C, d1..)
    flat = linear_weight.reshape(-1, in_features)
    logits = _matmul.matmul(input, flat.t())
    if linear_bias is not None:
        logits = logits + linear_bias.reshape(-1)
    logits = logits.reshape(logits_shape)
    return _loss.cross_entropy(logits, target, weight=weight,
                               ignore_index=-100 if ignore_index is None else ignore_index,
                               reduction=reduction, label_smoothing=label_smoothing)


class LinearCrossEntropyLoss(_WeightedLoss):
    """``LinearCrossEntropyLoss(in_features, num_classes, *, out_features=(), bias=False, ...)``: its
    parameters are those of the child ``linear`` (a Linear to num_classes·prod(out_features) outputs, so the
    state_dict key is ``linear.weight``, as PyTorch's); ``forward(input, target)`` is linear_cross_entropy."""

    def __init__(self, in_features, num_classes, *, out_features=(), bias=False, device=None, dtype=None,
                 reduction="mean", weight=None, ignore_index=None, label_smoothing=0.0, options=None):
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(f"expected weight shape to be {(num_classes,)}, got {tuple(weight.shape)}")
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError(f"expected label_smoothing to be in range [0, 1], got {label_smoothing}")
        super().__init__(weight=weight, reduction=reduction)
        self.num_classes = num_classes
        self.out_features = out_features
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.linear = Linear(in_features, math.prod(out_features, start=num_classes), bias=bias,
                             device=device, dtype=dtype)
        self.options = options

    def forward(self, input, target):
        w = self.linear.weight.reshape((self.num_classes, *self.out_features, self.linear.in_features))
        b = None if self.linear.bias is None else self.linear.bias.reshape((self.num_classes, *self.out_features))
        return linear_cross_entropy(input, w, target, linear_bias=b, weight=self.weight, reduction=self.reduction,
                                    ignore_index=self.ignore_index, label_smoothing=self.label_smoothing,
                                    options=self.options)

    def extra_repr(self):
        return (f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
                f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
                f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
                f"label_smoothing={self.label_smoothing}, options={self.options}")
