"""torch.distributions: probability distributions with log_prob, sampling and reparameterized rsample."""
from .._missing import missing_api

__getattr__ = missing_api(__name__)
