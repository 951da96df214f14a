"""Image transforms (placeholder: the vision data work fills it)"""
