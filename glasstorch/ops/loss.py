"""Loss functions (``F.mse_loss``, ``F.cross_entropy`` ...), as in ``torch.nn.functional``.

The simple regression losses compose existing differentiable ops (``(input − target)²`` then a mean).
Where speed or numerical stability matters the loss is one Function with forward and backward side by side:

- ``cross_entropy`` fuses log-softmax and the negative log-likelihood: the backward of the pair is just
  ``softmax(x)·Σq − q`` (q the weighted target distribution), cheaper and more accurate than chaining them;
- ``binary_cross_entropy_with_logits`` works on logits in log-sum-exp form, so |x| = 10⁴ does not overflow;
- ``binary_cross_entropy`` clamps its logs at −100 as PyTorch does (p = 0 or 1 gives a finite loss).

Every loss takes ``reduction`` = 'none' (one value per element or sample), 'mean' or 'sum', and accepts the
legacy ``size_average`` / ``reduce`` flags, mapped onto ``reduction`` as PyTorch does (with its warning).
The class and element weights of the classification losses (``weight``, ``pos_weight``) are constants:
PyTorch refuses such weights when they require grad, and so does glasstorch. (The ``weight`` of mse, l1
and huber is an ordinary factor, differentiable, as in PyTorch.)
"""
import math
import warnings

import numpy as np

from .. import _dtype
from ..autograd.function import Function, unbroadcast, wrap
from ..autograd.grad_mode import GradMode
from ..backend import get_array_module
from . import elementwise as _ew
from . import reduce as _red
from .reduce import _torch_name
from .softmax import _shifted

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
           "gaussian_nll_loss", "poisson_nll_loss", "margin_ranking_loss", "soft_margin_loss",
           "cosine_embedding_loss", "multi_margin_loss", "hinge_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "ctc_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss"]


# ---------------------------------------------------------------------------------------------------
# reduction and argument checks shared by every loss
# ---------------------------------------------------------------------------------------------------
def _reduction(reduction, size_average=None, reduce=None):
    """The reduction to apply; the legacy flags (each None meaning True) win when either is given."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.", stacklevel=3)
        return reduction
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      stacklevel=3)
        return "mean"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    """'mean' averages over every element (nan for an empty loss, as PyTorch), 'sum' adds, 'none' keeps."""
    if reduction == "mean":
        return _red.mean(loss)
    if reduction == "sum":
        return _red.sum(loss)
    return loss


def _warn_if_sizes_differ(input, target):
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)


def _no_grad_weight(weight, function, argument="weight"):
    """The array inside a weight tensor; weights are constants, as in PyTorch (which raises otherwise)."""
    if weight is None:
        return None
    if weight.requires_grad and GradMode.enabled:
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to argument "
                           f"'{argument}'. This input cannot have requires_grad True.")
    return weight._array


def _check_broadcasts_to(array, shape):
    """PyTorch computes weighted losses into an output of the input's shape: weights may not enlarge it."""
    if array is None:
        return
    full = np.broadcast_shapes(array.shape, shape)
    if full != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {list(full)}")


def _elementwise_weight(loss, weight, input, reduction, mean_divides_by_weight):
    """Weighted mse/l1/huber: the weight has the input's shape; 'mean' is Σ w·loss / Σ w for mse and l1,
    but the plain mean of w·loss for huber (both as PyTorch)."""
    if weight is None:
        return _reduce(loss, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = _ew.mul(loss, weight)
    if reduction == "mean" and mean_divides_by_weight:
        return _ew.div(_red.sum(loss), _red.sum(weight))
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------------------------------------
# regression: mse, l1, smooth l1, huber
# ---------------------------------------------------------------------------------------------------
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error: mean((input − target)²). Shapes that differ broadcast, with PyTorch's warning."""
    _warn_if_sizes_differ(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    diff = _ew.sub(input, target)
    if not _dtype.is_float_array(diff._array):
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{_torch_name(diff._array.dtype)}'")
    return _elementwise_weight(_ew.square(diff), weight, input, reduction, True)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error: mean(|input − target|); the gradient at input = target is 0."""
    _warn_if_sizes_differ(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    return _elementwise_weight(_ew.abs(_ew.sub(input, target)), weight, input, reduction, True)


class SmoothL1(Function):
    """y = ½d²/β where |d| < β, else |d| − ½β   (d = input − target)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, d, beta):
        xp = get_array_module(d)
        a = xp.abs(d)
        ctx.d, ctx.beta = d, beta
        return xp.where(a < beta, (0.5 / beta) * d * d, a - 0.5 * beta)

    @staticmethod
    def backward(ctx, grad):
        # dL/dd = dL/dy · clip(d/β, −1, 1)
        return grad * get_array_module(grad).clip(ctx.d / ctx.beta, -1, 1), None


class Huber(Function):
    """y = ½d² where |d| ≤ δ, else δ·(|d| − ½δ)   (d = input − target; this is δ · smooth_l1 with β = δ)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, d, delta):
        xp = get_array_module(d)
        a = xp.abs(d)
        ctx.d, ctx.delta = d, delta
        return xp.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta))

    @staticmethod
    def backward(ctx, grad):
        # dL/dd = dL/dy · clip(d, −δ, δ)
        return grad * get_array_module(grad).clip(ctx.d, -ctx.delta, ctx.delta), None


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error for |input − target| < beta, absolute error (less ½beta) beyond; beta = 0 is l1_loss."""
    _warn_if_sizes_differ(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    diff = _ew.sub(input, target)
    if beta == 0:
        return _reduce(_ew.abs(diff), reduction)
    return _reduce(SmoothL1.apply(diff, float(beta)), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error for |input − target| ≤ delta, delta·(absolute error − ½delta) beyond."""
    _warn_if_sizes_differ(input, target)
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    loss = Huber.apply(_ew.sub(input, target), float(delta))
    return _elementwise_weight(loss, weight, input, reduction, False)


# ---------------------------------------------------------------------------------------------------
# binary classification: bce on probabilities, bce on logits
# ---------------------------------------------------------------------------------------------------
# PyTorch's floor on x(1 − x) in the gradient, so p = 0 or 1 gives a large finite value (1e-12 as a float32,
# as PyTorch stores it, even for float64 inputs)
_BCE_EPS = float(np.float32(1e-12))


class BinaryCrossEntropy(Function):
    """y = −[t·log x + (1 − t)·log(1 − x)], each log clamped at −100 (x = 0 or 1 gives 100, not inf)."""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, t):
        xp = get_array_module(x)
        with np.errstate(divide="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)   # log1p(−x): accurate log(1 − x) for small x
        ctx.x, ctx.t = x, t
        return (t - 1) * log_1mx - t * log_x

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        x, t = ctx.x, ctx.t
        # dL/dx = dL/dy · (x − t) / max(x(1 − x), ε)     (ε = 1e-12, as PyTorch)
        gx = grad * (x - t) / xp.maximum(x * (1 - x), _BCE_EPS) if ctx.needs_input_grad[0] else None
        # dL/dt = dL/dy · (log(1 − x) − log x)            (not clamped, as PyTorch: ±inf at x = 0 or 1)
        gt = None
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                gt = grad * (xp.log1p(-x) - xp.log(x))
        return gx, gt


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """−w·[t·log p + (1 − t)·log(1 − p)] for probabilities p = input in [0, 1] (logs clamped at −100).

    Prefer ``binary_cross_entropy_with_logits`` on the logits: it is exact where p rounds to 0 or 1."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    x, t = input._array, target._array
    if t.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {_torch_name(t.dtype)} but expected {_torch_name(x.dtype)}")
    if not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not ((t >= 0) & (t <= 1)).all():
        raise RuntimeError("all elements of target should be between 0 and 1")
    w = _no_grad_weight(weight, "binary_cross_entropy")
    _check_broadcasts_to(w, x.shape)
    loss = BinaryCrossEntropy.apply(input, target)
    if w is not None:
        loss = _ew.mul(loss, wrap(w.astype(x.dtype, copy=False)))
    return _reduce(loss, reduction)


class BinaryCrossEntropyWithLogits(Function):
    """y = −[p·t·log σ(x) + (1 − t)·log(1 − σ(x))]   (p = pos_weight, 1 when not given)

    computed as (1 − t)·x + (1 + (p − 1)·t)·s with s = −log σ(x) = log(1 + e^(−x)) = max(−x, 0) + log(1 + e^(−|x|)):
    the exponent is never positive, so nothing overflows, even for |x| = 10⁴.
    """

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, t, pos_weight):
        xp = get_array_module(x)
        e = xp.exp(-xp.abs(x))                          # e^(−|x|) in (0, 1]
        s = xp.maximum(-x, 0) + xp.log1p(e)             # −log σ(x)
        log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * t
        ctx.x, ctx.t, ctx.e, ctx.s, ctx.pos_weight, ctx.log_weight = x, t, e, s, pos_weight, log_weight
        return (1 - t) * x + log_weight * s

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        x, t, e, p = ctx.x, ctx.t, ctx.e, ctx.pos_weight
        gx = gt = None
        if ctx.needs_input_grad[0]:
            sigmoid = xp.where(x >= 0, 1 / (1 + e), e / (1 + e))
            # dL/dx = dL/dy · ((1 + (p − 1)t)·σ(x) − p·t)     (= σ(x) − t without pos_weight)
            gx = unbroadcast(grad * (ctx.log_weight * sigmoid - (t if p is None else p * t)), x.shape)
        if ctx.needs_input_grad[1]:
            # dL/dt = dL/dy · (−x + (p − 1)·s)              (= −x without pos_weight)
            gt = unbroadcast(grad * (-x if p is None else (p - 1) * ctx.s - x), t.shape)
        return gx, gt, None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy on logits x (σ(x) the probability), stable for any x.

    ``pos_weight`` multiplies the positive term (a per-class weight broadcast along the last dim);
    ``weight`` rescales each element's loss."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    if not _dtype.is_float_array(target._array.dtype):
        raise RuntimeError(f"result type {_torch_name(input._array.dtype)} can't be cast to the desired output "
                           f"type {_torch_name(target._array.dtype)}")
    x, t, dt = _ew._promote(input, target)
    w = _no_grad_weight(weight, "binary_cross_entropy_with_logits")
    pw = _no_grad_weight(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    _check_broadcasts_to(w, input.shape)
    _check_broadcasts_to(pw, input.shape)
    loss = BinaryCrossEntropyWithLogits.apply(x, t, None if pw is None else pw.astype(dt, copy=False))
    if w is not None:
        loss = _ew.mul(loss, wrap(w.astype(dt, copy=False)))
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------------------------------------
# multi-class: nll_loss and cross_entropy (class indices or class probabilities)
# ---------------------------------------------------------------------------------------------------
# Layout, as PyTorch: input (N, C) or (N, C, d1, d2, ...) with the classes along axis 1, or an unbatched (C,);
# an index target is (N,) or (N, d1, d2, ...) (0-d for an unbatched input), one loss value per target entry.
def _batched(x, target):
    """An unbatched input (C,) with its target becomes a batch of one: (1, C) and (1,)."""
    return (x[None], target.reshape(1)) if x.ndim == 1 else (x, target)


def _target_weights(target, weight, ignore_index, dtype):
    """Per target entry: the class to read (0 where ignored), its class weight w[t] (0 where ignored), and
    whether it counts."""
    xp = get_array_module(target)
    valid = target != ignore_index
    index = xp.where(valid, target, 0)
    w = valid.astype(dtype) if weight is None else xp.where(valid, weight[index], 0).astype(dtype, copy=False)
    return index, w, valid


def _reduced(loss, reduction, total):
    """'none' keeps one value per target entry, 'sum' adds them, 'mean' divides the sum by ``total``."""
    if reduction == "none":
        return loss
    with np.errstate(divide="ignore", invalid="ignore"):
        return loss.sum() / total if reduction == "mean" else loss.sum()


def _upstream(ctx, grad):
    """dL/dy for each target entry, shaped (N, 1, d1, ...) so it broadcasts along the class axis."""
    if ctx.reduction == "none":
        return grad.reshape(ctx.sample_shape)[:, None]
    if ctx.reduction == "mean":
        # when no entry counts (all ignored) the loss is 0/0 = nan but each gradient is 0, as in PyTorch
        return grad / ctx.total if ctx.total else get_array_module(grad).zeros_like(grad)
    return grad


def _log_softmax(x, axis):
    """x − log Σ exp(x) along axis, shifted by the maximum so nothing overflows."""
    xp = get_array_module(x)
    s = _shifted(x, axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        return s - xp.log(xp.exp(s).sum(axis=axis, keepdims=True))


class NLLLoss(Function):
    """y_i = −w[t_i] · x[i, t_i] for log-probabilities x and class indices t (0 where t_i = ignore_index).

    'mean' divides by Σ_i w[t_i] over the non-ignored entries (the count of them without weights)."""

    saves = ()

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        xp = get_array_module(x)
        ctx.unbatched = x.ndim == 1
        x, target = _batched(x, target)
        index, w, valid = _target_weights(target, weight, ignore_index, x.dtype)
        picked = xp.where(valid, xp.take_along_axis(x, index[:, None], 1)[:, 0], 0)  # x at each target class
        loss = -w * picked
        ctx.shape, ctx.index, ctx.w, ctx.reduction = x.shape, index, w, reduction
        ctx.sample_shape, ctx.total = loss.shape, w.sum()
        out = _reduced(loss, reduction, ctx.total)
        return out.reshape(()) if ctx.unbatched and reduction == "none" else out

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        # dL/dx[i, t_i] = −w[t_i] · dL/dy_i  (÷ Σ w[t] for 'mean'); 0 at every other class
        gx = xp.zeros(ctx.shape, grad.dtype)
        xp.put_along_axis(gx, ctx.index[:, None], -ctx.w[:, None] * _upstream(ctx, grad), 1)
        return (gx[0] if ctx.unbatched else gx), None, None, None, None


class CrossEntropy(Function):
    """Softmax cross-entropy against class indices: log-softmax and NLL fused into one op.

    With p = softmax(x) along the class axis, each target entry i scores y_i = −Σ_c q_ic · log p_ic, where q_i,
    the target distribution times the class weights w, is (1 − ε)·w[t_i] at the target class t_i plus
    ε/C · w_c on every class c (ε = label_smoothing), and 0 where t_i = ignore_index. Without smoothing this is
    y_i = −w[t_i] · log p_i,t_i. 'mean' divides by Σ_i w[t_i] over the non-ignored entries, as PyTorch.
    """

    saves = ()

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, smoothing, reduction):
        xp = get_array_module(x)
        ctx.unbatched = x.ndim == 1
        x, target = _batched(x, target)
        n_classes = x.shape[1]
        logp = _log_softmax(x, 1)
        index, w, valid = _target_weights(target, weight, ignore_index, x.dtype)
        picked = xp.where(valid, xp.take_along_axis(logp, index[:, None], 1)[:, 0], 0)  # log p of each target
        loss = -(1 - smoothing) * w * picked
        # the class weights laid along axis 1, to broadcast against (N, C, d1, ...)
        w_c = xp.ones(n_classes, x.dtype) if weight is None else weight
        w_c = w_c.reshape((1, n_classes) + (1,) * (x.ndim - 2))
        keep = valid.astype(x.dtype)
        if smoothing:
            loss -= (smoothing / n_classes) * keep * (logp * w_c).sum(axis=1)
        ctx.logp, ctx.index, ctx.w, ctx.keep, ctx.w_c, ctx.smoothing = logp, index, w, keep, w_c, smoothing
        ctx.reduction, ctx.sample_shape, ctx.total = reduction, loss.shape, w.sum()
        out = _reduced(loss, reduction, ctx.total)
        return out.reshape(()) if ctx.unbatched and reduction == "none" else out

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        eps, w, w_c, keep, at = ctx.smoothing, ctx.w, ctx.w_c, ctx.keep, ctx.index[:, None]
        n_classes = w_c.shape[1]
        # dL/dx = dL/dy · (p·Σ_c q_c − q)        (= dL/dy · w[t]·(p − onehot(t)) without label smoothing)
        q_sum = (1 - eps) * w + eps / n_classes * keep * w_c.sum()
        gx = xp.exp(ctx.logp) * q_sum[:, None]
        if eps:
            gx -= (eps / n_classes) * keep[:, None] * w_c
        xp.put_along_axis(gx, at, xp.take_along_axis(gx, at, 1) - (1 - eps) * w[:, None], 1)
        gx *= _upstream(ctx, grad)
        return (gx[0] if ctx.unbatched else gx), None, None, None, None, None


class CrossEntropyProbs(Function):
    """Softmax cross-entropy against class probabilities t (a target of the input's shape), fused.

    y_i = −Σ_c q_ic · log p_ic with q = w_c · ((1 − ε)·t + ε/C); 'mean' divides by the number of samples
    (N · d1 · d2 ...), not by the weights, as PyTorch."""

    saves = ()

    @staticmethod
    def forward(ctx, x, t, weight, smoothing, reduction):
        xp = get_array_module(x)
        axis = 1 if x.ndim > 1 else 0
        n_classes = x.shape[axis]
        logp = _log_softmax(x, axis)
        w_c = 1 if weight is None else weight.reshape((1,) * axis + (n_classes,) + (1,) * (x.ndim - axis - 1))
        q = ((1 - smoothing) * t + smoothing / n_classes if smoothing else t) * w_c
        with np.errstate(invalid="ignore"):
            loss = -(q * logp).sum(axis=axis)
        ctx.logp, ctx.q, ctx.w_c, ctx.axis, ctx.smoothing = logp, q, w_c, axis, smoothing
        ctx.reduction, ctx.total = reduction, loss.size
        return _reduced(loss, reduction, ctx.total)

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        axis, q, logp = ctx.axis, ctx.q, ctx.logp
        if ctx.reduction == "none":
            g = xp.expand_dims(grad, axis)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):  # an empty batch: 0/0
                g = grad / ctx.total if ctx.reduction == "mean" else grad
        # dL/dx = dL/dy · (p·Σ_c q_c − q)
        gx = g * (xp.exp(logp) * q.sum(axis=axis, keepdims=True) - q) if ctx.needs_input_grad[0] else None
        # dL/dt = −dL/dy · (1 − ε)·w_c · log p
        gt = -g * ((1 - ctx.smoothing) * ctx.w_c) * logp if ctx.needs_input_grad[1] else None
        return gx, gt, None, None, None


def _class_weight(weight, n_classes, prefix=""):
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {n_classes} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    return weight


def _class_indices(x, t, w, ignore_index):
    """Check an index target (and weight) against the input as PyTorch does; the target as int64."""
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if x.ndim == 1:
        if t.ndim == 1 and t.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}")
    elif t.ndim == 0 or x.shape[0] != t.shape[0]:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_torch_name(t.dtype)}")
    if x.ndim <= 2 and t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if x.ndim == 4 and t.ndim != 3:
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got targets of dimension: "
                           f"{t.ndim}")
    if x.ndim == 4 and t.shape[1:] != x.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: {list(t.shape)}")
    if x.ndim >= 3 and t.shape[1:] != x.shape[2:]:
        raise RuntimeError(f"Expected target size {[x.shape[0], *x.shape[2:]]}, got {list(t.shape)}")
    n_classes = x.shape[0 if x.ndim == 1 else 1]
    _class_weight(w, n_classes)
    if w is not None and w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_torch_name(x.dtype)} but found {_torch_name(w.dtype)}")
    t = t.astype(np.int64)
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {t[bad][0]} is out of bounds.")
    return t


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood: −weight[t]·input[t] for log-probabilities ``input`` and class indices ``target``.

    ``nll_loss(log_softmax(x, 1), t)`` equals ``cross_entropy(x, t)`` (which does both in one fused op)."""
    reduction = _reduction(reduction, size_average, reduce)
    x = input._array
    if not _dtype.is_float_array(x.dtype):
        raise NotImplementedError(f"\"nll_loss_out_frame\" not implemented for '{_torch_name(x.dtype)}'")
    w = _no_grad_weight(weight, "nll_loss_forward")
    t = _class_indices(x, target._array, w, ignore_index)
    return NLLLoss.apply(input, t, w, ignore_index, reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy of logits ``input`` (classes along dim 1, or dim 0 for an unbatched (C,) input).

    ``target`` holds class indices (N,) / (N, d1, ...), or class probabilities of the input's shape (chosen,
    as PyTorch, when the shapes are equal). ``weight`` rescales each class; entries equal to ``ignore_index``
    count for nothing; ``label_smoothing`` ε mixes the target with the uniform distribution: (1 − ε)·t + ε/C.
    One fused Function (``CrossEntropy`` / ``CrossEntropyProbs``) computes log-softmax and the loss."""
    reduction = _reduction(reduction, size_average, reduce)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    smoothing = max(float(label_smoothing), 0.0)  # PyTorch ignores a negative value
    x = input._array
    if not _dtype.is_float_array(x):
        kernel = "log_softmax_lastdim_kernel_impl" if x.ndim <= 2 else "log_softmax_kernel_impl"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_torch_name(x.dtype)}'")
    w = _no_grad_weight(weight, "nll_loss_forward")
    if input.shape == target.shape:
        return _cross_entropy_probs(input, target, weight, w, ignore_index, smoothing, reduction)
    t = _class_indices(x, target._array, w, ignore_index)
    return CrossEntropy.apply(input, t, w, ignore_index, smoothing, reduction)


def _cross_entropy_probs(input, target, weight, w, ignore_index, smoothing, reduction):
    t = target._array
    if not _dtype.is_float_array(t.dtype):
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{_torch_name(t.dtype)}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if input.ndim == 0:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    _class_weight(w, input.shape[1 if input.ndim > 1 else 0], "cross_entropy: ")
    # input · target · weight: the result takes PyTorch's promoted dtype of the three
    dt = _dtype.result_type(*[v for v in (input, target, weight) if v is not None])
    if input.dtype != dt:
        input = _ew.to_dtype(input, dt)
    if target.dtype != dt:
        target = _ew.to_dtype(target, dt)
    w = None if w is None else w.astype(dt.numpy_dtype, copy=False)
    return CrossEntropyProbs.apply(input, target, w, smoothing, reduction)


# ---------------------------------------------------------------------------------------------------
# KL divergence
# ---------------------------------------------------------------------------------------------------
class KLDiv(Function):
    """y = t·(log t − x), 0 where t = 0; with log_target (t holds log-probabilities): e^t·(t − x).

    x holds log-probabilities (e.g. a log_softmax output); t and x broadcast against each other."""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, t, log_target):
        xp = get_array_module(x, t)
        ctx.x, ctx.t, ctx.log_target = x, t, log_target
        if log_target:
            ctx.e_t = xp.exp(t)
            return ctx.e_t * (t - x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.where(t == 0, 0, t * xp.log(t)) - t * x

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        x, t = ctx.x, ctx.t
        if ctx.log_target:
            # dL/dx = −dL/dy · e^t,   dL/dt = dL/dy · e^t·(t − x + 1)
            gx = -grad * ctx.e_t
            gt = grad * ctx.e_t * (t - x + 1) if ctx.needs_input_grad[1] else None
        else:
            # dL/dx = −dL/dy · t,     dL/dt = dL/dy · (log t + 1 − x)
            # (PyTorch differentiates t·log t as xlogy(t, t), whose "+ t/t" is 0/0 = nan at t = 0: kept)
            gx = -grad * t
            gt = None
            if ctx.needs_input_grad[1]:
                with np.errstate(divide="ignore", invalid="ignore"):
                    gt = grad * (xp.where(t == 0, 0, xp.log(t)) + t / t - x)
        gx = unbroadcast(gx, xp.shape(x)) if ctx.needs_input_grad[0] else None
        return gx, None if gt is None else unbroadcast(gt, xp.shape(t)), None


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence KL(target ‖ exp(input)) per element: target·(log target − input).

    'mean' (with PyTorch's warning) divides by the number of elements; 'batchmean', the true KL divergence
    of each sample averaged over the batch, divides the sum by input.size(0)."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    elif reduction != "batchmean":
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        reduction = _reduction(reduction)
    x, t, _ = _ew._promote(input, target)
    loss = KLDiv.apply(x, t, bool(log_target))
    if reduction == "batchmean":
        total = _red.sum(loss)
        return _ew.div(total, input.shape[0]) if input.ndim else total
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------------------------------------
# less common losses, composed from differentiable ops (their gradients come from those ops)
# ---------------------------------------------------------------------------------------------------
def gaussian_nll_loss(input, target, var, full=False, eps=1e-06, reduction="mean"):
    """½·(log var + (input − target)² / var) (+ ½·log 2π when ``full``): the negative log-likelihood of
    target under N(input, var). ``var`` may be a float, the input's shape, or one dim short of it.
    var is clamped at eps for the value only: its gradient passes through the clamp, as in PyTorch."""
    from .shape import unsqueeze
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = wrap(np.full(input.shape, var, dtype=input._array.dtype))
    elif (var._array < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = unsqueeze(var, -1)   # one variance per row, shared along the last dim
        elif not (input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    v = var._array
    var = _ew.add(var, wrap(np.maximum(v, eps).astype(v.dtype) - v))  # the value clamped, the gradient intact
    loss = _ew.mul(_ew.add(_ew.log(var), _ew.div(_ew.square(_ew.sub(input, target)), var)), 0.5)
    if full:
        loss = _ew.add(loss, 0.5 * math.log(2 * math.pi))
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-08, reduce=None,
                     reduction="mean"):
    """Negative log-likelihood of target under Poisson(λ): exp(input) − target·input when input holds log λ,
    else input − target·log(input + eps); ``full`` adds Stirling's term for log(target!) where target > 1."""
    reduction = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = _ew.sub(_ew.exp(input), _ew.mul(target, input))
    else:
        loss = _ew.sub(input, _ew.mul(target, _ew.log(_ew.add(input, eps))))
    if full:
        # log(t!) ≈ t·log t − t + ½·log(2πt)
        stirling = _ew.add(_ew.sub(_ew.mul(target, _ew.log(target)), target),
                           _ew.mul(_ew.log(_ew.mul(target, 2 * math.pi)), 0.5))
        loss = _ew.add(loss, _ew.where(_ew.gt(target, 1), stirling, 0.0))
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, −y·(x1 − x2) + margin): asks x1 to rank above x2 by margin where y = 1, below where y = −1."""
    reduction = _reduction(reduction, size_average, reduce)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    loss = _ew.clamp_min(_ew.add(_ew.mul(_ew.neg(target), _ew.sub(input1, input2)), margin), 0)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(−y·x)) for labels y = ±1: the logistic loss."""
    reduction = _reduction(reduction, size_average, reduce)
    return _reduce(_ew.log1p(_ew.exp(_ew.neg(_ew.mul(input, target)))), reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1 (0 for any other label); cos is
    taken along dim 1 (dim 0 for 1-D inputs) with 1e-12 added to each squared norm, as PyTorch."""
    reduction = _reduction(reduction, size_average, reduce)
    dim = 0 if input1.ndim == 1 else 1
    dot = _red.sum(_ew.mul(input1, input2), dim)
    norms = _ew.mul(_ew.add(_red.sum(_ew.square(input1), dim), 1e-12),
                    _ew.add(_red.sum(_ew.square(input2), dim), 1e-12))
    cos = _ew.div(dot, _ew.sqrt(norms))
    y = target._array
    positive, negative = wrap(np.asarray(y == 1)), wrap(np.asarray(y == -1))
    loss = _ew.add(_ew.where(positive, _ew.sub(1.0, cos), 0.0),
                   _ew.where(negative, _ew.clamp_min(_ew.sub(cos, margin), 0), 0.0))
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge loss: Σ_{j ≠ y} max(0, margin − x[y] + x[j])^p / C per sample (times weight[y])."""
    from .index import gather
    reduction = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x, y = input, target
    if x.ndim == 1:
        x, y = x.reshape(1, -1), y.reshape(1)
    n, n_classes = x.shape
    if y.ndim != 1 or y.shape[0] != n:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{n}], but got {list(target.shape)}. "
                           f"Input has shape {list(input.shape)}.")
    if weight is not None and (weight.ndim > 1 or weight.numel() != n_classes):
        raise RuntimeError(f"inconsistent weight size, expected {n_classes} but got {list(weight.shape)}")
    labels = y._array.astype(np.int64)
    if ((labels < 0) | (labels >= n_classes)).any():
        raise RuntimeError("target out of range")
    x_y = gather(x, 1, wrap(labels[:, None]))                      # the score of each sample's own class
    hinge = _ew.clamp_min(_ew.add(_ew.sub(x, x_y), margin), 0)    # max(0, margin − x[y] + x[j])
    if p == 2:
        hinge = _ew.square(hinge)
    others = wrap((np.arange(n_classes) != labels[:, None]).astype(x._array.dtype))  # 0 at j = y
    hinge = _ew.mul(hinge, others)
    if weight is not None:
        hinge = _ew.mul(hinge, wrap(weight._array[labels][:, None].astype(x._array.dtype)))
    loss = _ew.div(_red.sum(hinge, 1), n_classes)
    if input.ndim == 1 and reduction == "none":
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: Σ_{j target} Σ_{i not a target} max(0, 1 − (x[y_j] − x[i])) / C per sample.

    ``target`` holds class indices, the sample's targets being those before the first −1 (the rest is
    ignored). Composed of differentiable ops: one gather of the target scores, then a masked hinge over every
    (target slot, class) pair at once."""
    from .index import gather
    reduction = _reduction(reduction, size_average, reduce)
    x, y = input, target
    if x.ndim > 2:
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    if tuple(y.shape) != tuple(x.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    if y._array.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_torch_name(y._array.dtype)}")
    if x.ndim <= 1:
        x, y = x.reshape(1, -1), y.reshape(1, -1)
    n_classes = x.shape[1]
    labels = y._array
    valid = np.cumprod(labels != -1, axis=1).astype(bool)          # the slots before the first −1
    if ((labels[valid] < 0) | (labels[valid] >= n_classes)).any():
        raise RuntimeError("argument #2 'target' is out of range")
    safe = np.where(valid, labels, 0)
    is_target = np.zeros(x.shape, dtype=bool)
    rows, slots = np.nonzero(valid)
    is_target[rows, labels[rows, slots]] = True                     # is_target[n, c]: c is one of n's labels
    x_y = gather(x, 1, wrap(safe))                                   # (N, slots): the score of each target
    # hinge[n, j, i] = max(0, 1 − x[n, y_j] + x[n, i]) for valid slot j and non-target class i
    hinge = _ew.clamp_min(_ew.add(_ew.sub(x.unsqueeze(1), x_y.unsqueeze(2)), 1.0), 0)
    mask = (valid[:, :, None] & ~is_target[:, None, :]).astype(x._array.dtype)
    loss = _ew.div(_red.sum(_ew.mul(hinge, wrap(mask)), (1, 2)), n_classes)
    if input.ndim <= 1 and reduction == "none":
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """−Σ_c w_c·[t_c·log σ(x_c) + (1 − t_c)·log σ(−x_c)] / C per sample (one-vs-all logistic loss)."""
    from .activation import logsigmoid
    reduction = _reduction(reduction, size_average, reduce)
    loss = _ew.neg(_ew.add(_ew.mul(target, logsigmoid(input)),
                           _ew.mul(1 - target, logsigmoid(_ew.neg(input)))))
    if weight is not None:
        loss = _ew.mul(loss, weight)
    class_dim = input.ndim - 1
    loss = _ew.div(_red.sum(loss, class_dim), input.shape[class_dim])
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------------------------------------
# hinge embedding and triplet losses (composed of differentiable ops, as PyTorch does)
# ---------------------------------------------------------------------------------------------------
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """x where y = 1, max(0, margin − x) where y = −1 (PyTorch's formula: a label that is neither gets both
    terms: the x term wherever y ≠ −1, the margin term wherever y ≠ 1)."""
    reduction = _reduction(reduction, size_average, reduce)
    y = target._array
    not_positive, not_negative = wrap(np.asarray(y != 1)), wrap(np.asarray(y != -1))
    loss = _ew.add(_ew.where(not_positive, _ew.clamp_min(_ew.sub(margin, input), 0), 0.0),
                   _ew.where(not_negative, input, 0.0))
    return _reduce(loss, reduction)


def _pairwise_distance(x1, x2, p=2.0, eps=1e-6):
    """‖x1 − x2 + eps‖_p along the last dim (PyTorch's pairwise_distance)."""
    return _ew.add(_ew.sub(x1, x2), eps).norm(p, dim=-1)


def _check_triplet_dims(anchor, positive, negative):
    a, p, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == p == n):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, d(a, p) − d(a, n) + margin) with d the p-norm distance along the last dim (plus eps, as
    pairwise_distance); ``swap`` uses min(d(a, n), d(p, n)) as the negative distance."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_triplet_dims(anchor, positive, negative)
    d_pos = _pairwise_distance(anchor, positive, p, eps)
    d_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _ew.minimum(d_neg, _pairwise_distance(positive, negative, p, eps))
    return _reduce(_ew.clamp_min(_ew.add(_ew.sub(d_pos, d_neg), margin), 0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """triplet_margin_loss with any distance: distance_function(x, y) -> a tensor of distances (default:
    pairwise_distance, the 2-norm of x − y + 1e-6 along the last dim)."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"triplet_margin_with_distance_loss: expected margin to be greater than 0, got {margin} "
                         f"instead")
    _check_triplet_dims(anchor, positive, negative)
    dist = distance_function if distance_function is not None else _pairwise_distance
    d_pos, d_neg = dist(anchor, positive), dist(anchor, negative)
    if swap:
        d_neg = _ew.minimum(d_neg, dist(positive, negative))
    return _reduce(_ew.clamp_min(_ew.add(_ew.sub(d_pos, d_neg), margin), 0), reduction)


# ---------------------------------------------------------------------------------------------------
# connectionist temporal classification
# ---------------------------------------------------------------------------------------------------
def _logaddexp3(a, b, c):
    """log(eᵃ + eᵇ + eᶜ) elementwise, −∞ where all three are −∞."""
    xp = get_array_module(a)
    m = xp.maximum(xp.maximum(a, b), c)
    safe = xp.where(xp.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        return xp.log(xp.exp(a - safe) + xp.exp(b - safe) + xp.exp(c - safe)) + safe


def _shift(a, k, fill):
    """a moved k places to the right (k > 0) or left (k < 0) along the last axis, ``fill`` coming in."""
    xp = get_array_module(a)
    out = xp.full(a.shape, fill, a.dtype)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class CTCLoss(Function):
    """nll[b] = −log Σ over the alignments π of target b of Π_t p(π_t): the per-sample CTC loss.

    Extended labels l' = (blank, l₁, blank, l₂, …, blank), length 2L + 1. Forward (the alpha recursion, log
    space, over all samples and labels at once, one step per time t):
        α[0, 0] = lp[0, blank], α[0, 1] = lp[0, l₁]
        α[t, s] = logsumexp(α[t−1, s], α[t−1, s−1], α[t−1, s−2] if l'ₛ ≠ blank, l'ₛ₋₂) + lp[t, l'ₛ]
        nll = −logsumexp(α[T−1, 2L], α[T−1, 2L−1])
    Backward: β, the same recursion from the end; the posterior of label s at t is γ = exp(α + β − lp + nll),
    and dL/dlp[t, c] = g · (exp(lp[t, c]) − Σ_{s: l'ₛ = c} γ[t, s]) for t < T_b, 0 after (PyTorch's formula:
    its exp(lp) term assumes lp is a log_softmax output, and vanishes through log_softmax's backward).
    """

    saves = (0, -1)

    @staticmethod
    def forward(ctx, lp, ext, skip, in_len, lab_len, zero_infinity):
        xp = get_array_module(lp)
        t_max, n, _ = lp.shape
        width = ext.shape[1]
        lp_ext = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (t_max,) + ext.shape), 2)  # (T, N, S')
        valid = xp.arange(width)[None, :] < (2 * lab_len + 1)[:, None]                      # (N, S')
        neg_inf = lp.dtype.type(-np.inf)
        alpha = xp.full((t_max, n, width), neg_inf, lp.dtype)
        alpha[0, :, 0] = lp_ext[0, :, 0]
        alpha[0, :, 1] = xp.where(lab_len > 0, lp_ext[0, :, 1], neg_inf)
        for t in range(1, t_max):
            a = alpha[t - 1]
            step = _logaddexp3(a, _shift(a, 1, neg_inf), xp.where(skip, _shift(a, 2, neg_inf), neg_inf)) + lp_ext[t]
            alpha[t] = xp.where(valid & (t < in_len)[:, None], step, neg_inf)
        rows = xp.arange(n)
        last = alpha[xp.maximum(in_len - 1, 0), rows]                                        # (N, S')
        end = last[rows, 2 * lab_len]
        end_1 = xp.where(lab_len > 0, last[rows, xp.maximum(2 * lab_len - 1, 0)], neg_inf)
        nll = -xp.logaddexp(end, end_1)
        inf = xp.isinf(nll)
        if zero_infinity:
            nll = xp.where(inf, lp.dtype.type(0), nll)
        ctx.lp, ctx.lp_ext, ctx.alpha, ctx.nll = lp, lp_ext, alpha, nll
        ctx.args = (ext, skip, valid, in_len, lab_len, inf if zero_infinity else None)
        return nll

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        lp, lp_ext, alpha, nll = ctx.lp, ctx.lp_ext, ctx.alpha, ctx.nll
        ext, skip, valid, in_len, lab_len, zeroed = ctx.args
        t_max, n, n_classes = lp.shape
        width = ext.shape[1]
        neg_inf = lp.dtype.type(-np.inf)
        rows = xp.arange(n)
        # β[T_b − 1] starts at the last blank and the last label; β[t] = logsumexp(β[t+1] at s, s+1, s+2) + lp
        start = xp.full((n, width), neg_inf, lp.dtype)
        start[rows, 2 * lab_len] = 0
        start[rows, xp.maximum(2 * lab_len - 1, 0)] = xp.where(lab_len > 0, 0, start[rows, 0])
        beta = xp.full((t_max, n, width), neg_inf, lp.dtype)
        b = xp.full((n, width), neg_inf, lp.dtype)
        skip_next = _shift(skip, -2, False)        # s + 2 may be reached from s
        for t in range(t_max - 1, -1, -1):
            step = _logaddexp3(b, _shift(b, -1, neg_inf), xp.where(skip_next, _shift(b, -2, neg_inf), neg_inf))
            b = xp.where((t == in_len - 1)[:, None], start, xp.where((t < in_len - 1)[:, None], step, neg_inf))
            b = xp.where(valid, b + lp_ext[t], neg_inf)
            beta[t] = b
        # γ[t, b, s] = exp(α + β − lp + nll): the posterior of being at label s at time t (NaN for an impossible
        # target, whose nll is ∞, as in PyTorch; zero_infinity zeroes those below)
        with np.errstate(invalid="ignore"):
            gamma = xp.exp(alpha + beta - lp_ext + nll[None, :, None])
        onehot = (ext[:, :, None] == xp.arange(n_classes)).astype(lp.dtype)                 # (N, S', C)
        occupancy = (gamma.transpose(1, 0, 2) @ onehot).transpose(1, 0, 2)                  # (T, N, C)
        g = (xp.exp(lp) - occupancy) * grad[None, :, None]
        g[xp.arange(t_max)[:, None] >= in_len[None, :]] = 0                                 # past each input's end
        if zeroed is not None:
            g[:, zeroed] = 0
        return g, None, None, None, None, None


def _lengths(v, name):
    if hasattr(v, "_array"):
        return np.asarray(v._array).astype(np.int64).reshape(-1)
    return np.asarray(v, dtype=np.int64).reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """Connectionist temporal classification loss: log_probs (T, N, C) (log_softmax outputs) or (T, C);
    targets (N, S) padded or 1-D concatenated; lengths as tensors or sequences. 'mean' divides each sample's
    loss by its target length (at least 1) and averages over the batch, as PyTorch. ``zero_infinity`` turns
    impossible alignments' infinite losses (and their gradients) into 0. See the CTCLoss Function."""
    reduction = _reduction(reduction)
    lp_arr = log_probs._array
    batched = lp_arr.ndim == 3
    if lp_arr.ndim not in (2, 3):
        raise RuntimeError(f"ctc_loss expects log_probs to be 2-D (unbatched) or 3-D, got {lp_arr.ndim}-D")
    lp3 = log_probs if batched else log_probs.unsqueeze(1)
    t_max, n, n_classes = lp3.shape
    in_len, lab_len = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths, "target_lengths")
    tg = np.asarray(targets._array).astype(np.int64)
    if not batched and tg.ndim == 1 and lab_len.size == 1:
        tg = tg.reshape(1, -1)
    if not 0 <= blank < n_classes:
        raise RuntimeError("blank must be in label range")
    if in_len.size != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if lab_len.size != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    if (in_len > t_max).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got value "
                           f"{int(in_len.max())} (while checking arguments for ctc_loss_cpu)")
    if tg.ndim == 1:  # concatenated targets: cut them into a padded (N, S) array
        offsets = np.concatenate([[0], np.cumsum(lab_len)[:-1]])
        width = int(lab_len.max()) if n else 0
        pos = offsets[:, None] + np.arange(width)
        tg = np.where(np.arange(width) < lab_len[:, None], tg[np.minimum(pos, max(tg.size - 1, 0))], blank)
    elif tg.shape[1] < (lab_len.max() if n else 0):
        raise RuntimeError(f"Expected tensor to have size at least {int(lab_len.max())} at dimension 1, but got "
                           f"size {tg.shape[1]} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)")
    width = int(lab_len.max()) if n else 0
    tg = np.where(np.arange(width) < lab_len[:, None], tg[:, :width], blank)
    ext = np.full((n, 2 * width + 1), blank, np.int64)
    ext[:, 1::2] = tg                                          # l' = (blank, l₁, blank, l₂, …, blank)
    skip = np.zeros(ext.shape, bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    xp = get_array_module(lp_arr)
    ext, skip, in_len_x, lab_len_x = xp.asarray(ext), xp.asarray(skip), xp.asarray(in_len), xp.asarray(lab_len)
    nll = CTCLoss.apply(lp3, ext, skip, in_len_x, lab_len_x, zero_infinity)
    if reduction == "mean":
        divisor = wrap(xp.asarray(np.maximum(lab_len, 1).astype(lp_arr.dtype)))
        return _red.mean(_ew.div(nll, divisor))
    if reduction == "sum":
        return _red.sum(nll)
    return nll if batched else nll.reshape(())
