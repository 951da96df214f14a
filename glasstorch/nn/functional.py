"""glasstorch.nn.functional (``import glasstorch.nn.functional as F``): the layers as plain functions.

Each name is defined, forward and backward, in one file of ``glasstorch/ops``; this module gathers them
under PyTorch's import path. Two short compositions live here: ``conv_tbc`` (conv1d in time-batch-channel
layout) and ``native_channel_shuffle`` (PyTorch's second name for channel_shuffle); ``linear_cross_entropy``
lives beside its module in ``modules/linear_cross_entropy.py``.
"""
from ..ops.activation import *  # noqa: F401,F403
from ..ops.linear import *  # noqa: F401,F403
from ..ops.dropout import *  # noqa: F401,F403
from ..ops.loss import *  # noqa: F401,F403
from ..ops.conv import *  # noqa: F401,F403
from ..ops.pool import *  # noqa: F401,F403
from ..ops.pad import *  # noqa: F401,F403
from ..ops.interpolate import *  # noqa: F401,F403
from ..ops.norm import *  # noqa: F401,F403
from ..ops.recurrent import *  # noqa: F401,F403
from ..ops.embedding import *  # noqa: F401,F403
from ..ops.attention import *  # noqa: F401,F403
from ..ops.channels import *  # noqa: F401,F403
from ..ops.fold import *  # noqa: F401,F403
from ..ops.grid import *  # noqa: F401,F403
from ..ops.fractional_pool import *  # noqa: F401,F403
from .modules.attention import multi_head_attention_forward  # noqa: F401,E402  (MultiheadAttention's steps)
from .modules.linear_cross_entropy import linear_cross_entropy  # noqa: F401,E402  (linear + cross_entropy)
from ..ops.matmul import pairwise_distance, cosine_similarity, pdist  # noqa: F401  (torch-level, re-exported)


def conv_tbc(input, weight, bias, pad=0):
    """A 1-D convolution in time-batch-channel layout: input (T, B, C_in), weight (K, C_in, C_out), bias
    (C_out,) -> (T + 2·pad − K + 1, B, C_out); conv1d on permuted views."""
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    y = conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)   # (B, C_out, T_out)
    return y.permute(2, 0, 1).contiguous()


def native_channel_shuffle(input, groups):
    """The same as channel_shuffle (PyTorch keeps both names). Deviation: differentiable (PyTorch's
    native_channel_shuffle has no derivative)."""
    return channel_shuffle(input, groups)


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
