"""glasstorch.utils.tensorboard: ``SummaryWriter`` writes TensorBoard event files (see writer.py), as
``torch.utils.tensorboard``. Needs the ``tensorboard`` package (and Pillow for images, matplotlib for figures)."""
try:
    import tensorboard  # noqa: F401
except ImportError as e:  # pragma: no cover - a dependency, but glasstorch works without it
    raise ImportError("TensorBoard logging requires the tensorboard package: pip install tensorboard") from e

from .writer import FileWriter, SummaryWriter  # noqa: E402,F401

from ..._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
