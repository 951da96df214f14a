"""glasstorch.utils.data (placeholder: the data work fills it)"""
