"""(being written) ops/matmul.py"""

def matmul(input, other):
    raise NotImplementedError("matmul is not implemented yet")


def mm(input, mat2):
    raise NotImplementedError("mm is not implemented yet")


def bmm(input, mat2):
    raise NotImplementedError("bmm is not implemented yet")


def mv(input, vec):
    raise NotImplementedError("mv is not implemented yet")


def dot(input, other):
    raise NotImplementedError("dot is not implemented yet")


def outer(input, vec2):
    raise NotImplementedError("outer is not implemented yet")


def einsum(equation, *operands):
    raise NotImplementedError("einsum is not implemented yet")

