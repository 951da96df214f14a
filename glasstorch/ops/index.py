"""(being written) ops/index.py"""

def numpy_key(key):
    raise NotImplementedError("numpy_key is not implemented yet")


def getitem(input, key):
    raise NotImplementedError("getitem is not implemented yet")


def index_put(input, key, value):
    raise NotImplementedError("index_put is not implemented yet")


def gather(input, dim, index):
    raise NotImplementedError("gather is not implemented yet")


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    raise NotImplementedError("scatter is not implemented yet")


def scatter_add(input, dim, index, src):
    raise NotImplementedError("scatter_add is not implemented yet")


def index_select(input, dim, index):
    raise NotImplementedError("index_select is not implemented yet")


def index_fill(input, dim, index, value):
    raise NotImplementedError("index_fill is not implemented yet")


def masked_fill(input, mask, value):
    raise NotImplementedError("masked_fill is not implemented yet")


def masked_select(input, mask):
    raise NotImplementedError("masked_select is not implemented yet")


def take(input, index):
    raise NotImplementedError("take is not implemented yet")


def topk(input, k, dim=-1, largest=True, sorted=True):
    raise NotImplementedError("topk is not implemented yet")


def sort(input, dim=-1, descending=False, *, stable=False):
    raise NotImplementedError("sort is not implemented yet")


def argsort(input, dim=-1, descending=False, *, stable=False):
    raise NotImplementedError("argsort is not implemented yet")


def tril(input, diagonal=0):
    raise NotImplementedError("tril is not implemented yet")


def triu(input, diagonal=0):
    raise NotImplementedError("triu is not implemented yet")


def nonzero(input, *, as_tuple=False):
    raise NotImplementedError("nonzero is not implemented yet")


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    raise NotImplementedError("unique is not implemented yet")


def one_hot(tensor, num_classes=-1):
    raise NotImplementedError("one_hot is not implemented yet")

