"""placeholder: nn-core fills it"""
__all__ = []
