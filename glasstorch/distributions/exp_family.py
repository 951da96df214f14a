"""ExponentialFamily: distributions whose density is p(x; θ) = exp(<t(x), θ> − F(θ) + k(x)).

Subclasses give the natural parameters θ (``_natural_params``), the log-normalizer F (``_log_normalizer``)
and the carrier measure's mean E[k(x)] (``_mean_carrier_measure``). The generic entropy below uses the
identity H = F(θ) − <θ, ∇F(θ)> − E[k(x)], with ∇F from autograd.

Deviation from PyTorch: glasstorch has no double backward (create_graph), so this generic entropy is not
differentiable with respect to the parameters; every distribution here overrides it with a closed form.
"""
import glasstorch as torch
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base class for exponential-family distributions (the Bregman-divergence KL lives in kl.py)."""

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError

    def entropy(self):
        """H = F(θ) − <θ, ∇F(θ)> − E[k(x)] (not differentiable: see the module docstring)."""
        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = torch.autograd.grad(lg_normal.sum(), nparams)
        result = result + lg_normal.detach()
        for p, g in zip(nparams, gradients):
            result = result - (p.detach() * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
