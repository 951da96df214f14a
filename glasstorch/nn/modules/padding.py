"""Padding layers (placeholder: the pooling work fills it)"""
__all__ = []
