"""torch.functional: the module where PyTorch defines a few of its torch-level functions in Python.

Scripts import them from here (``from torch.functional import einsum``); they are glasstorch's own
``glasstorch.einsum`` etc. ``stft``/``istft`` are not in glasstorch (no spectral ops): they are left out.
"""
from . import (atleast_1d, atleast_2d, atleast_3d, block_diag, broadcast_shapes, broadcast_tensors,  # noqa: F401
               cartesian_prod, cdist, chain_matmul, einsum, lu, meshgrid, norm, pca_lowrank, split, svd_lowrank,
               tensordot, unique, unique_consecutive, unravel_index)
from .tensor import Tensor  # noqa: F401

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors", "cartesian_prod",
           "block_diag", "cdist", "chain_matmul", "einsum", "lu", "norm", "meshgrid", "pca_lowrank", "split",
           "svd_lowrank", "tensordot", "unique", "unique_consecutive", "unravel_index"]


from ._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)
