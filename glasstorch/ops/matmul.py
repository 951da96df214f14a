"""Matrix products: matmul (and mm, bmm, mv, dot, which are its special cases), outer, einsum.

One Function, MatMul, does every rank combination of ``torch.matmul``: a 1-D first operand is a row
(1, k), a 1-D second operand a column (k, 1), and the dims before the last two are batch dims that
broadcast. Its backward is the matrix rule

    C = A · B   ⇒   dL/dA = dL/dC · Bᵀ,   dL/dB = Aᵀ · dL/dC

summed over the batch dims an operand was broadcast along. Speed: every product goes to BLAS through
NumPy (float dtypes); a batched operand times a plain matrix ((B, T, D) @ (D, E), the linear layer) is folded into one
(B·T, D) @ (D, E) product, forward and backward, instead of B small ones.

As in PyTorch, matmul/mm/bmm/mv/dot/einsum do not promote dtypes (both operands must have one dtype) and
the argument checks below reproduce PyTorch's messages, which name the kernel matmul dispatches to.
"""
import math

import numpy as np

from ..autograd.function import Function, _broadcast_message, unbroadcast
from ..backend import get_array_module
from ..tensor import Tensor
from . import elementwise as _ew

# PyTorch's names for dtypes in its messages: C++ type names (mm) and ScalarType names (the others)
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                 "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _cpp(a):
    return _CPP_NAMES.get(a.dtype.name, a.dtype.name)


def _scalar(a):
    return _SCALAR_NAMES.get(a.dtype.name, a.dtype.name)


def _rows(x):
    """x (..., k) as a matrix (rows, k): the batch dims folded into the rows (a view when possible)."""
    return x.reshape(math.prod(x.shape[:-1]), x.shape[-1])


# ---------------------------------------------------------------------------------------------------
# matmul
# ---------------------------------------------------------------------------------------------------
class MatMul(Function):
    """C = A @ B with torch.matmul's rules (1-D operands, broadcast batch dims)."""

    saves = (0, 1)
    saved_for = {0: 1, 1: 0}  # each factor is read only for the other's gradient

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        if a.ndim >= 3 and b.ndim <= 2:
            # (..., n, k) @ (k, p): one (rows, k) @ (k, p) product instead of one per batch element
            return (_rows(a) @ b).reshape(a.shape[:-1] + b.shape[1:])
        return get_array_module(a, b).matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.a, ctx.b
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            # c = a · b:  dL/da = dL/dc · b,  dL/db = dL/dc · a
            return (grad * b if need_a else None), (grad * a if need_b else None)
        xp = get_array_module(grad)
        # as matrices: a (k,) is the row (1, k), b (k,) the column (k, 1); dL/dC gets those dims back
        A = a[None] if a.ndim == 1 else a
        B = b[:, None] if b.ndim == 1 else b
        G = grad[..., None] if b.ndim == 1 else grad
        G = G[..., None, :] if a.ndim == 1 else G
        ga = gb = None
        if need_a:
            # dL/dA = dL/dC · Bᵀ
            if B.ndim == 2:
                ga = (_rows(G) @ B.T).reshape(G.shape[:-1] + B.shape[:1])  # batch folded into rows
            elif A.ndim == 2:
                # A was used by every batch element: Σ_batch G_i · B_iᵀ, as one product over (batch, p)
                batch = list(range(G.ndim - 2))
                ga = xp.tensordot(G, B, axes=(batch + [G.ndim - 1], batch + [B.ndim - 1]))
            else:
                ga = unbroadcast(xp.matmul(G, xp.swapaxes(B, -1, -2)), A.shape)
            ga = ga[0] if a.ndim == 1 else ga
        if need_b:
            # dL/dB = Aᵀ · dL/dC
            if A.ndim == 2:
                gb = xp.matmul(A.T, G)
            elif B.ndim == 2:
                gb = _rows(A).T @ _rows(G)  # Σ_batch A_iᵀ G_i as one (k, batch·n) @ (batch·n, p) product
            else:
                gb = unbroadcast(xp.matmul(xp.swapaxes(A, -1, -2), G), B.shape)
            gb = gb[:, 0] if b.ndim == 1 else gb
        return ga, gb


class Mm(MatMul):
    """(MatMul on two matrices, under PyTorch's graph-node name)"""


class Bmm(MatMul):
    """(MatMul on two batches of matrices, under PyTorch's graph-node name)"""


class Mv(MatMul):
    """(MatMul of a matrix and a vector, under PyTorch's graph-node name)"""


class Dot(MatMul):
    """(MatMul of two vectors, under PyTorch's graph-node name)"""


def _tensor_arg(x, name, fn):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {1 if name in ('input', 'self') else 2}) must be "
                        f"Tensor, not {type(x).__name__}")
    return x._array


def _check_mm(m1, m2, shape1, shape2):
    """PyTorch's checks of the mm kernel on (n, k) @ (k', p): shapes, then dtypes, then bool."""
    if shape1[1] != shape2[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({shape1[0]}x{shape1[1]} and "
                           f"{shape2[0]}x{shape2[1]})")
    if m1.dtype != m2.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cpp(m1)} != {_cpp(m2)}")
    if m1.dtype == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _check_mv(mat, vec, shape):
    """PyTorch's checks of the mv kernel on a (n, k) matrix and a (k',) vector."""
    if shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({shape[0]}), mat ({shape[0]}x{shape[1]}), "
                           f"vec ({vec.shape[0]})")
    if mat.dtype != vec.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_scalar(vec)}, {_scalar(mat)}, "
                           f"and {_scalar(vec)}")
    if mat.dtype == np.bool_:
        raise NotImplementedError("\"addmv_impl_cpu\" not implemented for 'Bool'")


def _check_bmm(b1, b2, batch, k1, k2):
    """PyTorch's checks of the bmm kernel on (batch, n, k1) @ (batch, k2, p)."""
    if k1 != k2:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {k1}] but got: "
                           f"[{batch}, {k2}].")
    if b1.dtype != b2.dtype:
        raise RuntimeError(f"expected scalar type {_scalar(b1)} but found {_scalar(b2)}")
    if b1.dtype == np.bool_:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")


def _check_dot(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_scalar(a)} and {_scalar(b)}")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have "
                           f"the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively")
    if a.dtype == np.bool_:
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")


def _folds(input, other):
    """Whether torch.matmul folds the batch dims into an mm/mv (only decides which message an error gets)."""
    a, b = input._array, other._array
    larger_a = a.ndim >= b.ndim
    t1 = a if larger_a else np.swapaxes(b, -1, -2)
    if not (t1.ndim >= 3 and (b.ndim if larger_a else a.ndim) <= 2):
        return False
    if (other if larger_a else input).requires_grad:
        return True
    if a.ndim == 2:
        return False
    if t1.size == 0:
        return True
    st, sh = t1.strides, t1.shape
    return all(st[i] == st[i + 1] * sh[i + 1] for i in range(t1.ndim - 2))


def _check_matmul(input, other):
    """torch.matmul's argument checks, with the message of the kernel it would call."""
    a, b = input._array, other._array
    da, db = a.ndim, b.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        _check_dot(a, b)
    elif da == 2 and db == 1:
        _check_mv(a, b, a.shape)
    elif da == 1 and db == 2:
        _check_mm(a, b, (1, a.shape[0]), b.shape)
    elif da == 2 and db == 2:
        _check_mm(a, b, a.shape, b.shape)
    elif _folds(input, other):
        if da >= db:  # (..., n, k) folded to (rows, k)
            rows = (math.prod(a.shape[:-1]), a.shape[-1])
            _check_mm(a, b, rows, b.shape) if db == 2 else _check_mv(a, b, rows)
        else:  # computed transposed: Bᵀ folded to (rows, k) times Aᵀ
            rows = (math.prod(b.shape[:-2]) * b.shape[-1], b.shape[-2])
            _check_mm(b, a, rows, a.shape[::-1]) if da == 2 else _check_mv(b, a, rows)
    else:
        batch_a, batch_b = a.shape[:-2], b.shape[:-2]
        try:
            batch = np.broadcast_shapes(batch_a, batch_b)
        except ValueError:
            shapes = [np.broadcast_to(0, batch_a), np.broadcast_to(0, batch_b)]  # (no memory: stride-0 arrays)
            raise RuntimeError(_broadcast_message(shapes)) from None
        # a vector operand is a (1, k) row or a (k, 1) column of the batched product
        _check_bmm(a, b, math.prod(batch), a.shape[-1], b.shape[-2] if db > 1 else b.shape[0])


def matmul(input, other, *, out=None):
    if out is not None:  # computed without a graph, then written into out (ops/out.py)
        _out.check_out(out, "matmul", input, other)
        return _out.write_out(out, matmul(input, other), "matmul")
    _tensor_arg(input, "input", "matmul")
    _tensor_arg(other, "other", "matmul")
    _check_matmul(input, other)
    ranks = (input._array.ndim, other._array.ndim)
    cls = {(2, 2): Mm, (2, 1): Mv, (1, 1): Dot}.get(ranks, MatMul)
    return cls.apply(input, other)


def mm(input, mat2):
    a, b = _tensor_arg(input, "input", "mm"), _tensor_arg(mat2, "mat2", "mm")
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(a, b, a.shape, b.shape)
    return Mm.apply(input, mat2)


def bmm(input, mat2):
    a, b = _tensor_arg(input, "input", "bmm"), _tensor_arg(mat2, "mat2", "bmm")
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    _check_bmm(a, b, a.shape[0], a.shape[2], b.shape[1])
    return Bmm.apply(input, mat2)


def mv(input, vec):
    a, b = _tensor_arg(input, "input", "mv"), _tensor_arg(vec, "vec", "mv")
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {b.ndim}")
    _check_mv(a, b, a.shape)
    return Mv.apply(input, vec)


def dot(input, other):
    a, b = _tensor_arg(input, "input", "dot"), _tensor_arg(other, "tensor", "dot")
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    _check_dot(a, b)
    return Dot.apply(input, other)


class Outer(Function):
    """C[i, j] = a[i] · b[j]"""

    saves = (0, 1)
    saved_for = {0: 1, 1: 0}  # each factor is read only for the other's gradient

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return a[:, None] * b[None, :]

    @staticmethod
    def backward(ctx, grad):
        # dL/da = dL/dC · b,  dL/db = dL/dCᵀ · a
        ga = grad @ ctx.b if ctx.needs_input_grad[0] else None
        gb = ctx.a @ grad if ctx.needs_input_grad[1] else None
        return ga, gb


def outer(input, vec2):
    a, b = _tensor_arg(input, "input", "outer"), _tensor_arg(vec2, "vec2", "outer")
    if a.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {a.ndim}-D")
    if b.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {b.ndim}-D")
    x, y, _ = _ew._promote(input, vec2)
    return Outer.apply(x, y)


# ---------------------------------------------------------------------------------------------------
# einsum
# ---------------------------------------------------------------------------------------------------
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # sublist index i is _LETTERS[i], as PyTorch


def _pair(sa, sb, so, a, b, xp):
    """a (subscripts sa) and b (sb) contracted to so as one batched matrix product, or None if the
    subscripts are not of that form (a repeated subscript, a size-1 dim broadcast against a larger one)."""
    if len(set(sa)) < len(sa) or len(set(sb)) < len(sb):
        return None
    size = {}
    for s, x in ((sa, a), (sb, b)):
        for letter, n in zip(s, x.shape):
            if size.setdefault(letter, n) != n:
                return None
    # subscripts in one operand only and not in the output are summed first
    own_a = tuple(i for i, c in enumerate(sa) if c not in sb and c not in so)
    if own_a:
        a, sa = a.sum(axis=own_a), "".join(c for i, c in enumerate(sa) if i not in own_a)
    own_b = tuple(i for i, c in enumerate(sb) if c not in sa and c not in so)
    if own_b:
        b, sb = b.sum(axis=own_b), "".join(c for i, c in enumerate(sb) if i not in own_b)
    batch = [c for c in so if c in sa and c in sb]
    left = [c for c in so if c in sa and c not in sb]
    right = [c for c in so if c in sb and c not in sa]
    summed = [c for c in sa if c in sb and c not in so]
    bs = tuple(size[c] for c in batch)
    nl, nr, ns = (math.prod(size[c] for c in cs) for cs in (left, right, summed))
    # A: (batch, left, summed) and B: (batch, summed, right) as matrices; C = A @ B
    A = xp.transpose(a, [sa.index(c) for c in batch + left + summed]).reshape(bs + (nl, ns))
    B = xp.transpose(b, [sb.index(c) for c in batch + summed + right]).reshape(bs + (ns, nr))
    C = xp.matmul(A, B).reshape(bs + tuple(size[c] for c in left + right))
    order = batch + left + right
    return xp.transpose(C, [order.index(c) for c in so])


def _contract(subs, out, arrays):
    """einsum of arrays with subscripts subs (letters only) to out; pairs go to one BLAS product."""
    xp = get_array_module(*arrays)
    if len(arrays) == 2:
        c = _pair(subs[0], subs[1], out, arrays[0], arrays[1], xp)
        if c is not None:
            return c
    return xp.einsum(",".join(subs) + "->" + out, *arrays, optimize=len(arrays) > 2)


class Einsum(Function):
    """Y = einsum(subs -> out, X_0, X_1, ...) with every subscript a letter (ellipses written out).

    NumPy's einsum returns a view of its operand when it only reorders dims ('ij->ji'), as PyTorch's does:
    then the result is a view of it (``is_view``); otherwise a new array."""

    is_view = True

    @staticmethod
    def forward(ctx, subs, out, *xs):
        ctx.subs, ctx.out, ctx.xs = subs, out, xs
        return _contract(subs, out, xs)

    @staticmethod
    def backward(ctx, grad):
        # Y is linear in each operand: dL/dX_k = einsum(dL/dY, the other operands -> X_k's subscripts)
        xp = get_array_module(grad)
        grads = [None, None]
        for k, (s, x) in enumerate(zip(ctx.subs, ctx.xs)):
            if not ctx.needs_input_grad[k + 2]:
                grads.append(None)
                continue
            subs = [ctx.out] + [t for j, t in enumerate(ctx.subs) if j != k]
            arrays = [grad] + [y for j, y in enumerate(ctx.xs) if j != k]
            letters = "".join(dict.fromkeys(s))  # X_k's subscripts, each once
            known = "".join(c for c in letters if any(c in t for t in subs))
            g = _contract(subs, known, arrays)
            # a subscript of X_k alone was summed away in Y: each of its elements gets the same gradient
            sizes = [x.shape[s.index(c)] for c in letters]
            g = g.reshape([g.shape[known.index(c)] if c in known else 1 for c in letters])
            # and a dim X_k had of size 1 was broadcast: sum the gradient over it
            ones = tuple(i for i, n in enumerate(sizes) if n == 1 and g.shape[i] != 1)
            if ones:
                g = g.sum(axis=ones, keepdims=True)
            g = xp.broadcast_to(g, sizes)
            if len(letters) < len(s):
                # a repeated subscript (a diagonal, 'ii'): the gradient lies on that diagonal, 0 elsewhere
                full = xp.zeros(x.shape, g.dtype)
                xp.einsum(s + "->" + letters, full)[...] = g  # einsum's diagonal is a writeable view
                g = full
            grads.append(g)
        return tuple(grads)


def _labels(text, start, where):
    """Subscripts of one term: letters, and '...' once as the token Ellipsis."""
    labels, i = [], 0
    while i < len(text):
        c = text[i]
        if c == ".":
            if Ellipsis in labels:
                raise RuntimeError(f"einsum(): found '.' for {where} for which an ellipsis was already found"
                                   if where != "output" else
                                   "einsum(): found '.' for output but an ellipsis (...) was already found")
            if text[i:i + 3] != "...":
                raise RuntimeError(f"einsum(): found '.' for {where} that is not part of any ellipsis")
            labels.append(Ellipsis)
            i += 3
            continue
        if c in _LETTERS:
            labels.append(c)
        elif c != " ":
            raise RuntimeError(f"einsum(): invalid subscript given at index {start + i} in the equation string, "
                               f"subscripts must be in [a-zA-Z]")
        i += 1
    return labels


def _parse(equation, arrays):
    """The equation with each '...' written out as letters: (subscripts per operand, output subscripts)."""
    lhs, arrow, rhs = equation.partition("->")
    texts = lhs.split(",")
    if len(texts) > len(arrays):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(texts) < len(arrays):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    terms, start = [], 0
    for k, text in enumerate(texts):
        terms.append(_labels(text, start, f"operand {k}"))
        start += len(text) + 1
    out = _labels(rhs, len(lhs) + 2, "output") if arrow else None
    # how many dims each ellipsis covers
    n_ell = []
    for k, (labels, a) in enumerate(zip(terms, arrays)):
        n = len(labels) - (Ellipsis in labels)
        if Ellipsis in labels:
            if n > a.ndim:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) is more than the number "
                                   f"of dimensions ({a.ndim}) for operand {k}")
        elif n != a.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) does not match the number "
                               f"of dimensions ({a.ndim}) for operand {k} and no ellipsis was given")
        n_ell.append(a.ndim - n if Ellipsis in labels else 0)
    used = set(equation)
    spare = [c for c in _LETTERS if c not in used]
    E = max(n_ell)
    if E > len(spare):
        raise RuntimeError("einsum(): too many dimensions for the subscripts left to name them")
    ell = "".join(spare[:E])  # the ellipsis dims, right-aligned across operands as in broadcasting
    subs = ["".join(ell[E - m:] if c is Ellipsis else c for c in labels) for labels, m in zip(terms, n_ell)]
    # sizes: a repeated subscript needs equal sizes; across operands sizes broadcast
    size = {}
    for k, (s, a) in enumerate(zip(subs, arrays)):
        mine = {}
        for c, n in zip(s, a.shape):
            if mine.setdefault(c, n) != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't match, "
                                   f"{n} != {mine[c]}")
        for c, n in mine.items():
            seen = size.setdefault(c, n)
            if seen != n and seen != 1 and n != 1:
                if c in ell:
                    raise RuntimeError(f"einsum(): dimension {ell.index(c)} covered by ellipsis in operand {k}has size "
                                       f"{n} which does not broadcast with previously seen ellipsis with size {seen} "
                                       f"for the respective dimension")
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which does not broadcast "
                                   f"with previously seen size {seen}")
            size[c] = max(seen, n) if n != seen else n
    if out is None:  # implicit output: the ellipsis dims, then the subscripts seen once, in alphabetical order
        counts = {}
        for labels in terms:
            for c in labels:
                if c is not Ellipsis:
                    counts[c] = counts.get(c, 0) + 1
        out_sub = ell + "".join(sorted((c for c, n in counts.items() if n == 1), key=_LETTERS.index))
    else:
        for c in out:
            if c is not Ellipsis and c not in size:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   f"operand")
            if c is not Ellipsis and out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
        out_sub = "".join(ell if c is Ellipsis else c for c in out)
    return subs, out_sub


def _einsum_dtypes(subs, out, operands):
    """PyTorch contracts left to right: a product that sums a subscript shared by both sides needs one dtype
    (an error otherwise); a product that sums nothing promotes. Returns the result dtype."""
    from .. import _dtype
    dt, have = operands[0].dtype, set(subs[0])
    for k in range(1, len(subs)):
        later = set(out).union(*subs[k + 1:])
        other = operands[k].dtype
        if other is not dt:
            if (have & set(subs[k])) - later:
                names = [_SCALAR_NAMES.get(np.dtype(d.numpy_dtype).name) for d in (dt, other)]
                raise RuntimeError(f"expected scalar type {names[0]} but found {names[1]}")
            dt = _dtype.promote_types(dt, other)
        have = (have | set(subs[k])) & later
    return dt


def _from_sublists(args):
    """einsum(op0, [0, 1], op1, [1, 2], [0, 2]): the sublist format as an equation string."""
    def term(sub):
        return "".join("..." if i is Ellipsis else _LETTERS[i] for i in sub)
    operands, sublists = args[0::2], args[1::2]
    out = args[-1] if len(args) % 2 else None
    if out is not None:
        operands = operands[:-1]
    equation = ",".join(term(s) for s in sublists)
    return (equation + "->" + term(out) if out is not None else equation), operands


def einsum(equation, *operands):
    """Einstein summation: ``einsum('ij,jk->ik', a, b)``; operands may also be given as one list, or in the
    sublist format ``einsum(a, [0, 1], b, [1, 2], [0, 2])``."""
    if not isinstance(equation, str):
        equation, operands = _from_sublists((equation,) + operands)
    elif len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    arrays = [_tensor_arg(x, "operands", "einsum") for x in operands]
    if not arrays:
        raise RuntimeError("einsum(): must provide at least one operand")
    subs, out = _parse(equation, arrays)
    dt = _einsum_dtypes(subs, out, operands)
    operands = [x if x.dtype is dt else _ew.to_dtype(x, dt) for x in operands]
    return Einsum.apply(tuple(subs), out, *operands)


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ['matmul', 'mm', 'bmm', 'mv', 'dot', 'outer', 'einsum']


from . import out as _out  # noqa: E402
