"""GeneralizedPareto(loc μ, scale σ, concentration ξ): density (1/σ)(1 + ξz)^(−1/ξ − 1), z = (x − μ)/σ, on
x >= μ (and x <= μ − σ/ξ when ξ < 0); ξ = 0 is the exponential limit e^(−z)/σ."""
import math

import glasstorch as torch
from . import constraints
from .distribution import Distribution
from .utils import _is_number, broadcast_all

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    """GeneralizedPareto(loc, scale, concentration). rsample = icdf(u), u ~ U(0, 1).

    Deviation: PyTorch 2.13's log_prob compares the concentration with a float32 zero and so raises for float64
    parameters; here the zero takes the parameters' dtype, so float64 works.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive, "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        if _is_number(loc) and _is_number(scale) and _is_number(concentration):
            batch_shape = torch.Size()
        else:
            batch_shape = self.loc.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(GeneralizedPareto, _instance)
        batch_shape = torch.Size(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        super(GeneralizedPareto, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=torch.Size()):
        shape = tuple(self._extended_shape(sample_shape))
        u = torch.rand(shape, dtype=self.loc.dtype)
        return self.icdf(u)

    def _eq_zero(self):
        return torch.isclose(self.concentration, torch.zeros_like(self.concentration))

    def log_prob(self, value):
        # −log σ − (1/ξ + 1) log1p(ξz)   (−log σ − z at ξ = 0)
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero = self._eq_zero()
        safe_conc = torch.where(eq_zero, torch.ones_like(self.concentration), self.concentration)
        y = 1 / safe_conc + torch.ones_like(z)
        where_nonzero = torch.where(y == 0, y, y * torch.log1p(safe_conc * z))
        return -self.scale.log() - torch.where(eq_zero, z, where_nonzero)

    def log_survival_function(self, value):
        """log P(X > x) = −log1p(ξz)/ξ (−z at ξ = 0)."""
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero = self._eq_zero()
        safe_conc = torch.where(eq_zero, torch.ones_like(self.concentration), self.concentration)
        where_nonzero = -torch.log1p(safe_conc * z) / safe_conc
        return torch.where(eq_zero, -z, where_nonzero)

    def log_cdf(self, value):
        return torch.log1p(-torch.exp(self.log_survival_function(value)))

    def cdf(self, value):
        return torch.exp(self.log_cdf(value))

    def icdf(self, value):
        # μ + σ/ξ · expm1(−ξ log(1 − u))   (μ − σ log(1 − u) at ξ = 0)
        eq_zero = self._eq_zero()
        safe_conc = torch.where(eq_zero, torch.ones_like(self.concentration), self.concentration)
        logu = torch.log1p(-value)
        where_nonzero = self.loc + self.scale / safe_conc * torch.expm1(-safe_conc * logu)
        where_zero = self.loc - self.scale * logu
        return torch.where(eq_zero, where_zero, where_nonzero)

    def _z(self, x):
        return (x - self.loc) / self.scale

    @property
    def mean(self):
        valid = self.concentration < 1
        safe_conc = torch.where(valid, self.concentration, 0.5)
        return torch.where(valid, self.loc + self.scale / (1 - safe_conc), math.nan)

    @property
    def variance(self):
        valid = self.concentration < 0.5
        safe_conc = torch.where(valid, self.concentration, 0.25)
        result = self.scale ** 2 / ((1 - safe_conc) ** 2 * (1 - 2 * safe_conc))
        return torch.where(valid, result, math.nan)

    def entropy(self):
        return torch.broadcast_to(torch.log(self.scale) + self.concentration + 1, tuple(self._batch_shape))

    @property
    def mode(self):
        return self.loc

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        lower = self.loc
        upper = torch.where(self.concentration < 0, lower - self.scale / self.concentration, math.inf)
        return constraints.interval(lower, upper)
