"""Models (placeholder: the models work fills it)"""
