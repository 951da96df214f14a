"""Image datasets (placeholder: the vision data work fills it)"""
