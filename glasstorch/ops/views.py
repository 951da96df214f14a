"""Views by geometry: select, unfold, diagonal, as_strided, and the two graph nodes of in-place ops on views.

A view is a window on its base's memory: a shape, strides (how far to step in memory along each dim) and an
offset. ``x.unfold(0, 2, 1)`` of x = [a, b, c] is [[a, b], [b, c]] read from the same three numbers; writing
through a view writes the base. The simpler views (reshape, transpose, slicing, expand) live in shape.py.

When a view is changed in place while autograd records, the base's history must change too. PyTorch's
answer (its CopySlices design), followed here:

    base_new = base_old with the view's region replaced by   view_new = op(view_old, ...)

- ``CopySlices`` is base_new's node. Its backward sends dL/d(base_new) to base_old with the region zeroed
  (those old values were overwritten, they no longer matter) and the region itself to the op's node, whose
  backward sends it on to view_old, whose node (a slice, a transpose ...) puts it back into base_old's shape.
  The engine adds the two contributions at base_old: gradients through base and view come out right.
- ``AsStridedBackward0`` is the node a view gets once its base was written: the view is re-read from base_new
  by its geometry, and its backward puts dL/d(view) back at the view's positions of the base.

Both use the view's positions as flat indices into its base (``view_index``), computed from the arrays'
addresses and strides: it works for a view of a view of any op, with no record of how the view was made.
"""
import operator

import numpy as np

from ..autograd.function import Function, _edge, _root
from ..backend import get_array_module
from ..tensor import _canonical_dim
from .shape import Slice


def view_index(base, view):
    """For each element of array ``view`` (a view of ``base``'s memory), its flat C-order index in ``base``.

    An element v[i, j, ...] lives at address start(v) + i·stride0 + j·stride1 + ...; the same formula for the
    base gives each base element's address, and matching addresses gives the index."""
    size = base.itemsize
    first = (view.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // size
    where = _addresses(view.shape, view.strides, size, first)
    if base.flags.c_contiguous:
        return where  # the address (in elements) is the flat index
    addresses = _addresses(base.shape, base.strides, size, 0).reshape(-1)
    order = np.argsort(addresses, kind="stable")
    return order[np.searchsorted(addresses[order], where)]


def _addresses(shape, strides, size, first):
    """The element offset of every position of an array with this geometry, as an int64 array of ``shape``."""
    out = np.full(shape, first, dtype=np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        out += (np.arange(n, dtype=np.int64) * (s // size)).reshape((n,) + (1,) * (len(shape) - d - 1))
    return out


def overlaps(a):
    """Whether several positions of ``a`` are one memory location (an expanded tensor, overlapping windows)."""
    for n, s in zip(a.shape, a.strides):
        if s == 0 and n > 1:
            return True
    if a.flags.c_contiguous or a.flags.f_contiguous or a.size <= 1:
        return False
    idx = _addresses(a.shape, a.strides, a.itemsize, 0)
    return np.unique(idx).size != idx.size


class AsStrided(Function):
    """y = the elements of x's memory at the given sizes, strides and offset (a view)."""

    is_view = True
    saves = ()

    @staticmethod
    def forward(ctx, x, size, stride, storage_offset):
        flat, start = _storage_of(x)
        itemsize = x.itemsize
        out = np.lib.stride_tricks.as_strided(flat[start + storage_offset:] if flat.size else flat, size,
                                              tuple(s * itemsize for s in stride))
        ctx.shape, ctx.index, ctx.overlap = x.shape, view_index(x, out), overlaps(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy put back at the positions y was read from (added up where several read one element)
        return _scatter(grad, ctx.index, ctx.shape, ctx.overlap), None, None, None


class AsStridedView(Function):
    """The node of a view whose base was changed in place: the view re-read from the base's new history."""

    @staticmethod
    def backward(ctx, grad):
        return (_scatter(grad, ctx.index, ctx.shape, ctx.overlap),)

    def name(self):
        return "AsStridedBackward0"


def _scatter(grad, index, shape, overlap):
    """A zero array of ``shape`` with ``grad`` added at the flat positions ``index``."""
    xp = get_array_module(grad)
    g = xp.zeros(int(np.prod(shape)), grad.dtype)
    if overlap:
        xp.add.at(g, index.reshape(-1), grad.reshape(-1))
    else:
        g[index.reshape(-1)] = grad.reshape(-1)
    return g.reshape(shape)


def _storage_of(x):
    """x's whole memory as a 1-D array, and where x starts in it (in elements)."""
    root = _root(x)
    if not isinstance(root, np.ndarray) or not (root.flags.c_contiguous or root.flags.f_contiguous):
        root = x if x.flags.c_contiguous else np.ascontiguousarray(x)
    flat = root.ravel(order="K")  # a view: root is C- or F-contiguous
    start = (x.__array_interface__["data"][0] - flat.__array_interface__["data"][0]) // max(x.itemsize, 1)
    return flat, start


def as_strided_node(base, view):
    """The graph node of ``view`` re-read from ``base``'s current history (after an in-place write)."""
    node = AsStridedView.__new__(AsStridedView)
    node.needs_input_grad = (True,)
    node._next = (_edge(base),)
    node.shape = base._array.shape
    node.index = view_index(base._array, view._array)
    node.overlap = overlaps(view._array)
    node._output_meta = (view._array.shape, view._array.dtype)
    return node


class CopySlices(Function):
    """base_new = base_old with the region of a view replaced by the in-place op's result (module docstring)."""

    @staticmethod
    def backward(ctx, grad):
        flat_index = ctx.index.reshape(-1)
        g_region = grad.reshape(-1)[flat_index].reshape(ctx.index.shape)  # dL/d(view_new) = dL/d(base_new)[region]
        g_base = None
        if ctx.needs_input_grad[0]:
            g_base = grad.copy()                                           # dL/d(base_old) = dL/d(base_new) ...
            g_base.reshape(-1)[flat_index] = 0                             # ... except where it was overwritten
        return g_base, g_region

    def name(self):
        return "CopySlices"


def copy_slices_node(base, view, result):
    """base's new node after ``view`` (a view of base) took the values of ``result`` in place."""
    node = CopySlices.__new__(CopySlices)
    node.needs_input_grad = (base._requires_grad, True)
    node._next = (_edge(base) if base._requires_grad else None, _edge(result))
    node.index = view_index(base._array, view._array)
    node._output_meta = (base._array.shape, base._array.dtype)
    return node


# ---------------------------------------------------------------------------------------------------
# select, unfold, diagonal, as_strided
# ---------------------------------------------------------------------------------------------------
class Select(Slice):
    """y = x[..., index, ...] along one dim (a Slice under PyTorch's graph-node name: that dim is removed)."""


def select(input, dim, index):
    a = input._array
    if a.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _canonical_dim(operator.index(dim), a.ndim)
    n, i = a.shape[d], operator.index(index)
    if not -n <= i < n:
        raise IndexError(f"select(): index {i} out of range for tensor of size {list(a.shape)} at dimension {d}")
    return Select.apply(input, (slice(None),) * d + (i % n,))


class Unfold(Function):
    """y = every window of ``size`` elements along dim, ``step`` apart: a new last dim of length size (a view:
    overlapping windows read the same memory)."""

    is_view = True
    saves = ()

    @staticmethod
    def forward(ctx, x, dim, size, step):
        count = (x.shape[dim] - size) // step + 1
        shape = x.shape[:dim] + (count,) + x.shape[dim + 1:] + (size,)
        strides = x.strides[:dim] + (x.strides[dim] * step,) + x.strides[dim + 1:] + (x.strides[dim],)
        ctx.shape, ctx.dim, ctx.step, ctx.count = x.shape, dim, step, count
        return np.lib.stride_tricks.as_strided(x, shape, strides)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx[p] = Σ over the windows containing p of dL/dy there: element j of every window is x[j + k·step]
        g = get_array_module(grad).zeros(ctx.shape, grad.dtype)
        lead = (slice(None),) * ctx.dim
        for j in range(grad.shape[-1]):
            g[lead + (slice(j, j + ctx.step * (ctx.count - 1) + 1, ctx.step),)] += grad[..., j]
        return g, None, None, None


def unfold(input, dimension, size, step):
    a = input._array
    d = _canonical_dim(operator.index(dimension), a.ndim) if a.ndim else 0
    n = a.shape[d] if a.ndim else 1
    size, step = operator.index(size), operator.index(step)
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if a.ndim == 0:  # a 0-d tensor unfolds to shape (size,)
        from .shape import reshape
        return reshape(Unfold.apply(reshape(input, (1,)), 0, size, step), (size,))
    return Unfold.apply(input, d, size, step)


def _diagonal_view(a, offset, dim1, dim2):
    """The diagonal of a (over dims dim1, dim2, shifted by offset) as a writable view, the diagonal dim last."""
    n1, n2 = a.shape[dim1], a.shape[dim2]
    length = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    start = [slice(None)] * a.ndim
    if length:
        start[dim2 if offset >= 0 else dim1] = slice(abs(offset), None)
    a = a[tuple(start)]
    keep = [d for d in range(a.ndim) if d not in (dim1, dim2)]
    shape = tuple(a.shape[d] for d in keep) + (length,)
    strides = tuple(a.strides[d] for d in keep) + (a.strides[dim1] + a.strides[dim2],)
    return np.lib.stride_tricks.as_strided(a, shape, strides)


class Diagonal(Function):
    """y = the elements x[..., i, ..., i + offset, ...] (a view)."""

    is_view = True
    saves = ()

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.args = x.shape, (offset, dim1, dim2)
        return _diagonal_view(x, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        g = get_array_module(grad).zeros(ctx.shape, grad.dtype)
        _diagonal_view(g, *ctx.args)[...] = grad  # dL/dx = dL/dy on the diagonal, 0 off it
        return g, None, None, None


def diagonal(input, offset=0, dim1=0, dim2=1):
    ndim = input._array.ndim
    if ndim < 2:
        raise RuntimeError(f"diagonal dimensions requires ndim larger than 1, but got ndim {ndim}")
    d1, d2 = _canonical_dim(dim1, ndim), _canonical_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, operator.index(offset), d1, d2)


def as_strided(input, size, stride, storage_offset=None):
    """A view of input's memory with the given sizes and strides (in elements), starting at storage_offset
    (default: where input starts). Writing through an overlapping one is refused, as in PyTorch."""
    from .._storage import UntypedStorage
    a = input._array
    size, stride = tuple(operator.index(s) for s in size), tuple(operator.index(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape")
    if storage_offset is None:
        storage_offset = UntypedStorage(a).offset_of(a)
    _, start = _storage_of(a)
    return AsStrided.apply(input, size, stride, operator.index(storage_offset) - start)


# ---------------------------------------------------------------------------------------------------
# writing into a region: diag_embed, diagonal/select/slice/as_strided_scatter (copies, not views)
# ---------------------------------------------------------------------------------------------------
class Embed(Function):
    """out = x with the region ``region(out)`` (a view of out picked by geometry) replaced by src."""

    saves = ()

    @staticmethod
    def forward(ctx, x, src, region):
        out = x.copy()
        region(out)[...] = src
        ctx.region = region
        return out

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dout outside the region (x's values there were overwritten); dL/dsrc = dL/dout in it
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = grad.copy()
            ctx.region(gx)[...] = 0
        if ctx.needs_input_grad[1]:
            gs = ctx.region(grad).copy()
        return gx, gs, None


def _embed(input, src, region, name):
    if src.dtype is not input.dtype:  # PyTorch casts src to self's dtype
        from .elementwise import to_dtype
        src = to_dtype(src, input.dtype)
    want = region(input._array).shape
    if src._array.shape != want:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._array.shape)}, slice size = {list(want)}")
    return Embed.apply(input, src, region)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of input with its diagonal (offset, dim1, dim2 as in diagonal) replaced by src."""
    ndim = input._array.ndim
    if ndim < 2:
        raise RuntimeError(f"diagonal dimensions requires ndim larger than 1, but got ndim {ndim}")
    d1, d2 = _canonical_dim(dim1, ndim), _canonical_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    offset = operator.index(offset)
    return _embed(input, src, lambda a: _diagonal_view(a, offset, d1, d2), "diagonal_scatter")


def select_scatter(input, src, dim, index):
    """A copy of input with input.select(dim, index) replaced by src."""
    a = input._array
    if a.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _canonical_dim(operator.index(dim), a.ndim)
    n, i = a.shape[d], operator.index(index)
    if not -n <= i < n:
        raise IndexError(f"select(): index {i} out of range for tensor of size {list(a.shape)} at dimension {d}")
    key = (slice(None),) * d + (i % n, Ellipsis)
    return _embed(input, src, lambda v: v[key], "select_scatter")


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of input with input[..., start:end:step, ...] (along dim) replaced by src."""
    a = input._array
    d = _canonical_dim(operator.index(dim), a.ndim)
    if step is not None and operator.index(step) <= 0:
        raise RuntimeError("slice step must be positive")
    key = (slice(None),) * d + (slice(start, end, step),)
    return _embed(input, src, lambda v: v[key], "slice_scatter")


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of input with the elements an as_strided(size, stride, storage_offset) view would read replaced
    by src. The geometry is read on a contiguous copy of input (offset 0 = input's first element); PyTorch
    reads it on input's own storage, which differs only for non-contiguous inputs or inputs that are views."""
    size, stride = tuple(operator.index(s) for s in size), tuple(operator.index(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    off = 0 if storage_offset is None else operator.index(storage_offset)
    n = input._array.size
    need = off + sum((a - 1) * b for a, b in zip(size, stride)) + 1 if all(size) else 0
    if need > n:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {off}, and "
                           f"itemsize {input._array.itemsize} requiring a storage size of "
                           f"{need * input._array.itemsize} are out of bounds for storage of size "
                           f"{n * input._array.itemsize}")

    def region(a):
        flat = a.reshape(-1)  # a view: the arrays Embed passes are C-contiguous copies or gradients
        return np.lib.stride_tricks.as_strided(flat[off:], size, tuple(s * a.itemsize for s in stride))
    if not input._array.flags.c_contiguous:
        from .shape import contiguous
        input = contiguous(input)
    return _embed(input, src, region, "as_strided_scatter")


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose diagonals (offset, in the plane of the new dims dim1, dim2) hold input's last dim, zeros
    elsewhere."""
    from .. import creation
    a = input._array
    ndim = a.ndim + 1
    d1, d2 = _canonical_dim(dim1, ndim), _canonical_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    offset = operator.index(offset)
    n = (a.shape[-1] if a.ndim else 1) + abs(offset)
    rest = list(a.shape[:-1])
    shape = []
    for d in range(ndim):
        shape.append(n if d in (d1, d2) else rest.pop(0))
    zeros = creation.zeros(tuple(shape), dtype=input.dtype)
    src = input if a.ndim else input.reshape(1)
    return Embed.apply(zeros, src, lambda v: _diagonal_view(v, offset, d1, d2))


def diag(input, diagonal=0, *, out=None):
    """1-D input: a square matrix with input on the given diagonal; 2-D input: that diagonal (a copy)."""
    from .elementwise import clone
    ndim = input._array.ndim
    if ndim == 1:
        result = diag_embed(input, diagonal, 0, 1)
    elif ndim == 2:
        result = clone(_diagonal_op(input, diagonal))
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")
    if out is not None:
        from . import out as _out
        _out.check_out(out, "diag", input)
        return _out.write_out(out, result, "diag")
    return result


def _diagonal_op(input, offset):
    return Diagonal.apply(input, operator.index(offset), 0, 1)


def diagflat(input, offset=0):
    from .shape import reshape
    return diag_embed(reshape(input, (-1,)), offset, 0, 1)


def fill_diagonal(input, fill_value, wrap=False):
    """input with fill_value on the main diagonal (all dims alike for ndim > 2; wrap: tall matrices restart
    the diagonal every ncols + 1 rows, as NumPy's fill_diagonal): the out-of-place form of fill_diagonal_."""
    from .index import masked_fill
    a = input._array
    if a.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if a.ndim > 2 and len(set(a.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(a.shape, bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    return masked_fill(input, mask, fill_value)


class BlockDiag(Function):
    """y = the (2-D) inputs placed along the diagonal of a zero matrix, one after another"""

    saves = ()

    @staticmethod
    def forward(ctx, *xs):
        xp = get_array_module(*xs)
        rows, cols = sum(x.shape[0] for x in xs), sum(x.shape[1] for x in xs)
        out = xp.zeros((rows, cols), xs[0].dtype if xs else np.float32)
        ctx.keys, r, c = [], 0, 0
        for x in xs:
            key = (slice(r, r + x.shape[0]), slice(c, c + x.shape[1]))
            out[key] = x
            ctx.keys.append(key)
            r, c = r + x.shape[0], c + x.shape[1]
        return out

    @staticmethod
    def backward(ctx, grad):
        return tuple(grad[key] for key in ctx.keys)  # dL/dx_i = dL/dy on x_i's block


def block_diag(*tensors):
    """A block-diagonal matrix of the inputs (0-d: 1x1, 1-D: one row, 2-D as is), promoted to one dtype."""
    from .shape import _promoted, reshape
    mats = []
    for i, x in enumerate(tensors):
        nd = x._array.ndim
        if nd > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{nd} dimensions")
        mats.append(x if nd == 2 else reshape(x, (1, -1) if nd == 1 else (1, 1)))
    if not mats:
        from .. import creation
        return creation.zeros((0, 0))
    mats, _ = _promoted(mats)
    return BlockDiag.apply(*mats)


# ---------------------------------------------------------------------------------------------------
# in-place view ops: x.t_(), x.transpose_(), x.squeeze_(), x.unsqueeze_() ...; x.resize_()
# ---------------------------------------------------------------------------------------------------
def inplace_view(t, fn, *args):
    """t takes the geometry of the view ``fn(t, *args)`` (x.t_() is x = x.t(), keeping x's identity).

    As in PyTorch: refused on a leaf that requires grad (while recording); the version counter t shares with
    its views is bumped; t's history becomes the view op's node, so gradients flow through it as through
    x.t(). The memory itself is not written."""
    from .inplace import _records, bump
    recorded = _records(t)
    v = fn(t, *args)
    t._array = v._array
    if recorded:
        t._grad_fn = v._grad_fn
    bump(t)
    if t._base is not None:
        t._view_version = t._vc.value  # its node is current: no AsStrided redo needed
    return t


def resize_(t, *sizes):
    """t reshaped to ``sizes`` in place, keeping its first elements (memory shared when it shrinks a contiguous
    tensor; a new, zero-filled array where it grows: PyTorch leaves those elements uninitialized). Not
    differentiable: refused for tensors that require grad, as in PyTorch."""
    from .inplace import bump
    from .shape import _ints
    shape = _ints(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else _ints(sizes)
    if t._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
    a = t._array
    n = int(np.prod(shape))
    if n <= a.size and a.flags.c_contiguous:
        t._array = a.reshape(-1)[:n].reshape(shape)
    else:
        new = np.zeros(shape, a.dtype)
        k = min(n, a.size)
        new.reshape(-1)[:k] = a.reshape(-1)[:k]
        t._array = new
    return bump(t)


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ['select', 'diagonal', 'as_strided', 'diagonal_scatter', 'select_scatter', 'slice_scatter',
           'as_strided_scatter', 'diag_embed', 'diag', 'diagflat', 'block_diag']
