"""glasstorch.nn.utils: gradient clipping (``clip_grad.py``), parameters as one vector
(``convert_parameters.py``), padded and packed sequences (``rnn.py``), parametrizations (``parametrize.py``,
``parametrizations.py``), the old weight/spectral norm hooks (``weight_norm.py``, ``spectral_norm.py``), pruning
(``prune.py``), BatchNorm folding (``fusion.py``), ``functional_call`` (``stateless.py``), ``skip_init``
(``init.py``) and, a glasstorch addition, L1/L2 penalties (``regularization.py``)."""
from .clip_grad import clip_grad_norm_, clip_grad_norm, clip_grad_value_, get_total_norm, clip_grads_with_norm_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .regularization import l1_penalty, l2_penalty
from . import rnn, parametrize, parametrizations, prune, stateless, fusion, memory_format  # noqa: F401
from . import clip_grad, convert_parameters, init  # noqa: F401
from .weight_norm import weight_norm, remove_weight_norm
from .spectral_norm import spectral_norm, remove_spectral_norm
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights
from .init import skip_init
from .memory_format import convert_conv2d_weight_memory_format, convert_conv3d_weight_memory_format

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
           "parameters_to_vector", "vector_to_parameters", "l1_penalty", "l2_penalty", "weight_norm",
           "remove_weight_norm", "spectral_norm", "remove_spectral_norm", "fuse_conv_bn_eval", "fuse_conv_bn_weights",
           "fuse_linear_bn_eval", "fuse_linear_bn_weights", "skip_init", "convert_conv2d_weight_memory_format",
           "convert_conv3d_weight_memory_format", "rnn", "parametrize", "parametrizations", "prune", "stateless"]


from ..._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
