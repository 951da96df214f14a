"""Convolution ops (placeholder: the conv work fills it)"""
__all__ = []
