"""Loss functions (placeholder: the losses work fills it)"""
__all__ = []
