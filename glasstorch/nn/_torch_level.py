"""The torch-level spellings of nn functions: ``torch.conv2d``, ``torch.dropout``, ``torch.batch_norm`` ...

PyTorch exposes its ATen kernels at the top level with their own signatures, which are not always those of
``torch.nn.functional``: ``torch.dropout(input, p, train)`` has no defaults, ``torch.batch_norm`` takes the
weight before the running statistics, ``torch.embedding`` takes the weight first, and the losses take
``reduction`` as an integer (0 none, 1 mean, 2 sum; left out it means 0, 'none': what PyTorch 2.13's
torch.kl_div, torch.ctc_loss & co. do, although ATen's schema says Mean). Each function here translates to the
functional one, where the work is done; nothing is computed twice.
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
conv3d = F.conv3d
conv_transpose3d = F.conv_transpose3d
pixel_shuffle = F.pixel_shuffle
pixel_unshuffle = F.pixel_unshuffle
channel_shuffle = F.channel_shuffle
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


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool3d(input, kernel_size, _pool_stride(stride), padding, dilation, ceil_mode)


def rrelu(input, lower=0.125, upper=0.3333333333333333, training=False, generator=None):
    return F.rrelu(input, lower, upper, training, generator=generator)


def rrelu_(input, lower=0.125, upper=0.3333333333333333, training=False, generator=None):
    return F.rrelu(input, lower, upper, training, inplace=True, generator=generator)


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, reduction=0):
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=_reduction(reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False):
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction), zero_infinity)


_BAG_MODES = {0: "sum", 1: "mean", 2: "max"}


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """ATen's embedding_bag: the weight first, ``mode`` an integer (0 sum, 1 mean, 2 max), padding_idx None or
    −1 for none. Returns the 4-tuple (output, offset2bag, bag_size, max_indices):

    - output (B, D): the bags' sums / means / maxima;
    - offset2bag (M,): the bag each index belongs to (empty for mode 0 without padding_idx, as ATen; deviation:
      padding_idx −1 is taken as "none", where ATen fills offset2bag for mode 0);
    - bag_size (B,): how many non-padding indices each bag has (zeros for mode 0, as ATen);
    - max_indices: for mode 2, (B, D) the weight row that gave each maximum (0 for an empty bag); for mode 1 a
      copy of bag_size, for mode 0 zeros (ATen's placeholders)."""
    from ..ops.embedding import embedding_bag_forward
    pad = None if padding_idx is None or padding_idx == -1 else padding_idx
    return embedding_bag_forward(indices, weight, offsets, None, 2, scale_grad_by_freq, _BAG_MODES[mode], sparse,
                                 per_sample_weights, include_last_offset, pad)


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


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    return F.binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                              pos_weight=pos_weight)


def kl_div(input, target, reduction=0, *, log_target=False):
    return F.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    return F.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
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
           "rnn_tanh_cell", "rnn_relu_cell", "conv3d", "conv_transpose3d", "pixel_shuffle", "pixel_unshuffle",
           "channel_shuffle", "max_pool3d", "rrelu", "rrelu_", "hinge_embedding_loss", "triplet_margin_loss",
           "ctc_loss", "embedding_bag"]


# ---------------------------------------------------------------------------------------------------
# the raw recurrent layers (ATen's ``.input`` overloads): what nn.LSTM & co. call with their flat weights
# ---------------------------------------------------------------------------------------------------
def _run_rnn(mode, input, states, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    from .. import ops
    from .modules.rnn import run_layers
    per = 4 if has_biases else 2
    directions = 2 if bidirectional else 1
    if len(params) != per * num_layers * directions:
        raise RuntimeError(f"{mode.lower()}: expected {per * num_layers * directions} parameters, got {len(params)}")
    groups = [params[k * per:(k + 1) * per] for k in range(num_layers * directions)]
    out, finals = run_layers(mode, input, states, groups, has_biases, num_layers, dropout, train, bidirectional,
                             batch_first)
    return out, ops.shape.stack(finals, 0)


def lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """torch.lstm(input, (h0, c0), params, ...) -> (output, h_n, c_n); ``params`` the flat list
    [w_ih, w_hh, b_ih, b_hh] per (layer, direction), as nn.LSTM's ``_flat_weights``."""
    from .. import ops
    h0, c0 = hx
    states = list(ops.shape.unbind(ops.shape.stack([h0, c0], 1), 0))  # (2, B, H) per (layer, direction)
    out, finals = _run_rnn("LSTM", input, states, params, has_biases, num_layers, dropout, train, bidirectional,
                           batch_first)
    return out, finals[:, 0], finals[:, 1]


def gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """torch.gru(input, h0, params, ...) -> (output, h_n)."""
    from .. import ops
    return _run_rnn("GRU", input, list(ops.shape.unbind(hx, 0)), params, has_biases, num_layers, dropout, train,
                    bidirectional, batch_first)


def rnn_tanh(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """torch.rnn_tanh(input, h0, params, ...) -> (output, h_n)."""
    from .. import ops
    return _run_rnn("RNN_TANH", input, list(ops.shape.unbind(hx, 0)), params, has_biases, num_layers, dropout,
                    train, bidirectional, batch_first)


def rnn_relu(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """torch.rnn_relu(input, h0, params, ...) -> (output, h_n)."""
    from .. import ops
    return _run_rnn("RNN_RELU", input, list(ops.shape.unbind(hx, 0)), params, has_biases, num_layers, dropout,
                    train, bidirectional, batch_first)


__all__ += ["lstm", "gru", "rnn_tanh", "rnn_relu"]
