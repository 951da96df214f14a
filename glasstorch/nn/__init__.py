"""glasstorch.nn: Module, Parameter, the layers, losses, ``functional``, ``init`` and ``utils``.

Each layer family lives in one file of ``nn/modules``; this module gathers their public names (each file's
``__all__``) under PyTorch's import path.
"""
from .parameter import *  # noqa: F401,F403
from .modules.module import *  # noqa: F401,F403
from .modules.container import *  # noqa: F401,F403
from .modules.linear import *  # noqa: F401,F403
from .modules.flatten import *  # noqa: F401,F403
from .modules.dropout import *  # noqa: F401,F403
from .modules.activation import *  # noqa: F401,F403
from .modules.loss import *  # noqa: F401,F403
from .modules.conv import *  # noqa: F401,F403
from .modules.pooling import *  # noqa: F401,F403
from .modules.padding import *  # noqa: F401,F403
from .modules.upsampling import *  # noqa: F401,F403
from .modules.batchnorm import *  # noqa: F401,F403
from .modules.normalization import *  # noqa: F401,F403
from .modules.rnn import *  # noqa: F401,F403
from .modules.sparse import *  # noqa: F401,F403
from .modules.attention import *  # noqa: F401,F403
from .modules.transformer import *  # noqa: F401,F403
from .modules.pixelshuffle import *  # noqa: F401,F403
from .modules.channelshuffle import *  # noqa: F401,F403
from .modules.fold import *  # noqa: F401,F403
from .modules.distance import *  # noqa: F401,F403
from .modules.lazy import *  # noqa: F401,F403
from .modules.factory import *  # noqa: F401,F403
from .modules.data_parallel import *  # noqa: F401,F403
from .modules.adaptive import *  # noqa: F401,F403
from .modules.linear_cross_entropy import *  # noqa: F401,F403
from . import modules, functional, init, utils, parallel  # noqa: F401


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
