"""make_grid, save_image (placeholder: the vision data work fills it)"""
