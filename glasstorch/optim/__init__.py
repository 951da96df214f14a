"""glasstorch.optim: the optimizers and learning-rate schedulers, as ``torch.optim``.

- ``optimizer.py``: the ``Optimizer`` base class (param groups, state, ``step``, ``zero_grad``,
  ``state_dict``/``load_state_dict``);
- one file per algorithm, each with its equations at the top: ``sgd.py``, ``adam.py``, ``adamw.py``,
  ``rmsprop.py``, ``adagrad.py``, ``adadelta.py``;
- ``lr_scheduler.py``: schedules that change ``group['lr']`` between steps (``glasstorch.optim.lr_scheduler``).
"""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam
from .adamw import AdamW
from .rmsprop import RMSprop
from .adagrad import Adagrad
from .adadelta import Adadelta
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "lr_scheduler"]


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
