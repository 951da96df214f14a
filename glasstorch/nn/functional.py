"""glasstorch.nn.functional (``import glasstorch.nn.functional as F``): the layers as plain functions.

Each name is defined, forward and backward, in one file of ``glasstorch/ops``; this module gathers them
under PyTorch's import path.
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


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
