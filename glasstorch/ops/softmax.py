"""(being written) ops/softmax.py"""

def softmax(input, dim, dtype=None):
    raise NotImplementedError("softmax is not implemented yet")


def log_softmax(input, dim, dtype=None):
    raise NotImplementedError("log_softmax is not implemented yet")

