"""Batch normalization (placeholder: the norm work fills it)"""
__all__ = []
