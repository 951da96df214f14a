"""(being written) ops/shape.py"""

def view(input, shape):
    raise NotImplementedError("view is not implemented yet")


def reshape(input, shape):
    raise NotImplementedError("reshape is not implemented yet")


def flatten(input, start_dim=0, end_dim=-1):
    raise NotImplementedError("flatten is not implemented yet")


def unflatten(input, dim, sizes):
    raise NotImplementedError("unflatten is not implemented yet")


def squeeze(input, dim=None):
    raise NotImplementedError("squeeze is not implemented yet")


def unsqueeze(input, dim):
    raise NotImplementedError("unsqueeze is not implemented yet")


def permute(input, dims):
    raise NotImplementedError("permute is not implemented yet")


def transpose(input, dim0, dim1):
    raise NotImplementedError("transpose is not implemented yet")


def t(input):
    raise NotImplementedError("t is not implemented yet")


def movedim(input, source, destination):
    raise NotImplementedError("movedim is not implemented yet")


def expand(input, shape):
    raise NotImplementedError("expand is not implemented yet")


def repeat(input, sizes):
    raise NotImplementedError("repeat is not implemented yet")


def tile(input, dims):
    raise NotImplementedError("tile is not implemented yet")


def contiguous(input):
    raise NotImplementedError("contiguous is not implemented yet")


def split(input, split_size_or_sections, dim=0):
    raise NotImplementedError("split is not implemented yet")


def chunk(input, chunks, dim=0):
    raise NotImplementedError("chunk is not implemented yet")


def unbind(input, dim=0):
    raise NotImplementedError("unbind is not implemented yet")


def flip(input, dims):
    raise NotImplementedError("flip is not implemented yet")


def roll(input, shifts, dims=None):
    raise NotImplementedError("roll is not implemented yet")


def narrow(input, dim, start, length):
    raise NotImplementedError("narrow is not implemented yet")


def cat(tensors, dim=0):
    raise NotImplementedError("cat is not implemented yet")


def stack(tensors, dim=0):
    raise NotImplementedError("stack is not implemented yet")


def broadcast_tensors(*tensors):
    raise NotImplementedError("broadcast_tensors is not implemented yet")

