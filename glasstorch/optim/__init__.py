"""glasstorch.optim (placeholder: the optim work fills it)"""
