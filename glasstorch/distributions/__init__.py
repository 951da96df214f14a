"""torch.distributions: probability distributions with log_prob, sampling and reparameterized rsample.

    from glasstorch.distributions import Normal, kl_divergence
    d = Normal(loc, scale)
    x = d.rsample((100,))            # gradients flow to loc and scale
    d.log_prob(x).mean(), d.entropy(), kl_divergence(d, Normal(0., 1.))

Every distribution's maths (log_prob, entropy, kl, rsample) is written with glasstorch tensor ops, so autograd
differentiates it. Draws come from glasstorch's generator (``glasstorch.manual_seed``): reproducible, but not
the numbers PyTorch draws for the same seed.
"""
from .._missing import missing_api
from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .cauchy import Cauchy
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .geometric import Geometric
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Poisson
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Categorical", "Cauchy", "Dirichlet", "Distribution", "Exponential",
           "ExponentialFamily", "Gamma", "Geometric", "Independent", "Laplace", "MultivariateNormal", "Normal",
           "OneHotCategorical", "OneHotCategoricalStraightThrough", "Poisson", "Uniform", "constraints",
           "kl_divergence", "register_kl"]

__getattr__ = missing_api(__name__)
