"""Parameter: a Tensor that a Module registers as a learnable weight. (placeholder: nn-core fills it)"""
__all__ = []
