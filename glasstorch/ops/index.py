"""Indexing ops: ``x[key]``, ``x[key] = v``, gather/scatter, index_select, masked ops, take, sort/topk,
tril/triu, nonzero, unique, one_hot.

Every differentiable op is a Function whose backward sends the gradient back to the positions it was read
from. Where one input position may be read several times (integer indices can repeat) the gradients of the
repeats must be added, not overwritten: ``_index_add`` (sort + segment sums) and ``np.add.at`` do that;
where positions cannot repeat (slices, masks, sort) plain assignment is enough and much cheaper.

Index tensors follow PyTorch: gather/scatter take int32 or int64, take/index_fill/one_hot int64 only,
out-of-range indices raise PyTorch's errors (NumPy would silently wrap negative ones).
"""
import collections
import operator
import warnings

import numpy as np

from ..autograd.function import Function, make_view, unbroadcast, wrap
from ..autograd.grad_mode import GradMode
from ..backend import get_array_module
from .. import _dtype
from ..tensor import Tensor, _canonical_dim

# ---------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------
_TORCH_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool", "float16": "Half", "float32": "Float", "float64": "Double"}


def _named_result(name):
    """A tuple with fields (values, indices), as torch.return_types.<name>."""
    cls = collections.namedtuple(name, ("values", "indices"))
    cls.__qualname__ = f"return_types.{name}"
    cls.__repr__ = lambda self: f"torch.return_types.{name}(\nvalues={self[0]!r},\nindices={self[1]!r})"
    return cls


class return_types:
    """The named result tuples of sort and topk."""
    sort = _named_result("sort")
    topk = _named_result("topk")


def _arr(v):
    return v._array if isinstance(v, Tensor) else np.asarray(v)


def _index_arg(index, kinds, message):
    """The array of an index tensor, raising ``message`` unless its dtype is one of ``kinds``."""
    idx = _arr(index)
    if idx.dtype.name not in kinds:
        raise RuntimeError(message)
    return idx


def _check_bounds(idx, n, dim):
    """PyTorch's error for an index outside [0, n) (gather, scatter: negative indices are errors)."""
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].flat[0]
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {n}")


def _wrap_negative(idx, n):
    """Indices in [-n, n) as non-negative ones (take and x[idx] accept negatives)."""
    if idx.size and idx.min() < 0:
        return get_array_module(idx).where(idx < 0, idx + n, idx)
    return idx


def _index_add(g, axis, idx, src):
    """g[..., idx[j], ...] += src[..., j, ...] along ``axis``, adding up repeated indices (in place).

    Sorting the indices puts repeats side by side; ``add.reduceat`` sums each run, and the sums are
    written with one fancy assignment (several times faster than ``np.add.at``)."""
    if idx.size == 0:
        return g
    xp = get_array_module(g)
    gv, sv = xp.moveaxis(g, axis, 0), xp.moveaxis(src, axis, 0)
    order = xp.argsort(idx, kind="stable")
    s = idx[order]
    first = xp.empty(s.shape, bool)
    first[0] = True
    xp.not_equal(s[1:], s[:-1], out=first[1:])
    if first.all():  # no repeats
        gv[s] += sv[order]
    else:
        starts = xp.flatnonzero(first)
        gv[s[starts]] += xp.add.reduceat(sv[order], starts, axis=0)
    return g


def _sum_to(grad, shape):
    """unbroadcast that also accepts a target with extra leading 1s (as assignment allows)."""
    extra = len(shape) - grad.ndim
    if extra > 0:
        return unbroadcast(grad, tuple(shape[extra:])).reshape(shape)
    return unbroadcast(grad, tuple(shape))


def _along(index, axis):
    """Index arrays picking, for each position p of ``index``, the element at p with p[axis] replaced by index[p]."""
    xp = get_array_module(index)
    nd = index.ndim
    return tuple(index if d == axis else xp.arange(n).reshape((1,) * d + (n,) + (1,) * (nd - d - 1))
                 for d, n in enumerate(index.shape))


# ---------------------------------------------------------------------------------------------------
# keys: x[key]
# ---------------------------------------------------------------------------------------------------
BASIC, UNIQUE, ROWS, GENERAL = 0, 1, 2, 3  # kinds of key: how backward scatters the gradient


def _step_ok(s):
    if s.step is not None:
        step = operator.index(s.step)
        if step == 0:
            raise ValueError("slice step cannot be zero")
        if step < 0:
            raise ValueError("step must be greater than zero")


def _key_array(a):
    """An index array as PyTorch accepts it: bool masks (uint8 too), int32/int64 integers."""
    kind = a.dtype.kind
    if kind == "b":
        return a
    if a.dtype == np.uint8:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
                      "instead.", UserWarning, stacklevel=4)
        return a.astype(bool)
    if a.dtype.name in ("int64", "int32"):
        return a
    if a.size == 0 and kind in "fiu":  # torch.tensor([]) is float, x[[]] selects nothing
        return a.astype(np.int64)
    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _sequence_is_tuple(seq):
    """PyTorch's (NumPy's old) rule: a short list holding slices, None, ..., tensors or lists is a tuple."""
    if len(seq) >= 32:
        return False
    return any(k is None or k is Ellipsis or isinstance(k, (slice, Tensor, np.ndarray, list, tuple)) for k in seq)


def _part(k):
    """One element of a key, made NumPy-ready."""
    if isinstance(k, Tensor) or isinstance(k, np.ndarray):
        a = k._array if isinstance(k, Tensor) else k
        if a.ndim == 0 and a.dtype.kind in "iu" and a.dtype != np.uint8:
            if a.dtype.name not in ("int64", "int32"):
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            return int(a)  # a 0-d integer tensor indexes like an int (torch: a select, a view)
        return _key_array(a)
    if isinstance(k, (list, tuple, range)):  # a sequence inside a key is an index tensor: x[(0, 1),], x[range(2)]
        return _key_array(_sequence_array(k))
    if isinstance(k, slice):
        _step_ok(k)
        return k
    if k is None or k is Ellipsis or isinstance(k, (int, bool)):
        return k
    if isinstance(k, np.integer):
        return int(k)
    if isinstance(k, np.bool_):
        return bool(k)
    if isinstance(k, str):
        raise TypeError("new(): invalid data type 'str'")
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                     f"indices (got {type(k).__name__})")


def _sequence_array(seq):
    """A (nested) sequence of numbers or 0-d tensors as an array, as torch.tensor(seq) would read it."""
    def plain(e):
        if isinstance(e, Tensor):
            return e._array
        if isinstance(e, (list, tuple, range)):
            return [plain(v) for v in e]
        return e
    try:
        a = np.asarray(plain(seq))
    except ValueError:
        raise ValueError(f"expected sequence of length {len(seq[0])} at dim 1 (got {len(seq[1])})") from None
    if a.dtype == object:
        raise TypeError(f"'{type(seq[0]).__name__}' object cannot be interpreted as an integer")
    return a


def _one_ellipsis(parts):
    """PyTorch lets a key hold several ``...``: the first one covers the unnamed dims, the others nothing."""
    out, seen = [], False
    for p in parts:
        if p is Ellipsis:
            if seen:
                continue
            seen = True
        out.append(p)
    return tuple(out)


def _convert(key, shape=None):
    """(NumPy key, kind) for a PyTorch key; ``shape`` (the indexed tensor's) is needed only in the rare case
    where PyTorch's and NumPy's placement of advanced-index dims differ (see ``_torch_order``)."""
    t = type(key)
    if t is int or key is None or key is Ellipsis:
        return key, BASIC
    if t is slice:
        _step_ok(key)
        return key, BASIC
    if t is tuple:
        ellipses = 0
        for k in key:
            tk = type(k)
            if tk is int or k is None:
                continue
            if k is Ellipsis:
                ellipses += 1
                continue
            if tk is slice:
                _step_ok(k)
                continue
            break
        else:
            return (key if ellipses < 2 else _one_ellipsis(key)), BASIC  # the hot path: ints, slices, None, ...
        parts = key
    elif t is list and _sequence_is_tuple(key):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
                      "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
                      "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error "
                      "or a different result", UserWarning, stacklevel=3)
        parts = key
    else:
        parts = (key,)
    parts = _one_ellipsis(tuple(_part(k) for k in parts))
    has_int = has_int_array = has_array = False
    for p in parts:
        if type(p) is int:
            has_int = True
        elif type(p) is bool:
            has_array = True
        elif isinstance(p, np.ndarray) or hasattr(p, "__array_namespace__"):
            has_array = True
            if p.dtype.kind != "b":
                has_int_array = True
    if not has_array:
        return parts, BASIC
    at = [i for i, p in enumerate(parts) if _is_array(p)]
    if all(_is_true(parts[i]) for i in at) and at == list(range(at[0], at[-1] + 1)):
        # x[True] is x[None] (a view); adjacent Trues broadcast into that one new dim
        return parts[:at[0]] + (None,) + parts[at[-1] + 1:], BASIC
    if shape is not None:
        _check_masks(parts, shape)
    if has_int:
        reordered = _torch_order(parts, shape)
        if reordered is not None:
            return reordered, GENERAL
    if not has_int_array:
        return parts, UNIQUE
    if len(parts) == 1:
        return parts, ROWS
    return parts, GENERAL


def _check_masks(parts, shape):
    """PyTorch's error for a boolean mask whose shape differs from the dims it covers."""
    masks = [p for p in parts if isinstance(p, np.ndarray) and p.dtype.kind == "b" and p.ndim]
    if not masks:
        return
    named = sum(p.ndim if isinstance(p, np.ndarray) and p.dtype.kind == "b" else 1
                for p in parts if p is not None and p is not Ellipsis and type(p) is not bool)
    d = 0
    for p in parts:
        if p is Ellipsis:
            d += max(len(shape) - named, 0)
        elif p is None or type(p) is bool:
            continue
        elif isinstance(p, np.ndarray) and p.dtype.kind == "b":
            for k, n in enumerate(p.shape):
                if d + k < len(shape) and shape[d + k] != n:
                    raise IndexError(f"The shape of the mask {list(p.shape)} at index {k} does not match the shape "
                                     f"of the indexed tensor {list(shape)} at index {d + k}")
            d += p.ndim
        else:
            d += 1


def numpy_key(key, shape=None):
    """The NumPy equivalent of a PyTorch indexing key (tensors → arrays, lists → arrays or tuples as PyTorch
    reads them). Pass the indexed tensor's ``shape`` so that keys mixing ints and index tensors around
    slices (``x[0, :, idx]``) lay out their result as PyTorch does."""
    return _convert(key, shape)[0]


def _is_true(p):
    """A scalar True index (Python's or a 0-d bool tensor's)."""
    return p is True or (isinstance(p, np.ndarray) and p.ndim == 0 and p.dtype.kind == "b" and bool(p))


def _is_array(p):
    return type(p) is bool or isinstance(p, np.ndarray) or hasattr(p, "__array_namespace__")


def _torch_order(parts, shape):
    """A key giving PyTorch's result layout where NumPy's differs, else None.

    PyTorch applies integer indices first (as selects), then advanced indexing; NumPy counts integers among
    the advanced indices. So for ``x[0, :, idx]`` NumPy sees separated advanced indices and moves their
    dims to the front, while PyTorch keeps idx's dims after the ``:`` dim. When the two differ the key is
    rewritten as integer arrays only (slices become aranges on their own result axis), which NumPy lays
    out exactly in the order given."""
    if any(type(p) is bool or (isinstance(p, np.ndarray) and p.ndim == 0) for p in parts):
        return None  # scalar booleans: left to NumPy's layout
    arrays = [i for i, p in enumerate(parts) if _is_array(p)]
    advanced = [i for i, p in enumerate(parts) if _is_array(p) or type(p) is int]
    first, last = arrays[0], arrays[-1]
    torch_adjacent = all(type(parts[i]) is int or _is_array(parts[i]) for i in range(first, last + 1))
    numpy_adjacent = advanced == list(range(advanced[0], advanced[-1] + 1))
    before = [p for p in parts[:first] if type(p) is not int]
    if numpy_adjacent or not torch_adjacent or not before:
        return None  # both libraries place the advanced dims alike
    if shape is None:
        raise NotImplementedError("this key mixes integers and index tensors around slices: its NumPy form "
                                  "depends on the tensor's shape (call numpy_key(key, shape))")
    # expand the Ellipsis into slices
    consumed = sum(p.ndim if isinstance(p, np.ndarray) and p.dtype.kind == "b" else (0 if p is None else 1)
                   for p in parts if p is not Ellipsis)
    full = []
    for p in parts:
        if p is Ellipsis:
            full.extend([slice(None)] * (len(shape) - consumed))
        else:
            full.append(p)
    # split bool masks into their nonzero() integer arrays, note which input dim each part indexes
    items, d = [], 0  # (part, input dim or None)
    for p in full:
        if isinstance(p, np.ndarray) and p.dtype.kind == "b":
            for a in np.nonzero(p):
                items.append((a, d))
                d += 1
        elif p is None:
            items.append((None, None))
        else:
            items.append((p, d))
            d += 1
    if d > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    block = np.broadcast_shapes(*[p.shape for p, _ in items if isinstance(p, np.ndarray)])
    # result axes, in PyTorch's order: one per slice and None, the broadcast block where the arrays are
    axes, placed = [], False
    for p, dim in items:
        if isinstance(p, np.ndarray):
            if not placed:
                axes.append(("block", None))
                placed = True
        elif p is None or isinstance(p, slice):
            axes.append((p, dim))
    positions, n = [], 0
    for a in axes:
        positions.append(n)
        n += len(block) if a[0] == "block" else 1
    total = n
    out = []
    axis_of_slice = {dim: pos for (p, dim), pos in zip(axes, positions) if isinstance(p, slice)}
    block_at = next(pos for a, pos in zip(axes, positions) if a[0] == "block")
    for p, dim in items:
        if p is None:
            continue  # its size-1 result axis comes from broadcasting
        if type(p) is int:
            out.append(p)
        elif isinstance(p, slice):
            r = np.arange(*p.indices(shape[dim]))
            j = axis_of_slice[dim]
            out.append(r.reshape((1,) * j + (r.size,) + (1,) * (total - j - 1)))
        else:
            lead = block_at + len(block) - p.ndim
            out.append(p.reshape((1,) * lead + p.shape + (1,) * (total - block_at - len(block))))
    return tuple(out)


def _get(a, key):
    """a[key] as an array (NumPy returns a scalar for a full integer index; PyTorch a 0-d view)."""
    out = a[key]
    if isinstance(out, np.generic):
        out = a[(key if type(key) is tuple else (key,)) + (Ellipsis,)]
    return out


def _index_error(e, shape):
    """NumPy's IndexError in PyTorch's words."""
    msg = str(e)
    if not shape and ("too many indices" in msg or "invalid index" in msg):
        return IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                          "in C++ to convert a 0-dim tensor to a number")
    if "too many indices" in msg:
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    if "out of bounds" in msg:
        return IndexError(msg.replace("for axis", "for dimension"))
    if msg.startswith("shape mismatch"):
        return IndexError(msg.replace("arrays", "tensors"))
    return IndexError(msg)


class GetItem(Function):
    """y = x[key]  (a view for ints, slices, None and ...; advanced indexing copies: then it is no view)"""

    is_view = True
    saves = ()

    @staticmethod
    def forward(ctx, x, key, kind):
        ctx.shape, ctx.key, ctx.kind = x.shape, key, kind
        return _get(x, key)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy at the positions read, 0 elsewhere (repeated positions add up)
        xp = get_array_module(grad)
        g = xp.zeros(ctx.shape, grad.dtype)
        key, kind = ctx.key, ctx.kind
        if kind <= UNIQUE:
            g[key] = grad
        elif kind == ROWS:
            idx = key[0]
            idx = _wrap_negative(idx.reshape(-1), ctx.shape[0]).astype(np.intp, copy=False)
            _index_add(g, 0, idx, grad.reshape(idx.shape + ctx.shape[1:]))
        else:
            xp.add.at(g, key, grad)
        return g, None, None


def getitem(input, key):
    """``input[key]``: ints, slices, None, Ellipsis, index tensors/lists, boolean masks (as PyTorch)."""
    a = input._array
    k, kind = _convert(key, a.shape)
    if input._requires_grad and GradMode.enabled:
        try:
            return GetItem.apply(input, k, kind)
        except IndexError as e:
            raise _index_error(e, a.shape) from None
    try:
        out = wrap(_get(a, k))
    except IndexError as e:
        raise _index_error(e, a.shape) from None
    return make_view(out, input) if kind == BASIC else out


class IndexPut(Function):
    """out = x with out[key] = value"""

    saves = ()

    @staticmethod
    def forward(ctx, x, value, key, kind):
        out = x.copy()
        try:
            out[key] = value
        except ValueError as e:
            if "broadcast" not in str(e):
                raise
            raise RuntimeError(_put_mismatch(np.shape(value), _get(x, key).shape, kind)) from None
        ctx.key = key
        ctx.value_shape = np.shape(value)
        ctx.value_dtype = value.dtype if isinstance(value, np.ndarray) else None
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            # dL/dx = dL/dout where x survived, 0 where it was overwritten
            gx = grad.copy()
            gx[ctx.key] = 0
        if ctx.needs_input_grad[1]:
            # dL/dvalue = dL/dout[key], summed over the dims value was broadcast along
            gv = _sum_to(_get(grad, ctx.key), ctx.value_shape).astype(ctx.value_dtype, copy=False)
        return gx, gv, None, None


def _put_mismatch(value_shape, target, kind):
    """PyTorch's message for a value that does not broadcast to x[key] (basic keys copy via expand)."""
    if kind != BASIC:
        return (f"shape mismatch: value tensor of shape {list(value_shape)} cannot be broadcast to indexing "
                f"result of shape {list(target)}")
    v = list(value_shape)
    while v and v[0] == 1 and len(v) > len(target):
        v.pop(0)
    if len(v) > len(target):
        return (f"expand({list(value_shape)}, size={list(target)}): the number of sizes provided ({len(target)}) "
                f"must be greater or equal to the number of dimensions in the tensor ({len(v)})")
    for i in range(1, len(v) + 1):
        if v[-i] != 1 and v[-i] != target[-i]:
            return (f"The expanded size of the tensor ({target[-i]}) must match the existing size ({v[-i]}) at "
                    f"non-singleton dimension {len(target) - i}.  Target sizes: {list(target)}.  "
                    f"Tensor sizes: {list(value_shape)}")
    return f"shape mismatch: value of shape {list(value_shape)} cannot be broadcast to {list(target)}"


def _put(input, key, value):
    """A new tensor equal to input except ``out[key] = value`` (value broadcast): ``x[key] = v`` when recorded."""
    a = input._array
    k, kind = _convert(key, a.shape)
    if not isinstance(value, Tensor) and not isinstance(value, (int, float, bool)):
        value = wrap(np.asarray(value))
    try:
        return IndexPut.apply(input, value, k, kind)
    except IndexError as e:
        raise _index_error(e, a.shape) from None


def setitem(input, key, value):
    """``input[key] = value``: written into input's memory (its views see it), version counter bumped; recorded
    (input's history gets the write, a value requiring grad gets gradients) as in-place ops are."""
    from . import elementwise as _ew
    from . import inplace as _inplace
    value = _ew._operand(value)
    if _inplace._records(input, value):
        return _inplace._record(input, _put, key, value)
    a = input._array
    k, kind = _convert(key, a.shape)
    v = _ew.as_array(value)
    try:
        a[k] = v
    except IndexError as e:
        raise _index_error(e, a.shape) from None
    except ValueError as e:
        if "broadcast" not in str(e):
            raise
        raise RuntimeError(_put_mismatch(np.shape(v), _get(a, k).shape, kind)) from None
    return _inplace.bump(input)


def _indices_key(indices, name):
    """torch's ``indices`` argument (a tuple of index tensors) as a key."""
    if isinstance(indices, Tensor) or not isinstance(indices, (tuple, list)):
        raise TypeError(f"{name}(): argument 'indices' (position 2) must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    for n, i in enumerate(indices):
        if not isinstance(i, Tensor):
            raise TypeError(f"expected Tensor as element {n} in argument 1, but got {type(i).__name__}")
    return tuple(indices)


class IndexPutAccumulate(Function):
    """out = x, then out[key] += value (repeated positions add up; value broadcast to x[key]'s shape)"""

    saves = ()

    @staticmethod
    def forward(ctx, x, value, key):
        xp = get_array_module(x)
        out = x.copy()
        target = _get(x, key).shape
        try:
            v = xp.broadcast_to(value, target)
        except ValueError:
            raise RuntimeError(_put_mismatch(value.shape, target, GENERAL)) from None
        xp.add.at(out, key, v)
        ctx.key, ctx.value_shape = key, value.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dout (x is kept everywhere); dL/dvalue = dL/dout at the positions it was added to
        gv = _sum_to(_get(grad, ctx.key), ctx.value_shape) if ctx.needs_input_grad[1] else None
        return grad, gv, None


def index_put(input, indices, values, accumulate=False):
    """A copy of input with ``out[indices] = values`` (indices: a tuple of index tensors, None for a whole dim);
    accumulate=True adds values instead, repeated indices adding up."""
    key = _indices_key(indices, "index_put")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 3) must be Tensor, not {type(values).__name__}")
    if values.dtype is not input.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_TORCH_NAMES.get(input._array.dtype.name)} for the destination and "
                           f"{_TORCH_NAMES.get(values._array.dtype.name)} for the source.")
    if not accumulate:
        return _put(input, key, values)
    a = input._array
    k, kind = _convert(key, a.shape)
    try:
        return IndexPutAccumulate.apply(input, values, k)
    except IndexError as e:
        raise _index_error(e, a.shape) from None


# ---------------------------------------------------------------------------------------------------
# gather, scatter, scatter_add
# ---------------------------------------------------------------------------------------------------
def _as1d(a):
    return a.reshape(1) if a.ndim == 0 else a


class Gather(Function):
    """y[p] = x[p with p[axis] = index[p]]"""

    saves = ()

    @staticmethod
    def forward(ctx, x, index, axis):
        ctx.shape, ctx.index, ctx.axis = x.shape, index, axis
        return _as1d(x)[_along(_as1d(index), axis)].reshape(index.shape)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx[q] = Σ over the positions p that read q of dL/dy[p]   (a scatter-add of grad)
        xp = get_array_module(grad)
        g = xp.zeros(ctx.shape or (1,), grad.dtype)
        xp.add.at(g, _along(_as1d(ctx.index), ctx.axis), _as1d(grad))
        return g.reshape(ctx.shape), None, None


def _check_same_ndim(x, idx, what):
    if idx.ndim != x.ndim and not (min(idx.ndim, x.ndim) == 0 and max(idx.ndim, x.ndim) <= 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} tensor")


def gather(input, dim, index):
    """out[i][j] = input[index[i][j]][j] (dim=0): values picked along dim; out has index's shape."""
    x = input._array
    idx = _index_arg(index, ("int64", "int32"), "gather(): Expected dtype int32/int64 for index")
    axis = _canonical_dim(dim, x.ndim)
    _check_same_ndim(x, idx, "input")
    xs, ids = x.shape or (1,), idx.shape or (1,)
    for d in range(len(ids)):
        if d != axis and ids[d] > xs[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(idx.shape)} to be no "
                               f"larger than self {list(x.shape)} apart from dimension {axis}")
    _check_bounds(idx, xs[axis], axis)
    return Gather.apply(input, idx, axis)


class Scatter(Function):
    """out = x, then out[p with p[axis] = index[p]] = src[p] (or the number value); reduce 'sum'
    (scatter_add) and 'add' add instead, 'multiply' multiplies"""

    saves = ()

    @staticmethod
    def forward(ctx, x, src, index, axis, value, reduce):
        xp = get_array_module(x)
        where = _along(_as1d(index), axis)
        piece = value if src is None else _as1d(src)[tuple(slice(0, n) for n in index.shape or (1,))]
        out = _as1d(x).copy()
        if reduce is None:
            out[where] = piece
        elif reduce != "multiply":  # 'add', or 'sum' for scatter_add
            xp.add.at(out, where, piece)
        else:
            xp.multiply.at(out, where, piece)
        ctx.where, ctx.reduce = where, reduce
        ctx.src_shape = None if src is None else src.shape
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        if ctx.reduce not in (None, "sum"):
            raise RuntimeError("derivative for aten::scatter is not implemented")
        xp = get_array_module(grad)
        g = _as1d(grad)
        gx = gs = None
        if ctx.needs_input_grad[0]:
            # dL/dx = dL/dout where x was kept; 0 where it was overwritten (all of it kept for 'add')
            gx = grad
            if ctx.reduce is None:
                gx = g.copy()
                gx[ctx.where] = 0
                gx = gx.reshape(grad.shape)
        if ctx.needs_input_grad[1]:
            # dL/dsrc[p] = dL/dout at the position src[p] was written to (0 for src entries outside index)
            picked = g[ctx.where]
            gs = xp.zeros(ctx.src_shape or (1,), grad.dtype)
            gs[tuple(slice(0, n) for n in picked.shape)] = picked
            gs = gs.reshape(ctx.src_shape)
        return gx, gs, None, None, None, None


def _scatter_checks(x, idx, src, axis):
    _check_same_ndim(x, idx, "self")
    if src is not None:
        if src.ndim != idx.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        if src.dtype != x.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    xs, ids = x.shape or (1,), idx.shape or (1,)
    ss = (src.shape or (1,)) if src is not None else None
    for d in range(len(ids)):
        if (d != axis and ids[d] > xs[d]) or (ss is not None and ids[d] > ss[d]):
            tail = f" and to be no larger size than src {list(src.shape)}" if src is not None else ""
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self {list(x.shape)} "
                               f"apart from dimension {axis}{tail}")
    _check_bounds(idx, xs[axis], axis)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of input with src's values (or the number value) written at index along dim.

    reduce='add' / 'multiply' combine with the existing values instead (not differentiable, as in PyTorch)."""
    if src is not None and not isinstance(src, Tensor):  # scatter(x, dim, index, 1.5): a value
        src, value = None, src
    if src is None and value is None:
        raise TypeError("scatter() missing 1 required positional argument: 'src' (or keyword 'value')")
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    x = input._array
    idx = _index_arg(index, ("int64", "int32"), "scatter(): Expected dtype int32/int64 for index")
    axis = _canonical_dim(dim, x.ndim)
    _scatter_checks(x, idx, None if src is None else src._array, axis)
    if isinstance(value, Tensor):
        value = value.item()
    return Scatter.apply(input, src, idx, axis, value, reduce)


def scatter_add(input, dim, index, src):
    """A copy of input with src's values added at index along dim (repeated indices add up)."""
    x = input._array
    idx = _index_arg(index, ("int64", "int32"), "scatter(): Expected dtype int32/int64 for index")
    axis = _canonical_dim(dim, x.ndim)
    _scatter_checks(x, idx, src._array, axis)
    return Scatter.apply(input, src, idx, axis, None, "sum")


# ---------------------------------------------------------------------------------------------------
# index_select, index_fill, masked_fill, masked_select, take
# ---------------------------------------------------------------------------------------------------
class IndexSelect(Function):
    """y = x's slices at index along axis"""

    saves = ()

    @staticmethod
    def forward(ctx, x, axis, index):
        ctx.shape, ctx.axis, ctx.index = x.shape, axis, index
        if x.ndim == 0:
            return x.copy()
        return get_array_module(x).take(x, index, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx[i] = Σ over the positions j with index[j] = i of dL/dy[j]
        if not ctx.shape:
            return grad, None, None
        g = get_array_module(grad).zeros(ctx.shape, grad.dtype)
        return _index_add(g, ctx.axis, ctx.index, grad), None, None


def index_select(input, dim, index):
    """The slices of input at the positions ``index`` (a vector) along dim."""
    x = input._array
    idx = _index_arg(index, ("int64", "int32"), "index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    axis = _canonical_dim(dim, x.ndim)
    n = x.shape[axis] if x.ndim else 1
    if x.ndim == 0 and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
    idx = idx.reshape(-1)
    if idx.size and (idx.min() < 0 or idx.max() >= n):  # negative indices are errors here, as in PyTorch
        raise IndexError("index out of range in self")
    return IndexSelect.apply(input, axis, idx)


class MaskedFill(Function):
    """out = value where mask, x elsewhere (mask broadcast against x)"""

    saves = ()

    @staticmethod
    def forward(ctx, x, mask, value):
        xp = get_array_module(x)
        ctx.x_shape, ctx.mask = x.shape, mask
        ctx.value_dtype = value.dtype if isinstance(value, np.ndarray) else None
        return xp.where(mask, xp.asarray(value).astype(x.dtype), x)

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = unbroadcast(xp.where(ctx.mask, 0, grad), ctx.x_shape)  # dL/dx = dL/dout where not filled
        if ctx.needs_input_grad[2]:
            # dL/dvalue = Σ of dL/dout over the filled positions
            gv = xp.asarray(xp.where(ctx.mask, grad, 0).sum(), dtype=ctx.value_dtype)
        return gx, None, gv


def _fill_value(value, name):
    if isinstance(value, Tensor):
        if value._array.ndim != 0:
            raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._array.ndim} dimension(s).")
        return value
    if isinstance(value, np.ndarray):
        return value.item()
    return value


def masked_fill(input, mask, value):
    """input with ``value`` (a number or 0-d tensor) where mask is True; mask broadcasts."""
    m = _arr(mask)
    if m.dtype != np.bool_:
        name = {"uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int",
                "int64": "long int", "float32": "float", "float64": "double", "float16": "c10::Half"}
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{name.get(m.dtype.name, m.dtype.name)}")
    return MaskedFill.apply(input, m, _fill_value(value, "masked_fill_"))


def index_fill(input, dim, index, value):
    """input with ``value`` written in the slices at ``index`` along dim."""
    x = input._array
    idx = _arr(index)
    if idx.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    value = _fill_value(value, "index_fill_")
    axis = _canonical_dim(dim, x.ndim)
    n = x.shape[axis] if x.ndim else 1
    idx = idx.reshape(-1)
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)][0]
        raise IndexError(f"index {bad} is out of bounds for dimension {axis} with size {n}")
    xp = get_array_module(x)
    hit = xp.zeros(n, bool)
    hit[idx] = True  # each slice counted once, even for repeated indices (as PyTorch's value gradient)
    mask = hit.reshape((n,) + (1,) * (x.ndim - axis - 1)) if x.ndim else hit.reshape(())
    return MaskedFill.apply(input, mask, value)


class MaskedSelect(Function):
    """y = the elements of x (broadcast with mask) where mask is True, as a 1-D tensor"""

    saves = ()

    @staticmethod
    def forward(ctx, x, mask):
        xp = get_array_module(x)
        xb, mb = xp.broadcast_arrays(x, mask)
        ctx.x_shape, ctx.mask = x.shape, mb
        return xb[mb]

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy put back at the selected positions (summed over broadcast dims)
        g = get_array_module(grad).zeros(ctx.mask.shape, grad.dtype)
        g[ctx.mask] = grad
        return unbroadcast(g, ctx.x_shape), None


def masked_select(input, mask):
    m = _arr(mask)
    if m.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    return MaskedSelect.apply(input, m)


class Take(Function):
    """y = x.flatten()[index]"""

    saves = ()

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        return x.reshape(-1)[index]

    @staticmethod
    def backward(ctx, grad):
        # dL/dx_flat[i] = Σ over the positions j with index[j] = i of dL/dy[j]
        g = get_array_module(grad).zeros(int(np.prod(ctx.shape)), grad.dtype)
        _index_add(g, 0, ctx.index.reshape(-1), grad.reshape(-1))
        return g.reshape(ctx.shape), None


def take(input, index):
    """input treated as 1-D, read at ``index`` (any shape; negative counts from the end)."""
    x = input._array
    idx = _arr(index)
    if idx.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{_TORCH_NAMES.get(idx.dtype.name, idx.dtype.name)}")
    n = x.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return Take.apply(input, _wrap_negative(idx, n))


# ---------------------------------------------------------------------------------------------------
# index_add, index_copy, index_reduce, scatter_reduce, masked_scatter, put, take_along_dim
# ---------------------------------------------------------------------------------------------------
def _index_vector(index, name, kinds=("int64", "int32")):
    """The 1-D array of an ``index`` argument (a 0-d one counts as one index), with PyTorch's checks."""
    idx = _arr(index)
    if idx.dtype.name not in kinds:
        if kinds == ("int64",):
            raise RuntimeError(f"{name}(): Expected a long tensor for index, but got "
                               f"{_TORCH_NAMES.get(idx.dtype.name, idx.dtype.name)}")
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index but got: "
                           f"{_TORCH_NAMES.get(idx.dtype.name, idx.dtype.name)}")
    if idx.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
                         f"{_TORCH_NAMES.get(idx.dtype.name)} and size: {list(idx.shape)}")
    return idx.reshape(-1)


def _index_source_checks(x, axis, idx, src, name):
    """index_add/index_copy/index_reduce: source is self's shape with idx.numel() along dim, same dtype."""
    if src.dtype != x.dtype:
        raise RuntimeError(f"{name}(): self ({_TORCH_NAMES.get(x.dtype.name)}) and source "
                           f"({_TORCH_NAMES.get(src.dtype.name)}) must have the same scalar type")
    xs, ss = x.shape or (1,), src.shape or (1,)
    if len(xs) != len(ss) or any(a != b for d, (a, b) in enumerate(zip(xs, ss)) if d != axis):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(x.shape)} source.shape = {list(src.shape)}")
    if ss[axis] != idx.size:
        raise RuntimeError(f"{name}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({ss[axis]}), for dim: {axis}")


class IndexAdd(Function):
    """out = x, then out[..., index[j], ...] += alpha · source[..., j, ...] along axis (repeats add up)"""

    saves = ()

    @staticmethod
    def forward(ctx, x, source, axis, index, alpha):
        ctx.axis, ctx.index, ctx.alpha, ctx.src_shape = axis, index, alpha, source.shape
        out = _as1d(x).copy()
        _index_add(out, axis, index, _as1d(source) * alpha if alpha != 1 else _as1d(source))
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dout; dL/dsource[j] = alpha · dL/dout[index[j]]
        gs = None
        if ctx.needs_input_grad[1]:
            gs = get_array_module(grad).take(_as1d(grad), ctx.index, axis=ctx.axis).reshape(ctx.src_shape)
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return grad, gs, None, None, None


def _index_args(input, dim, index, source, name, kinds=("int64", "int32")):
    x = input._array
    axis = _canonical_dim(dim, x.ndim)
    idx = _index_vector(index, name, kinds)
    _index_source_checks(x, axis, idx, source._array, name)
    _check_bounds_named(idx, (x.shape or (1,))[axis], axis, name)
    return axis, idx.astype(np.intp, copy=False)


def _check_bounds_named(idx, n, dim, name):
    if name == "index_copy_":
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            bad = idx[(idx < 0) | (idx >= n)].flat[0]
            raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {dim} with size {n}")
    elif name == "index_reduce_":
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError("index out of range in self")
    else:
        _check_bounds(idx, n, dim)


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """A copy of input with alpha · source's slices added at ``index`` along dim (repeated indices add up)."""
    axis, idx = _index_args(input, dim, index, source, "index_add_")
    if out is not None:
        _out.check_out(out, "index_add", input, source)
        return _out.write_out(out, IndexAdd.apply(input, source, axis, idx, alpha), "index_add")
    return IndexAdd.apply(input, source, axis, idx, alpha)


class IndexCopy(Function):
    """out = x, then out[..., index[j], ...] = source[..., j, ...] along axis"""

    saves = ()

    @staticmethod
    def forward(ctx, x, source, axis, index):
        xp = get_array_module(x)
        ctx.axis, ctx.index, ctx.src_shape = axis, index, source.shape
        out = _as1d(x).copy()
        xp.moveaxis(out, axis, 0)[index] = xp.moveaxis(_as1d(source), axis, 0)
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dout except at the overwritten slices; dL/dsource[j] = dL/dout[index[j]]
        xp = get_array_module(grad)
        g = _as1d(grad)
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = g.copy()
            xp.moveaxis(gx, ctx.axis, 0)[ctx.index] = 0
            gx = gx.reshape(grad.shape)
        if ctx.needs_input_grad[1]:
            gs = xp.take(g, ctx.index, axis=ctx.axis).reshape(ctx.src_shape)
        return gx, gs, None, None


def index_copy(input, dim, index, source, *, out=None):
    """A copy of input with source's slices written at ``index`` along dim."""
    axis, idx = _index_args(input, dim, index, source, "index_copy_", kinds=("int64",))
    if out is not None:
        _out.check_out(out, "index_copy", input, source)
        return _out.write_out(out, IndexCopy.apply(input, source, axis, idx), "index_copy")
    return IndexCopy.apply(input, source, axis, idx)


_REDUCE_IDENTITY = {"sum": 0, "mean": 0, "prod": 1}


def _identity(reduce, dtype):
    """The value that leaves a reduction unchanged (what a position starts from when include_self=False)."""
    if reduce in _REDUCE_IDENTITY:
        return _REDUCE_IDENTITY[reduce]
    info = np.finfo(dtype) if _dtype.is_float_array(dtype) else (np.iinfo(dtype) if dtype.kind in "iu" else None)
    big = np.inf if _dtype.is_float_array(dtype) else (info.max if info is not None else True)
    small = -np.inf if _dtype.is_float_array(dtype) else (info.min if info is not None else False)
    return small if reduce == "amax" else big


class ReduceInto(Function):
    """out = x with the source values s[j] (j in sel) combined into the flat positions tgt[j] by ``reduce``:
    the kernel of scatter_reduce and index_reduce. include_self=False: x's own values at those positions take
    no part. sum and mean keep only counts for backward."""

    saves = ()

    @staticmethod
    def forward(ctx, x, src, tgt, sel, reduce, include_self):
        xp = get_array_module(x)
        out = x.reshape(-1).copy()
        s = src.reshape(-1)[sel]
        hit = xp.zeros(out.size, bool)
        hit[tgt] = True
        if not include_self:
            out[hit] = _identity(reduce, x.dtype)
        ufunc = {"sum": xp.add, "mean": xp.add, "prod": xp.multiply, "amax": xp.maximum, "amin": xp.minimum}
        ufunc[reduce].at(out, tgt, s)
        count = None
        if reduce == "mean":
            count = xp.maximum(xp.bincount(tgt, minlength=out.size) + (1 if include_self else 0), 1)
            out = out / count if _dtype.is_float_array(out.dtype) else out // count
            out = out.astype(x.dtype, copy=False)
        ctx.shape, ctx.src_shape, ctx.tgt, ctx.sel, ctx.hit = x.shape, src.shape, tgt, sel, hit
        ctx.reduce, ctx.include_self, ctx.count = reduce, include_self, count
        if reduce in ("prod", "amax", "amin"):
            ctx.x, ctx.s, ctx.out = x.reshape(-1), s, out
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        g = grad.reshape(-1)
        tgt, reduce = ctx.tgt, ctx.reduce
        if reduce == "sum":
            gx, gs = g, g[tgt]                         # each contributor passes dL/dout on unchanged
        elif reduce == "mean":
            gx = g / ctx.count                         # each of the count contributors gets 1/count of it
            gs = gx[tgt]
        elif reduce == "prod":
            x, s = ctx.x, ctx.s
            # d(out)/d(contributor) = the product of the other contributors (computed without dividing by 0)
            ones = xp.ones_like(x)
            src_prod = ones.copy()
            xp.multiply.at(src_prod, tgt, s)
            gx = g * src_prod                          # d(x·Πs)/dx = Πs
            keep = ctx.include_self
            nonzero = xp.where((x != 0) & keep, x, ones)
            xp.multiply.at(nonzero, tgt, xp.where(s != 0, s, 1))
            zeros = ((x == 0) & keep).astype(np.int64)
            xp.add.at(zeros, tgt, (s == 0).astype(np.int64))
            p, z = nonzero[tgt], zeros[tgt]
            others = xp.where(s != 0, xp.where(z == 0, p / xp.where(s != 0, s, 1), 0), xp.where(z == 1, p, 0))
            gs = g[tgt] * others
        else:  # amax, amin: the gradient is shared evenly by the contributors equal to the result
            self_is = (ctx.x == ctx.out).astype(grad.dtype)
            src_is = (ctx.s == ctx.out[tgt]).astype(grad.dtype)
            n = self_is.copy()
            xp.add.at(n, tgt, src_is)
            share = g / xp.where(n == 0, 1, n)
            gx, gs = self_is * share, src_is * share[tgt]
        gx_out = gs_out = None
        if ctx.needs_input_grad[0]:
            if not ctx.include_self:
                gx = xp.where(ctx.hit, 0, gx)          # x's values there took no part
            gx_out = gx.reshape(ctx.shape).astype(grad.dtype, copy=False)
        if ctx.needs_input_grad[1]:
            full = xp.zeros(int(np.prod(ctx.src_shape)), grad.dtype)
            full[ctx.sel] = gs                          # source entries outside index get 0
            gs_out = full.reshape(ctx.src_shape)
        return gx_out, gs_out, None, None, None, None


class ReduceIntoSaving(ReduceInto):
    """(ReduceInto for prod, amax, amin: their backward reads x, the source and the result)"""

    saves = (0, 1, -1)

    def name(self):
        return "ReduceIntoBackward0"


def _reduce_into(input, src, tgt, sel, reduce, include_self):
    cls = ReduceIntoSaving if reduce in ("prod", "amax", "amin") else ReduceInto
    return cls.apply(input, src, tgt.astype(np.intp, copy=False), sel, reduce, bool(include_self))


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """A copy of input with src's values combined into it at index along dim (as scatter) by reduce: 'sum',
    'prod', 'mean', 'amax' or 'amin'; include_self=False leaves input's own values out at the written
    positions. Integer 'mean' rounds down, as PyTorch."""
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    x = input._array
    idx = _index_arg(index, ("int64", "int32"), "scatter(): Expected dtype int32/int64 for index")
    axis = _canonical_dim(dim, x.ndim)
    _scatter_checks(x, idx, src._array, axis)
    xp = get_array_module(x)
    i1 = _as1d(idx)
    tgt = xp.ravel_multi_index(_along(i1, axis), x.shape or (1,)) if i1.size else xp.zeros(0, np.intp)
    sel = xp.ravel_multi_index(xp.indices(i1.shape), src._array.shape or (1,)).reshape(-1) if i1.size else tgt
    result = _reduce_into(input, src, tgt.reshape(-1), sel, reduce, include_self)
    if out is not None:
        _out.check_out(out, "scatter_reduce", input, src)
        return _out.write_out(out, result, "scatter_reduce")
    return result


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """A copy of input with source's slices combined into the slices at ``index`` along dim by reduce:
    'prod', 'mean', 'amax' or 'amin' (include_self as in scatter_reduce)."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
                           f"{reduce}.")
    axis, idx = _index_args(input, dim, index, source, "index_reduce_")
    x = input._array
    xp = get_array_module(x)
    shape = x.shape or (1,)
    s_shape = source._array.shape or (1,)
    pos = list(xp.indices(s_shape))
    pos[axis] = idx[pos[axis]]                      # source slice j goes to slice index[j]
    tgt = xp.ravel_multi_index(tuple(pos), shape).reshape(-1) if pos[0].size else xp.zeros(0, np.intp)
    result = _reduce_into(input, source, tgt, xp.arange(tgt.size), reduce, include_self)
    if out is not None:
        _out.check_out(out, "index_reduce", input, source)
        return _out.write_out(out, result, "index_reduce")
    return result


class MaskedScatter(Function):
    """out = x (broadcast with mask) with the first mask.sum() elements of source, in order, where mask is True"""

    saves = ()

    @staticmethod
    def forward(ctx, x, source, mask):
        xp = get_array_module(x)
        shape = xp.broadcast_shapes(x.shape, mask.shape)
        out = xp.broadcast_to(x, shape).copy()
        m = xp.broadcast_to(mask, shape)
        n = int(m.sum())
        out[m] = source.reshape(-1)[:n]
        ctx.x_shape, ctx.src_shape, ctx.mask, ctx.n = x.shape, source.shape, m, n
        return out

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dout where not masked; dL/dsource[k] = dL/dout at the k-th masked position (0 past n)
        xp = get_array_module(grad)
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = unbroadcast(xp.where(ctx.mask, 0, grad), ctx.x_shape)
        if ctx.needs_input_grad[1]:
            gs = xp.zeros(int(np.prod(ctx.src_shape)), grad.dtype)
            gs[:ctx.n] = grad[ctx.mask]
            gs = gs.reshape(ctx.src_shape)
        return gx, gs, None


def masked_scatter(input, mask, source):
    """input with source's elements copied, in order, into the positions where mask (broadcast) is True."""
    m = _arr(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{_TORCH_NAMES.get(m.dtype.name, m.dtype.name)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                           f"{input.dtype} and {source.dtype}")
    try:
        shape = np.broadcast_shapes(input._array.shape, m.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({m.shape[-1] if m.ndim else 1}) must match the size of tensor b "
                           f"at non-singleton dimension") from None
    if int(np.broadcast_to(m, shape).sum()) > source._array.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return MaskedScatter.apply(input, source, m)


class Put(Function):
    """out = x, then out.flatten()[index] = source (accumulate: += , repeats add up)"""

    saves = ()

    @staticmethod
    def forward(ctx, x, source, index, accumulate):
        xp = get_array_module(x)
        out = x.copy()
        flat = out.reshape(-1)
        if accumulate:
            xp.add.at(flat, index, source.reshape(-1))
        else:
            flat[index] = source.reshape(-1)
        ctx.index, ctx.accumulate, ctx.src_shape = index, accumulate, source.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dout (where not overwritten); dL/dsource[j] = dL/dout.flatten()[index[j]]
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = grad
            if not ctx.accumulate:
                gx = grad.copy()
                gx.reshape(-1)[ctx.index] = 0
        if ctx.needs_input_grad[1]:
            gs = grad.reshape(-1)[ctx.index].reshape(ctx.src_shape)
        return gx, gs, None, None


def put(input, index, source, accumulate=False):
    """A copy of input (read as 1-D) with source's values written (or added) at ``index``."""
    idx = _arr(index)
    if idx.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{_TORCH_NAMES.get(idx.dtype.name, idx.dtype.name)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{input.dtype} and source.dtype = {source.dtype}")
    if idx.size != source._array.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source._array.size}, index.numel() = {idx.size}")
    n = input._array.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return Put.apply(input, source, _wrap_negative(idx, n).reshape(-1), bool(accumulate))


class TakeAlongDim(Function):
    """y[p] = x[p with p[axis] = index[p]] for x and index broadcast against each other (but along axis)"""

    saves = ()

    @staticmethod
    def forward(ctx, x, index, axis):
        ctx.shape, ctx.index, ctx.axis = x.shape, index, axis
        return get_array_module(x).take_along_axis(x, index, axis)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx[q] = Σ over the positions that read q of dL/dy there (an index may repeat)
        xp = get_array_module(grad)
        g = xp.zeros(ctx.shape, grad.dtype)
        xp.add.at(g, _along(ctx.index, ctx.axis), grad)
        return g, None, None


def take_along_dim(input, indices, dim=None, *, out=None):
    """input's values at ``indices`` along dim (as gather, but input and indices broadcast except along dim);
    dim=None: both read as 1-D."""
    from .shape import expand, reshape
    idx = _arr(indices)
    if idx.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_TORCH_NAMES.get(idx.dtype.name, idx.dtype.name)}")
    x = input._array
    if dim is None:
        input, idx, axis = reshape(input, (-1,)), idx.reshape(-1), 0
        x = input._array
    else:
        axis = _canonical_dim(dim, x.ndim)
        if idx.ndim != x.ndim:
            raise RuntimeError("torch.take_along_dim(): input and indices should have the same number of "
                               "dimensions, but input has {} dimensions and indices has {} dimensions"
                               .format(x.ndim, idx.ndim))
        if x.ndim:
            xs = list(x.shape)
            xs[axis] = 1
            ids = list(idx.shape)
            ids[axis] = 1
            try:
                b = list(np.broadcast_shapes(tuple(xs), tuple(ids)))
            except ValueError:
                raise RuntimeError(_broadcast_shape_message(xs, ids)) from None
            bx, bi = list(b), list(b)
            bx[axis], bi[axis] = x.shape[axis], idx.shape[axis]
            if tuple(bx) != x.shape:
                input = expand(input, bx)
                x = input._array
            idx = np.broadcast_to(idx, bi)
    n = x.shape[axis] if x.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise RuntimeError(f"index {bad} is out of bounds for dimension {axis} with size {n}")
    idx = _wrap_negative(idx, n)
    if x.ndim == 0:
        result = TakeAlongDim.apply(reshape(input, (1,)), idx.reshape(1), 0)
        result = reshape(result, idx.shape)
    else:
        result = TakeAlongDim.apply(input, idx, axis)
    if out is not None:
        _out.check_out(out, "take_along_dim", input)
        return _out.write_out(out, result, "take_along_dim")
    return result


def _broadcast_shape_message(a, b):
    for i in range(1, max(len(a), len(b)) + 1):
        sa = a[-i] if i <= len(a) else 1
        sb = b[-i] if i <= len(b) else 1
        if sa != sb and sa != 1 and sb != 1:
            return (f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at non-singleton "
                    f"dimension {max(len(a), len(b)) - i}")
    return "shape mismatch"


# ---------------------------------------------------------------------------------------------------
# sort, argsort, topk
# ---------------------------------------------------------------------------------------------------
class TakeAlong(Function):
    """y = x at the given (distinct per slice) indices along axis: the values of sort and topk"""

    saves = ()

    @staticmethod
    def forward(ctx, x, index, axis):
        ctx.shape, ctx.index, ctx.axis = x.shape, index, axis
        return get_array_module(x).take_along_axis(x, index, axis)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy put back where each value came from (0 for values not selected)
        xp = get_array_module(grad)
        g = xp.zeros(ctx.shape, grad.dtype)
        xp.put_along_axis(g, ctx.index, grad, ctx.axis)
        return g, None, None


def _argsort(x, axis, descending):
    """Stable sort order; descending keeps equal elements in their original order (NaN first), as PyTorch."""
    xp = get_array_module(x)
    if not descending:
        return xp.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    # sorting the reversed array stably and reversing the result keeps ties in ascending index order
    return (n - 1) - xp.flip(xp.argsort(xp.flip(x, axis), axis=axis, kind="stable"), axis)


def _scalar_result(input, cls):
    return cls(getitem(input, Ellipsis), wrap(np.zeros((), np.int64)))


def sort(input, dim=-1, descending=False, *, stable=False):
    """(values, indices) sorted along dim; ties keep their order (a valid result for stable=False too)."""
    x = input._array
    axis = _canonical_dim(dim, x.ndim)
    if x.ndim == 0:
        return _scalar_result(input, return_types.sort)
    order = _argsort(x, axis, descending).astype(np.int64, copy=False)
    return return_types.sort(TakeAlong.apply(input, order, axis), wrap(order))


def argsort(input, dim=-1, descending=False, *, stable=False):
    x = input._array
    axis = _canonical_dim(dim, x.ndim)
    if x.ndim == 0:
        return wrap(np.zeros((), np.int64))
    return wrap(_argsort(x, axis, descending).astype(np.int64, copy=False))


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) values along dim and their indices, largest first.

    Results are always sorted (also a valid answer for sorted=False); among equal values the lower index
    comes first, which may differ from PyTorch's choice."""
    x = input._array
    axis = _canonical_dim(dim, x.ndim)
    n = x.shape[axis] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if x.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if x.ndim == 0:
        return _scalar_result(input, return_types.topk)
    xp = get_array_module(x)
    if 0 < k and 4 * k < n:
        # partition first (linear time), then sort only the k candidates (kept in index order for ties)
        part = xp.argpartition(x, n - k if largest else k - 1, axis=axis)
        cand = xp.sort(xp.take(part, xp.arange(n - k, n) if largest else xp.arange(k), axis=axis), axis=axis)
        order = xp.take_along_axis(cand, _argsort(xp.take_along_axis(x, cand, axis), axis, largest), axis)
    else:
        order = xp.take(_argsort(x, axis, largest), xp.arange(k), axis=axis)
    order = order.astype(np.int64, copy=False)
    return return_types.topk(TakeAlong.apply(input, order, axis), wrap(order))


# ---------------------------------------------------------------------------------------------------
# tril, triu
# ---------------------------------------------------------------------------------------------------
class Triangle(Function):
    """y = x where the (last two dims') mask is True, 0 elsewhere"""

    saves = ()

    @staticmethod
    def forward(ctx, x, mask):
        ctx.mask = mask
        xp = get_array_module(x)
        return xp.where(mask, x, xp.zeros((), x.dtype))

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        return xp.where(ctx.mask, grad, xp.zeros((), grad.dtype)), None  # dL/dx = dL/dy inside the triangle


def _triangle(input, diagonal, lower, name):
    x = input._array
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    xp = get_array_module(x)
    n, m = x.shape[-2:]
    mask = xp.tri(n, m, diagonal, dtype=bool)  # True on and below the diagonal
    return Triangle.apply(input, mask if lower else ~xp.tri(n, m, diagonal - 1, dtype=bool))


def tril(input, diagonal=0):
    """The lower triangle (on and below ``diagonal``) of the last two dims; the rest zero."""
    return _triangle(input, diagonal, True, "tril")


def triu(input, diagonal=0):
    """The upper triangle (on and above ``diagonal``) of the last two dims; the rest zero."""
    return _triangle(input, diagonal, False, "triu")


# ---------------------------------------------------------------------------------------------------
# nonzero, unique, one_hot (not differentiable: integer results)
# ---------------------------------------------------------------------------------------------------
def nonzero(input, *, as_tuple=False):
    """(n, ndim) int64 coordinates of the nonzero elements, or (as_tuple) one 1-D tensor per dim."""
    x = input._array
    xp = get_array_module(x)
    if as_tuple:
        return tuple(wrap(i.astype(np.int64, copy=False)) for i in xp.nonzero(x.reshape(x.shape or (1,))))
    return wrap(xp.argwhere(x).astype(np.int64, copy=False))


def argwhere(input):
    """(n, ndim) int64 coordinates of the nonzero elements (nonzero(input))."""
    return nonzero(input)


def nonzero_static(input, *, size, fill_value=-1):
    """nonzero's (n, ndim) result cut or padded with fill_value to exactly ``size`` rows."""
    size = int(size)
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, but got size: {size}")
    found = nonzero(input)._array[:size]
    xp = get_array_module(found)
    pad = xp.full((size - found.shape[0], found.shape[1]), fill_value, np.int64)
    return wrap(xp.concatenate([found, pad]))


def _triangle_indices(row, col, offset, dtype, lower):
    from .. import _dtype
    dt = _dtype.to_numpy(dtype) if dtype is not None else np.int64
    if np.dtype(dt).kind not in "iu":
        raise RuntimeError(f"\"{'tril' if lower else 'triu'}_indices\" not implemented for '{dtype}'")
    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got{row}" if row < 0 else f"col must be non-negative, got{col}")
    mask = np.tri(row, col, offset, dtype=bool) if lower else ~np.tri(row, col, offset - 1, dtype=bool)
    return wrap(np.stack(np.nonzero(mask)).astype(dt).reshape(2, -1))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) row/column indices of the lower triangle (on and below ``offset``) of a row × col matrix."""
    return _triangle_indices(row, col, offset, dtype, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) row/column indices of the upper triangle (on and above ``offset``) of a row × col matrix."""
    return _triangle_indices(row, col, offset, dtype, False)


def combinations(input, r=2, with_replacement=False):
    """The length-r combinations of a 1-D tensor's elements, one per row, in lexicographic index order
    (differentiable: each column is an index_select)."""
    import itertools
    from .shape import stack
    x = input._array
    if x.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(x.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return wrap(np.zeros((0,), x.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(pick(range(x.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return stack([index_select(input, 0, wrap(idx[:, k].copy())) for k in range(r)], 1)


def unravel_index(indices, shape):
    """The coordinates (one int64 tensor per dim of ``shape``) of flat C-order ``indices``; indices outside
    [0, numel) wrap around, as in PyTorch."""
    idx = _arr(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {_TORCH_NAMES.get(idx.dtype.name)}")
    shape = (int(shape),) if not isinstance(shape, (tuple, list)) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(shape))
    xp = get_array_module(idx)
    idx = idx.astype(np.int64)
    out, stride = [], 1
    for s in reversed(shape):
        out.append(xp.floor_divide(idx, stride) % s if s else idx * 0)
        stride *= s
    return tuple(wrap(c) for c in reversed(out))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values, sorted (PyTorch's CPU result is sorted even for sorted=False); optionally the
    inverse (where each input element went) and the counts."""
    x = input._array
    xp = get_array_module(x)
    if dim is None:
        res = xp.unique(x.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False)
        values, inverse, counts = res
        inverse = inverse.reshape(x.shape)
    else:
        axis = _canonical_dim(dim, x.ndim)
        values, inverse, counts = xp.unique(x, return_inverse=True, return_counts=True, axis=axis)
        inverse = inverse.reshape(-1)
    out = [wrap(values)]
    if return_inverse:
        out.append(wrap(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(wrap(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


def one_hot(tensor, num_classes=-1):
    """int64 tensor of shape (*tensor.shape, num_classes): 1 at each class index (num_classes=-1: max + 1)."""
    x = _arr(tensor)
    if x.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = get_array_module(x)
    if num_classes == -1:
        if x.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(x.max()) + 1
    if x.size:
        if x.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if x.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return wrap((x[..., None] == xp.arange(num_classes)).astype(np.int64))


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ['gather', 'scatter', 'scatter_add', 'index_select', 'masked_fill', 'masked_select', 'take', 'topk',
           'sort', 'argsort', 'tril', 'triu', 'nonzero', 'unique', 'index_fill', 'index_put', 'index_add',
           'index_copy', 'index_reduce', 'scatter_reduce', 'masked_scatter', 'put', 'take_along_dim', 'argwhere',
           'nonzero_static', 'tril_indices', 'triu_indices', 'combinations', 'unravel_index']

from . import out as _out  # noqa: E402
