"""Pooling ops (placeholder: the pooling work fills it)"""
__all__ = []
