"""torch.distributions: probability distributions with log_prob, sampling and reparameterized rsample.

    from glasstorch.distributions import Normal, kl_divergence
    d = Normal(loc, scale)
    x = d.rsample((100,))            # gradients flow to loc and scale
    d.log_prob(x).mean(), d.entropy(), kl_divergence(d, Normal(0., 1.))

Every distribution's maths (log_prob, entropy, kl, rsample) is written with glasstorch tensor ops, so autograd
differentiates it. Transforms (``transforms``: ExpTransform, AffineTransform, StickBreakingTransform, ...) map
between spaces with a log-det Jacobian; ``TransformedDistribution`` pushes a base distribution through them
(LogNormal = Normal through ExpTransform), and ``biject_to(constraint)`` / ``transform_to(constraint)`` give the
transform from unconstrained reals onto a constraint's region. Draws come from glasstorch's generator (``glasstorch.manual_seed``): reproducible, but not
the numbers PyTorch draws for the same seed.
"""
from .._missing import missing_api
from . import constraints, transforms
from .bernoulli import Bernoulli
from .binomial import Binomial
from .chi2 import Chi2
from .constraint_registry import biject_to, transform_to
from .continuous_bernoulli import ContinuousBernoulli
from .beta import Beta
from .categorical import Categorical
from .cauchy import Cauchy
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .fishersnedecor import FisherSnedecor
from .gamma import Gamma
from .generalized_pareto import GeneralizedPareto
from .geometric import Geometric
from .gumbel import Gumbel
from .half_cauchy import HalfCauchy
from .half_normal import HalfNormal
from .independent import Independent
from .inverse_gamma import InverseGamma
from .kl import kl_divergence, register_kl
from .kumaraswamy import Kumaraswamy
from .laplace import Laplace
from .lkj_cholesky import LKJCholesky
from .log_normal import LogNormal
from .logistic_normal import LogisticNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .pareto import Pareto
from .poisson import Poisson
from .relaxed_bernoulli import RelaxedBernoulli
from .relaxed_categorical import RelaxedOneHotCategorical
from .studentT import StudentT
from .transformed_distribution import TransformedDistribution
from .transforms import *  # noqa: F401,F403
from .uniform import Uniform
from .von_mises import VonMises
from .weibull import Weibull
from .wishart import Wishart

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "Dirichlet", "Distribution",
           "Exponential", "ExponentialFamily", "FisherSnedecor", "Gamma", "Geometric", "Gumbel", "HalfCauchy",
           "HalfNormal", "Independent", "InverseGamma", "Kumaraswamy", "Laplace", "LogNormal", "LogisticNormal",
           "Multinomial", "MultivariateNormal", "NegativeBinomial", "Normal", "OneHotCategorical",
           "OneHotCategoricalStraightThrough", "Pareto", "Poisson", "RelaxedBernoulli", "RelaxedOneHotCategorical",
           "StudentT", "TransformedDistribution", "Uniform", "Weibull", "ContinuousBernoulli", "GeneralizedPareto",
           "LKJCholesky", "LowRankMultivariateNormal", "MixtureSameFamily", "VonMises", "Wishart", "biject_to",
           "constraints",
           "kl_divergence", "register_kl", "transform_to", "transforms"]
__all__.extend(transforms.__all__)

__getattr__ = missing_api(__name__)
