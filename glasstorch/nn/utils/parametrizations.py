"""Weight and spectral normalization as parametrizations (``torch.nn.utils.parametrizations``), the modern form
of ``nn.utils.weight_norm`` / ``nn.utils.spectral_norm``.

- ``weight_norm``: w = g · v / ‖v‖ (norms taken over every dim but ``dim``), so the length g and the direction
  v of each output row are learned separately. Originals: ``parametrizations.weight.original0`` (g) and
  ``original1`` (v).
- ``spectral_norm``: w = W / σ(W), σ the largest singular value of W seen as a matrix (rows: ``dim``),
  estimated by power iteration with the vectors u, v kept as buffers (one iteration per forward in training
  mode, none in eval mode). Keeps a layer 1-Lipschitz (GAN discriminators).

Deviation: ``orthogonal`` is not implemented (NotImplementedError).
"""
from ... import _dtype  # noqa: F401
from ...autograd.grad_mode import no_grad
from ...tensor import Tensor
from .. import functional as F
from ..modules.module import Module
from . import parametrize

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _norm_except_dim(v, dim):
    """‖v‖₂ over every dim but ``dim`` (kept as size 1); dim = -1: over the whole tensor (a 0-d tensor)."""
    if dim == -1:
        return v.norm()
    dim = dim % v.dim()
    others = [d for d in range(v.dim()) if d != dim]
    if not others:
        return v.abs()
    return v.norm(dim=others, keepdim=True)


class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))   # w = g · v / ‖v‖

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight                     # g = ‖w‖, v = w


def weight_norm(module, name="weight", dim=0):
    """Register the weight-norm parametrization w = g · v / ‖v‖ on ``module.<name>``; returns the module.
    Loads old checkpoints with ``<name>_g`` / ``<name>_v`` keys too, as PyTorch."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs):
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got "
                             f"{dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        """u ← normalize(W v), v ← normalize(Wᵀ u), in place in the buffers (no gradient)."""
        with no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(weight_mat.mv(self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(weight_mat.t().conj().mv(self._u), dim=0, eps=self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = u.conj().dot(weight_mat.mv(v))       # σ ≈ uᵀ W v
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Register the spectral-norm parametrization w = W / σ(W) on ``module.<name>``; returns the module.
    ``dim`` defaults to 1 for ConvTranspose layers, else 0. The power-iteration vectors start random (from
    glasstorch's generator, so they differ from PyTorch's for one seed)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Deviation: not implemented in glasstorch (NotImplementedError)."""
    raise NotImplementedError("glasstorch does not implement nn.utils.parametrizations.orthogonal")
