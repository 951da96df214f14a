"""save and load (placeholder: the data work fills it)"""

def save(obj, f):
    raise NotImplementedError


def load(f, map_location=None, weights_only=True):
    raise NotImplementedError
