"""The torch-level spellings of nn functions: ``torch.conv2d``, ``torch.dropout``, ``torch.batch_norm`` ...

PyTorch exposes its ATen kernels at the top level with their own signatures, which are not always those of
``torch.nn.functional``: ``torch.dropout(input, p, train)`` has no defaults, ``torch.batch_norm`` takes the
weight before the running statistics, ``torch.embedding`` takes the weight first, and the losses take
``reduction`` as an integer (0 none, 1 mean, 2 sum). Each function here translates to the functional one,
where the work is done; nothing is computed twice.
"""
from . import functional as F
from ..ops import recurrent as _recurrent

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(r):
    if isinstance(r, str):
        return r
    if r not in _REDUCTIONS:
        raise RuntimeError(f"{r} is not a valid value for reduction")
    return _REDUCTIONS[r]


conv1d = F.conv1d
conv2d = F.conv2d
conv_transpose1d = F.conv_transpose1d
conv_transpose2d = F.conv_transpose2d
bilinear = F.bilinear
prelu = F.prelu
hardshrink = F.hardshrink
adaptive_avg_pool1d = F.adaptive_avg_pool1d
avg_pool1d = F.avg_pool1d


def dropout(input, p, train):
    return F.dropout(input, p, train)


def dropout_(input, p, train):
    return F.dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    return F.alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    return F.alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input, p, train):
    return F.feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p, train):
    return F.feature_alpha_dropout(input, p, train, inplace=True)


def _channel_keep(input, p):
    """A (N, C, 1, ...) mask: 1/(1-p) for a kept channel, 0 for a dropped one."""
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return input.new_empty(shape).bernoulli_(1 - p) / (1 - p)


def feature_dropout(input, p, train):
    """Zeroes whole channels (dim 1) of an input of any rank >= 2, as dropout2d/3d do."""
    return input * _channel_keep(input, p) if train and p > 0 else input


def feature_dropout_(input, p, train):
    return input.mul_(_channel_keep(input, p)) if train and p > 0 else input


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled=True):
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                  cudnn_enabled=True):
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return F.group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return F.rms_norm(input, normalized_shape, weight, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Note the order: the weight first (F.embedding takes the indices first); padding_idx -1 means none."""
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def _pool_stride(stride):
    return None if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else stride


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool1d(input, kernel_size, _pool_stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool1d(input, kernel_size, _pool_stride(stride), padding, dilation, ceil_mode, return_indices=True)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool2d(input, kernel_size, _pool_stride(stride), padding, dilation, ceil_mode)


def adaptive_max_pool1d(input, output_size):
    """Returns (values, indices), as torch.adaptive_max_pool1d does."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


def celu(input, alpha=1.0):
    return F.celu(input, alpha)


def celu_(input, alpha=1.0):
    return F.celu(input, alpha, inplace=True)


def selu(input):
    return F.selu(input)


def selu_(input):
    return F.selu(input, inplace=True)


def relu_(input):
    return F.relu(input, inplace=True)


def threshold(input, threshold, value):
    return F.threshold(input, threshold, value)


def threshold_(input, threshold, value):
    return F.threshold(input, threshold, value, inplace=True)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    return F.binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                              pos_weight=pos_weight)


def kl_div(input, target, reduction=1, *, log_target=False):
    return F.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    return F.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    return F.margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return _recurrent.lstm_cell(input, hx, w_ih, w_hh, b_ih, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return _recurrent.gru_cell(input, hx, w_ih, w_hh, b_ih, b_hh)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return _recurrent.rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih, b_hh)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return _recurrent.rnn_relu_cell(input, hx, w_ih, w_hh, b_ih, b_hh)


__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "bilinear", "prelu", "hardshrink",
           "adaptive_avg_pool1d", "avg_pool1d", "dropout", "dropout_", "alpha_dropout", "alpha_dropout_",
           "feature_alpha_dropout", "feature_alpha_dropout_", "feature_dropout", "feature_dropout_", "batch_norm",
           "instance_norm", "layer_norm", "group_norm", "rms_norm", "embedding", "max_pool1d",
           "max_pool1d_with_indices", "max_pool2d", "adaptive_max_pool1d", "celu", "celu_", "selu", "selu_",
           "relu_", "threshold", "threshold_", "binary_cross_entropy_with_logits", "kl_div",
           "cosine_embedding_loss", "margin_ranking_loss", "poisson_nll_loss", "lstm_cell", "gru_cell",
           "rnn_tanh_cell", "rnn_relu_cell"]
