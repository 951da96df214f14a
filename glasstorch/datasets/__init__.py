"""Embedded datasets (placeholder: the data work fills it)"""
