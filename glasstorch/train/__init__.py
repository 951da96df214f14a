"""A training loop for those who do not want to write one: ``fit`` with callbacks (``EarlyStopping``,
``ModelCheckpoint``), a ``History``, and ``summary`` (a model as a table of layers and parameter counts)."""
from .callbacks import Callback, EarlyStopping, LambdaCallback, ModelCheckpoint
from .fit import History, accuracy, fit, write_fit_report
from .summary import ModelSummary, summary

__all__ = ["fit", "History", "accuracy", "write_fit_report", "Callback", "EarlyStopping", "ModelCheckpoint",
           "LambdaCallback", "summary", "ModelSummary"]
