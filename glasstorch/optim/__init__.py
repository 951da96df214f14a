"""glasstorch.optim: the optimizers and learning-rate schedulers, as ``torch.optim``.

- ``optimizer.py``: the ``Optimizer`` base class (param groups, state, ``step``, ``zero_grad``,
  ``state_dict``/``load_state_dict``);
- one file per algorithm, each with its equations at the top: ``sgd.py``, ``adam.py``, ``adamw.py``,
  ``rmsprop.py``, ``adagrad.py``, ``adadelta.py``, ``nadam.py``, ``radam.py``, ``adamax.py``, ``rprop.py``,
  ``asgd.py``, ``lbfgs.py`` (with the strong-Wolfe line search), ``adafactor.py``, ``muon.py``,
  ``sparse_adam.py`` (refuses glasstorch's dense gradients, as PyTorch's does);
- ``swa_utils.py``: weight averaging (AveragedModel, SWALR, update_bn); ``_stateless.py``:
  ``swap_in_optimizer_params_and_state``;
- ``lr_scheduler.py``: schedules that change ``group['lr']`` between steps (``glasstorch.optim.lr_scheduler``).
"""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam
from .adamw import AdamW
from .rmsprop import RMSprop
from .adagrad import Adagrad
from .adadelta import Adadelta
from .nadam import NAdam
from .radam import RAdam
from .adamax import Adamax
from .rprop import Rprop
from .asgd import ASGD
from .lbfgs import LBFGS
from .sparse_adam import SparseAdam
from .adafactor import Adafactor
from .muon import Muon
from ._stateless import swap_in_optimizer_params_and_state
from . import lr_scheduler
from . import swa_utils

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "NAdam", "RAdam", "Adamax",
           "Rprop", "ASGD", "LBFGS", "SparseAdam", "Adafactor", "Muon", "swap_in_optimizer_params_and_state",
           "lr_scheduler", "swa_utils"]


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
