"""Shape ops: view/reshape, squeeze/unsqueeze, permute/transpose, expand/repeat, split/chunk/narrow, cat/stack.

Where PyTorch returns a view (view, reshape when it can, squeeze, permute, transpose, expand, narrow, split,
unbind ...) the NumPy result is a view too: it shares memory with the input, nothing is copied. Their
backward rearranges the gradient the inverse way (reshape back, permute back, sum over what was expanded,
put a slice back in place). Flip, roll, repeat, cat and stack copy, as they do in PyTorch.

The public functions at the bottom of each section check the arguments with PyTorch's rules and messages,
then apply one Function.
"""
import math
import operator

from .. import _dtype
from ..autograd.function import Function, _broadcast_message, unbroadcast
from ..backend import get_array_module
from ..tensor import Tensor, _canonical_dim
from . import elementwise as _ew

_TENSOR_TYPES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
                 "uint8": "ByteTensor", "bool": "BoolTensor"}


# ---------------------------------------------------------------------------------------------------
# argument helpers
# ---------------------------------------------------------------------------------------------------
def _ints(v):
    """An int, an integer tensor or a sequence of them as a tuple of Python ints."""
    if isinstance(v, (tuple, list)):
        return tuple(operator.index(s) for s in v)
    return (operator.index(v),)


def _dim(dim, ndim):
    """One dim in [-ndim, ndim) as a non-negative index (a 0-d tensor accepts 0 and -1)."""
    return _canonical_dim(operator.index(dim), ndim)


def _dim_list(dims, ndim):
    """Several dims, each wrapped; PyTorch's error if one repeats."""
    out = [_dim(d, ndim) for d in _ints(dims)]
    for i, d in enumerate(out):
        if d in out[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


def _fmt(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _infer_size(shape, numel):
    """``shape`` with its one -1 replaced by what makes ``numel`` elements, with PyTorch's messages."""
    infer, known = None, 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {_fmt(shape)}")
        else:
            known *= s
    if infer is None:
        if known == numel:
            return shape
    elif known == 0:
        if numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {_fmt(shape)} because the "
                               f"unspecified dimension size -1 can be any value and is ambiguous")
    elif numel % known == 0:
        return shape[:infer] + (numel // known,) + shape[infer + 1:]
    raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")


# ---------------------------------------------------------------------------------------------------
# view and reshape (and everything that is a reshape: flatten, unflatten, squeeze, unsqueeze)
# ---------------------------------------------------------------------------------------------------
class View(Function):
    """y = x read with another shape; strict: only as a view of x's memory (PyTorch's view)."""

    is_view = True  # (reshape may copy: then the result is no view, see make_view)
    saves = ()

    @staticmethod
    def forward(ctx, x, shape, strict):
        ctx.shape = x.shape
        if not strict:
            return x.reshape(shape)  # a view when the strides allow it, else a copy (PyTorch's reshape)
        try:
            return get_array_module(x).reshape(x, shape, copy=False)
        except ValueError:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
                               ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None, None  # dL/dx = dL/dy laid out in x's shape


class Squeeze(View):
    """(a View under PyTorch's graph-node name)"""


class Unsqueeze(View):
    """(a View under PyTorch's graph-node name)"""


def _view(input, shape, strict=False, cls=View):
    return cls.apply(input, tuple(shape), strict)


def view(input, shape):
    return _view(input, _infer_size(_ints(shape), input._array.size), strict=True)


def reshape(input, shape):
    return _view(input, _infer_size(_ints(shape), input._array.size))


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._array.shape
    s, e = _dim(start_dim, len(shape)), _dim(end_dim, len(shape))
    if not shape:
        return _view(input, (1,))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input  # nothing to flatten: PyTorch returns the input itself
    return _view(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


def unflatten(input, dim, sizes):
    shape = input._array.shape
    d = _dim(dim, len(shape))
    sizes = _ints(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if -1 not in sizes and math.prod(sizes) != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {_fmt(sizes)} don't multiply up to the size of dim {d} "
                           f"({shape[d]}) in the input tensor")
    try:
        sizes = _infer_size(sizes, shape[d])
    except RuntimeError as e:
        raise RuntimeError(f"unflatten got an unexpected error:\n{e}") from None
    return _view(input, shape[:d] + sizes + shape[d + 1:])


def squeeze(input, dim=None):
    shape = input._array.shape
    if dim is None:
        drop = [i for i, s in enumerate(shape) if s == 1]
    else:
        drop = [d for d in _dim_list(dim, len(shape)) if shape and shape[d] == 1]
    return _view(input, tuple(s for i, s in enumerate(shape) if i not in drop), cls=Squeeze)


def unsqueeze(input, dim):
    shape = input._array.shape
    d = _dim(dim, len(shape) + 1)
    return _view(input, shape[:d] + (1,) + shape[d:], cls=Unsqueeze)


# ---------------------------------------------------------------------------------------------------
# permutations: permute, transpose, t, movedim
# ---------------------------------------------------------------------------------------------------
class Permute(Function):
    """y = x with its dims reordered: y.shape[i] = x.shape[dims[i]] (a view)."""

    is_view = True
    saves = ()

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return get_array_module(x).transpose(x, dims)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy with the permutation undone: dim dims[i] of x is dim i of y
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return get_array_module(grad).transpose(grad, inverse), None


class Transpose(Permute):
    """(a Permute under PyTorch's graph-node name)"""


class T(Permute):
    """(a Permute under PyTorch's graph-node name)"""


def permute(input, dims):
    ndim = input._array.ndim
    dims = _ints(dims)
    if len(dims) != ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {ndim} is not equal "
                           f"to len(dims) = {len(dims)}")
    dims = tuple(_dim(d, ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    ndim = input._array.ndim
    d0, d1 = _dim(dim0, ndim), _dim(dim1, ndim)
    perm = list(range(ndim))
    if ndim:
        perm[d0], perm[d1] = perm[d1], perm[d0]
    return Transpose.apply(input, tuple(perm))


def t(input):
    ndim = input._array.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return T.apply(input, tuple(range(ndim - 1, -1, -1)))


def movedim(input, source, destination):
    ndim = input._array.ndim
    src, dst = _ints(source), _ints(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({_fmt(src)} dims) should "
                           f"contain the same number of dims as destination ({_fmt(dst)} dims)")
    src = [_dim(d, ndim) for d in src]
    dst = [_dim(d, ndim) for d in dst]
    for name, ds in (("source", src), ("destination", dst)):
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({_fmt(ds)})")
    # the moved dims go to their destinations; the others keep their order in the free places
    perm = [None] * ndim
    for s, d in zip(src, dst):
        perm[d] = s
    rest = iter(i for i in range(ndim) if i not in src)
    return Permute.apply(input, tuple(p if p is not None else next(rest) for p in perm))


# ---------------------------------------------------------------------------------------------------
# expand, repeat, tile, contiguous
# ---------------------------------------------------------------------------------------------------
class Expand(Function):
    """y = x broadcast to a larger shape (a view: the repeated elements are the same memory, read-only)."""

    is_view = True
    saves = ()

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        if shape == x.shape:
            return x.view()
        return get_array_module(x).broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shape), None  # dL/dx = dL/dy summed over every copy of each element


def expand(input, shape):
    a = input._array
    sizes = _ints(shape)
    lead = len(sizes) - a.ndim
    if lead < 0:
        raise RuntimeError(f"expand(torch.{_TENSOR_TYPES.get(a.dtype.name, a.dtype.name)}{{{_fmt(a.shape)}}}, "
                           f"size={_fmt(sizes)}): the number of sizes provided ({len(sizes)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({a.ndim})")
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s == -1:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            if s < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {_fmt(sizes)}")
            target.append(s)
            continue
        have = a.shape[i - lead]
        if s == -1:
            s = have
        elif have != s and have != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({have}) at "
                               f"non-singleton dimension {i}.  Target sizes: {_fmt(sizes)}.  Tensor sizes: "
                               f"{_fmt(a.shape)}")
        elif s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {_fmt(sizes)}")
        target.append(s)
    return Expand.apply(input, tuple(target))


class Repeat(Function):
    """y = x tiled sizes[i] times along dim i (x first gets leading size-1 dims up to len(sizes))."""

    saves = ()

    @staticmethod
    def forward(ctx, x, sizes):
        ctx.shape, ctx.sizes = x.shape, sizes
        return get_array_module(x).tile(x, sizes)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = Σ over the copies of dL/dy: view dL/dy as (r0, s0, r1, s1, ...) and sum the r axes
        shape = (1,) * (len(ctx.sizes) - len(ctx.shape)) + ctx.shape
        split = [v for r, s in zip(ctx.sizes, shape) for v in (r, s)]
        g = grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return g.reshape(ctx.shape), None


def repeat(input, sizes):
    a = input._array
    sizes = _ints(sizes)
    if len(sizes) < a.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                           "of tensor")
    shape = (1,) * (len(sizes) - a.ndim) + a.shape
    if any(r < 0 for r in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(r * s for r, s in zip(sizes, shape))}: {_fmt(r * s for r, s in zip(sizes, shape))}")
    return Repeat.apply(input, sizes)


def tile(input, dims):
    dims = _ints(dims)
    return repeat(input, (1,) * (input._array.ndim - len(dims)) + dims)


def contiguous(input):
    if input._array.flags.c_contiguous:
        return input  # as PyTorch: already contiguous, the same tensor
    return _ew.clone(input)  # a C-ordered copy; dL/dx = dL/dy


# ---------------------------------------------------------------------------------------------------
# slicing along one dim: narrow, split, chunk, unbind
# ---------------------------------------------------------------------------------------------------
class Slice(Function):
    """y = x[index] for an index of slices and integers (a view of x)."""

    is_view = True
    saves = ()

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        return x[index + (Ellipsis,)]  # the Ellipsis keeps a 0-d result a view, not a NumPy scalar

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy at the positions y was read from, 0 elsewhere
        g = get_array_module(grad).zeros(ctx.shape, grad.dtype)
        g[ctx.index] = grad
        return g, None


class Split(Slice):
    """(a Slice under PyTorch's graph-node name; its views may not be changed in place while recorded)"""

    multi_output_view = True


class Unbind(Slice):
    """(a Slice under PyTorch's graph-node name; its views may not be changed in place while recorded)"""

    multi_output_view = True


def _take(input, dim, start, stop, cls=Slice):
    """input[..., start:stop, ...] along dim, as a view."""
    if start == 0 and stop == input._array.shape[dim]:
        return _view(input, input._array.shape)
    return cls.apply(input, (slice(None),) * dim + (slice(start, stop),))


def narrow(input, dim, start, length):
    a = input._array
    if a.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    start, length = operator.index(start), operator.index(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = _dim(dim, a.ndim)
    n = a.shape[d]
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return _take(input, d, start, start + length)


def split(input, split_size_or_sections, dim=0):
    return _split(input, split_size_or_sections, dim, Split)


def _split(input, split_size_or_sections, dim, cls):
    a = input._array
    if a.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _dim(dim, a.ndim)
    n = a.shape[d]
    if isinstance(split_size_or_sections, (tuple, list)):
        sizes = _ints(split_size_or_sections)
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                               f"split_sizes={_fmt(sizes)}")
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                               f"at dimension {d}), but got split_sizes={_fmt(sizes)}")
    else:
        size = operator.index(split_size_or_sections)
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
        if size == 0 and n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        sizes = [min(size, n - i) for i in range(0, n, size)] if n else [0]
    bounds = [0]
    for s in sizes:
        bounds.append(bounds[-1] + s)
    return _numbered(tuple(_take(input, d, lo, hi, cls) for lo, hi in zip(bounds, bounds[1:])))


def chunk(input, chunks, dim=0):
    return _chunk(input, chunks, dim, Split)


def _chunk(input, chunks, dim, cls):
    a = input._array
    if a.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    chunks = operator.index(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = a.shape[_dim(dim, a.ndim)]
    if n == 0:
        return _split(input, [0] * chunks, dim, cls)
    return _split(input, -(-n // chunks), dim, cls)  # ceil(n / chunks) per chunk: maybe fewer chunks


def unbind(input, dim=0):
    a = input._array
    if a.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _dim(dim, a.ndim)
    return _numbered(tuple(Unbind.apply(input, (slice(None),) * d + (i,)) for i in range(a.shape[d])))


def _numbered(views):
    """Each output of a multi-output view op knows its position (for PyTorch's in-place error message)."""
    for i, v in enumerate(views):
        v._view_output_nr = i
    return views


# ---------------------------------------------------------------------------------------------------
# flip and roll
# ---------------------------------------------------------------------------------------------------
class Flip(Function):
    """y = x reversed along dims (a copy, as in PyTorch)."""

    saves = ()

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return get_array_module(x).flip(x, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return get_array_module(grad).flip(grad, ctx.dims), None  # dL/dx = dL/dy reversed back


def flip(input, dims):
    ndim = input._array.ndim
    dims = _dim_list(dims, ndim)
    return Flip.apply(input, tuple(dims) if ndim else ())


class Roll(Function):
    """y = x shifted cyclically by shifts along dims (dims None: along the flattened tensor)."""

    saves = ()

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return get_array_module(x).roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy shifted back
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return get_array_module(grad).roll(grad, back, ctx.dims), None, None


def roll(input, shifts, dims=None):
    ndim = input._array.ndim
    shifts = _ints(shifts)
    dims = () if dims is None else _ints(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if not dims:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input, shifts[0], None)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    dims = tuple(_dim(d, ndim) for d in dims)
    if ndim == 0:
        return Roll.apply(input, 0, None)
    return Roll.apply(input, shifts, dims)


# ---------------------------------------------------------------------------------------------------
# cat, stack, broadcast_tensors
# ---------------------------------------------------------------------------------------------------
def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    return list(tensors)


def _promoted(tensors):
    """The tensors cast (differentiably) to the dtype PyTorch's cat/stack give: the promoted one."""
    rt = tensors[0].dtype
    for x in tensors[1:]:
        rt = _dtype.promote_types(rt, x.dtype)
    return [x if x.dtype is rt else _ew.to_dtype(x, rt) for x in tensors], rt


class Cat(Function):
    """y = the inputs joined along dim (inputs marked skip, 1-D and empty, take no part: legacy rule)."""

    saves = ()

    @staticmethod
    def forward(ctx, dim, skip, *xs):
        ctx.dim, ctx.skip = dim, skip
        ctx.sizes = [x.shape[dim] if not s else 0 for x, s in zip(xs, skip)]
        kept = [x for x, s in zip(xs, skip) if not s]
        return get_array_module(*xs).concatenate(kept, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx_i = the slice of dL/dy that x_i filled
        xp = get_array_module(grad)
        grads, start = [], 0
        lead = (slice(None),) * ctx.dim
        for size, s in zip(ctx.sizes, ctx.skip):
            if s:
                grads.append(xp.zeros((0,), grad.dtype))
            else:
                grads.append(grad[lead + (slice(start, start + size),)])
                start += size
        return (None, None) + tuple(grads)


def cat(tensors, dim=0):
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if x._array.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    tensors, _ = _promoted(tensors)
    skip = tuple(x._array.shape == (0,) for x in tensors)  # PyTorch skips 1-D empty tensors
    kept = [(i, x._array.shape) for i, x in enumerate(tensors) if not skip[i]]
    if not kept:
        return Cat.apply(0, (False,) * len(tensors), *tensors)
    ref = kept[0][1]
    d = _dim(dim, len(ref))
    for i, shape in kept:
        if len(shape) != len(ref):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} and {len(shape)}")
        for j, (s, r) in enumerate(zip(shape, ref)):
            if j != d and s != r:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size {r} but "
                                   f"got size {s} for tensor number {i} in the list.")
    return Cat.apply(d, skip, *tensors)


class Stack(Function):
    """y = the inputs (all of one shape) stacked along a new dim."""

    saves = ()

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return get_array_module(*xs).stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx_i = dL/dy at index i of the new dim
        lead = (slice(None),) * ctx.dim
        return (None,) + tuple(grad[lead + (i,)] for i in range(grad.shape[ctx.dim]))


def stack(tensors, dim=0):
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._array.shape
    for i, x in enumerate(tensors):
        if x._array.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {_fmt(shape)} at entry 0 and "
                               f"{_fmt(x._array.shape)} at entry {i}")
    d = _dim(dim, len(shape) + 1)
    tensors, _ = _promoted(tensors)
    return Stack.apply(d, *tensors)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    arrays = [x._array for x in tensors]
    try:
        shape = get_array_module(*arrays).broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise RuntimeError(_broadcast_message(arrays)) from None
    return tuple(Expand.apply(x, shape) for x in tensors)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors: output k varies along dimension k ('ij'), or with the first two
    dimensions swapped ('xy', as in NumPy and plotting). Each output is a broadcast (expand) of one input,
    so its gradient is summed back onto that input."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for x in tensors:
        if x.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {x.dim()}D")
    sizes = [x.numel() for x in tensors]
    if indexing == "xy" and len(tensors) >= 2:  # swap the roles of the first two inputs
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for k, x in enumerate(tensors):
        axis = k
        if indexing == "xy" and k < 2 and len(tensors) >= 2:
            axis = 1 - k
        shape = [1] * len(tensors)
        shape[axis] = -1
        out.append(expand(reshape(x, shape), sizes))
    return tuple(out)


# ---------------------------------------------------------------------------------------------------
# more splits: tensor_split, hsplit/vsplit/dsplit, split_with_sizes, the unsafe_ forms
# ---------------------------------------------------------------------------------------------------
def split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(_ints(split_sizes)), dim)


def unsafe_split(input, split_size, dim=0):
    """split whose outputs may be changed in place under autograd (ordinary views, as PyTorch's)."""
    return _split(input, split_size, dim, Slice)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return _split(input, list(_ints(split_sizes)), dim, Slice)


def unsafe_chunk(input, chunks, dim=0):
    return _chunk(input, chunks, dim, Slice)


def tensor_split(input, indices_or_sections, dim=0):
    """Views of input split along dim: into n near-equal parts (the first n % size ones one longer), or at the
    given indices (clamped to the size, so parts may be empty)."""
    a = input._array
    if a.ndim == 0:
        raise RuntimeError(f"tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = _dim(dim, a.ndim)
    n = a.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        if spec._array.dtype.kind not in "iu":
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have integer dtype, but got "
                               f"{spec.dtype}")
        if spec._array.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {spec._array.ndim} dims")
        spec = int(spec._array) if spec._array.ndim == 0 else [int(i) for i in spec._array]
    if isinstance(spec, (tuple, list)):
        cuts = [min(max(i + n if i < 0 else i, 0), n) for i in _ints(spec)]
        bounds = [0] + cuts + [n]
    else:
        sections = operator.index(spec)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        size, extra = divmod(n, sections)
        bounds = [0]
        for i in range(sections):
            bounds.append(bounds[-1] + size + (1 if i < extra else 0))
    return tuple(Slice.apply(input, (slice(None),) * d + (slice(lo, max(lo, hi)),))
                 for lo, hi in zip(bounds, bounds[1:]))


def _dir_split(input, sections, dim, name, need):
    ndim = input._array.ndim
    if ndim < need:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {need} dimension, but got a tensor with "
                           f"{ndim} dimensions!")
    if not isinstance(sections, (tuple, list, Tensor)):
        size = input._array.shape[dim]
        sections = operator.index(sections)
        if sections == 0 or size % sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {size} is not divisible by the split_size {sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input, indices_or_sections):
    ndim = input._array.ndim
    return _dir_split(input, indices_or_sections, 1 if ndim > 1 else 0, "hsplit", 1)


def vsplit(input, indices_or_sections):
    return _dir_split(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections):
    return _dir_split(input, indices_or_sections, 2, "dsplit", 3)


# ---------------------------------------------------------------------------------------------------
# atleast_nd, hstack/vstack/dstack/column_stack, ravel, fliplr/flipud/rot90, repeat_interleave, narrow_copy
# ---------------------------------------------------------------------------------------------------
def _atleast(tensors, shape_of):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        return tuple(_atleast(tuple(tensors[0]), shape_of))
    out = tuple(x if shape_of(x._array.shape) == x._array.shape else _view(x, shape_of(x._array.shape))
                for x in tensors)
    return out[0] if len(out) == 1 else out


def atleast_1d(*tensors):
    return _atleast(tensors, lambda s: s or (1,))


def atleast_2d(*tensors):
    return _atleast(tensors, lambda s: (1,) * (2 - len(s)) + s if len(s) < 2 else s)


def atleast_3d(*tensors):
    return _atleast(tensors, lambda s: {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s), s))


def _stacked(result, out, name, tensors):
    if out is not None:
        from . import out as _out
        _out.check_out(out, name, *tensors)
        return _out.write_out(out, result, name)
    return result


def _each(tensors, fn, name):
    tensors = _tensor_list(tensors, name)
    return [fn(x) for x in tensors]


def hstack(tensors, *, out=None):
    ts = _each(tensors, atleast_1d, "hstack")
    return _stacked(cat(ts, 0 if ts and ts[0]._array.ndim == 1 else 1), out, "hstack", ts)


def vstack(tensors, *, out=None):
    ts = _each(tensors, atleast_2d, "vstack")
    return _stacked(cat(ts, 0), out, "vstack", ts)


row_stack = vstack


def dstack(tensors, *, out=None):
    ts = _each(tensors, atleast_3d, "dstack")
    return _stacked(cat(ts, 2), out, "dstack", ts)


def column_stack(tensors, *, out=None):
    ts = _each(tensors, lambda x: reshape(x, (x._array.size, 1)) if x._array.ndim <= 1 else x, "column_stack")
    return _stacked(cat(ts, 1), out, "column_stack", ts)


def ravel(input):
    return reshape(input, (-1,))  # a view when the memory allows it, as PyTorch's


def fliplr(input):
    if input._array.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input._array.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def rot90(input, k=1, dims=(0, 1)):
    """input rotated by k·90 degrees in the plane of dims, from the first dim towards the second (a copy)."""
    dims = _ints(dims)
    ndim = input._array.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    d0, d1 = _dim(dims[0], ndim), _dim(dims[1], ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k = operator.index(k) % 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return _ew.clone(input)


class RepeatInterleave(Function):
    """y = each slice of x along axis repeated repeats[i] times (in place: 0 0 1 1, not 0 1 0 1)"""

    saves = ()

    @staticmethod
    def forward(ctx, x, repeats, axis):
        xp = get_array_module(x)
        ctx.shape, ctx.axis = x.shape, axis
        ctx.source = xp.repeat(xp.arange(x.shape[axis]), repeats)  # the x slice each y slice came from
        return xp.repeat(x, repeats, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx[i] = Σ of dL/dy over the repeats[i] copies of slice i
        from .index import _index_add
        g = get_array_module(grad).zeros(ctx.shape, grad.dtype)
        return _index_add(g, ctx.axis, ctx.source, grad), None, None


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (dim=None: of the flattened input) or slice along dim repeated ``repeats`` times (an int or
    one count per slice). ``repeat_interleave(counts)``: the indices 0, 1, ... each repeated counts[i] times."""
    from ..autograd.function import wrap
    if repeats is None:  # the one-argument form
        r = input._array
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if r.dtype.kind not in "iu":
            raise RuntimeError("repeats has to be Long or Int tensor")
        if r.size and r.min() < 0:
            raise RuntimeError("repeats can not be negative")
        out = get_array_module(r).repeat(get_array_module(r).arange(r.size, dtype=r.dtype), r.reshape(-1))
        if output_size is not None and out.size != output_size:
            raise RuntimeError("allocated size does not match required size")
        return wrap(out)
    if dim is None:
        input, axis = reshape(input, (-1,)), 0
    else:
        axis = _dim(dim, input._array.ndim)
        if input._array.ndim == 0:
            input = reshape(input, (1,))
    n = input._array.shape[axis]
    if isinstance(repeats, Tensor):
        r = repeats._array
        if r.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if r.dtype.kind not in "iu":
            raise RuntimeError("repeats has to be Long or Int tensor")
        if r.ndim == 1 and r.size != 1 and r.size != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{r.size} and input.size({axis if dim is not None else 0}) = {n}")
        reps = r.reshape(-1) if r.size != 1 else int(r.reshape(-1)[0])
    else:
        reps = operator.index(repeats)
    if (get_array_module(input._array).asarray(reps) < 0).any():
        raise RuntimeError("repeats can not be negative")
    result = RepeatInterleave.apply(input, reps, axis)
    if output_size is not None and result._array.shape[axis] != output_size:
        raise RuntimeError("allocated size does not match required size")
    return result


def narrow_copy(input, dim, start, length):
    """narrow, copied (no view)."""
    return _ew.clone(narrow(input, dim, start, length))


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D input, one per row (one input: that input)."""
    if len(tensors) == 1:
        if tensors[0]._array.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(tensors[0]._array.shape)}")
        return tensors[0]
    for x in tensors:
        if x._array.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(x._array.shape)}")
    return stack([reshape(g, (-1,)) for g in meshgrid(*tensors, indexing="ij")], 1)


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ['reshape', 'flatten', 'unflatten', 'squeeze', 'unsqueeze', 'permute', 'transpose', 't', 'movedim',
           'tile', 'split', 'chunk', 'unbind', 'flip', 'roll', 'narrow', 'cat', 'stack', 'broadcast_tensors',
           'meshgrid', 'split_with_sizes', 'unsafe_split', 'unsafe_split_with_sizes', 'unsafe_chunk', 'tensor_split',
           'hsplit', 'vsplit', 'dsplit', 'atleast_1d', 'atleast_2d', 'atleast_3d', 'hstack', 'vstack', 'row_stack',
           'dstack', 'column_stack', 'ravel', 'fliplr', 'flipud', 'rot90', 'repeat_interleave', 'narrow_copy',
           'cartesian_prod']
