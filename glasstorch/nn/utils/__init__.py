"""glasstorch.nn.utils: gradient clipping and regularization helpers. (placeholder: the optim work fills it)"""
