"""glasstorch.nn.utils: gradient clipping (``clip_grad.py``), parameters as one vector
(``convert_parameters.py``) and, a glasstorch addition, L1/L2 penalties (``regularization.py``)."""
from .clip_grad import clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .regularization import l1_penalty, l2_penalty

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_", "parameters_to_vector",
           "vector_to_parameters", "l1_penalty", "l2_penalty"]


from ..._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
