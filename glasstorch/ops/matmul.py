"""Matrix products: matmul (and mm, bmm, mv, dot, which are its special cases), outer, einsum; the products built
on them (addmm, addmv, baddbmm, addbmm, addr: β·input + α·product; tensordot, inner, vdot, trace, kron, cross,
chain_matmul, ger) and the distances (cdist, pdist, pairwise_distance, cosine_similarity).

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
from .. import _dtype
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
            c = (_rows(a) @ b).reshape(a.shape[:-1] + b.shape[1:])
        else:
            c = get_array_module(a, b).matmul(a, b)
        return c.astype(a.dtype, copy=False)  # NumPy multiplies bfloat16 in float32: round back, as PyTorch

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


def _tensor_arg(x, name, fn, position=None):
    if not isinstance(x, Tensor):
        position = position or (1 if name in ('input', 'self') else 2)
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {type(x).__name__}")
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


def mm(input, mat2, *, out=None):
    if out is not None:
        _out.check_out(out, "mm", input, mat2)
        return _out.write_out(out, mm(input, mat2), "mm")
    a, b = _tensor_arg(input, "input", "mm"), _tensor_arg(mat2, "mat2", "mm")
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(a, b, a.shape, b.shape)
    return Mm.apply(input, mat2)


def bmm(input, mat2, *, out=None):
    if out is not None:
        _out.check_out(out, "bmm", input, mat2)
        return _out.write_out(out, bmm(input, mat2), "bmm")
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


def mv(input, vec, *, out=None):
    if out is not None:
        _out.check_out(out, "mv", input, vec)
        return _out.write_out(out, mv(input, vec), "mv")
    a, b = _tensor_arg(input, "input", "mv"), _tensor_arg(vec, "vec", "mv")
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {b.ndim}")
    _check_mv(a, b, a.shape)
    return Mv.apply(input, vec)


def dot(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "dot", input, other)
        return _out.write_out(out, dot(input, other), "dot")
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


def outer(input, vec2, *, out=None):
    if out is not None:
        _out.check_out(out, "outer", input, vec2)
        return _out.write_out(out, outer(input, vec2), "outer")
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
    C = xp.matmul(A, B).astype(a.dtype, copy=False).reshape(bs + tuple(size[c] for c in left + right))
    order = batch + left + right
    return xp.transpose(C, [order.index(c) for c in so])


def _contract(subs, out, arrays):
    """einsum of arrays with subscripts subs (letters only) to out; pairs go to one BLAS product."""
    xp = get_array_module(*arrays)
    if len(arrays) == 2:
        c = _pair(subs[0], subs[1], out, arrays[0], arrays[1], xp)
        if c is not None:
            return c
    if arrays[0].dtype.name == "bfloat16":  # NumPy's einsum has no bfloat16 kernel: float32, then round back
        wide = [x.astype(np.float32) for x in arrays]
        return xp.einsum(",".join(subs) + "->" + out, *wide, optimize=len(arrays) > 2).astype(arrays[0].dtype)
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


# ---------------------------------------------------------------------------------------------------
# addmm, addmv, baddbmm, addbmm, addr: β·input + α·(a product)
# ---------------------------------------------------------------------------------------------------
class Addmm(Function):
    """Y = β·input + α·(A @ B) for A (..., n, k) and B (..., k, p) or (k,), input broadcast to the product.

    addmm, addmv and baddbmm are this op as they are; addbmm and addr call it on reshaped operands. As with
    BLAS, β = 0 does not read input (NaN there is ignored) and α = 0 does not read the product."""

    saves = (1, 2)
    saved_for = {1: 2, 2: 1}  # each factor is read only for the other's gradient

    @staticmethod
    def forward(ctx, input, a, b, beta, alpha):
        xp = get_array_module(a, b)
        ctx.a, ctx.b, ctx.beta, ctx.alpha, ctx.shape = a, b, beta, alpha, input.shape
        y = xp.matmul(a, b)
        if alpha == 0:
            y = xp.zeros_like(y)
        elif alpha != 1:
            y = y * alpha
        if beta != 0:
            y = y + (input if beta == 1 else beta * input)
        return y.astype(a.dtype, copy=False)  # (a bool addr: the sum of bools read as a bool again)

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        a, b = ctx.a, ctx.b
        need_input, need_a, need_b = ctx.needs_input_grad[:3]
        # dL/dinput = β·dL/dY, summed over the dims input was broadcast along
        gi = unbroadcast(grad * ctx.beta, ctx.shape) if need_input else None
        G = grad * ctx.alpha  # dL/d(A @ B) = α·dL/dY
        B = b[:, None] if b.ndim == 1 else b  # a vector b is the column (k, 1)
        G = G[..., None] if b.ndim == 1 else G
        ga = xp.matmul(G, xp.swapaxes(B, -1, -2)) if need_a else None  # dL/dA = α·G·Bᵀ
        gb = xp.matmul(xp.swapaxes(a, -1, -2), G) if need_b else None  # dL/dB = α·Aᵀ·G
        if gb is not None and b.ndim == 1:
            gb = gb[:, 0]
        return gi, ga, gb, None, None


class Addmv(Addmm):
    """(Addmm of a matrix and a vector, under PyTorch's graph-node name)"""


class Baddbmm(Addmm):
    """(Addmm of two batches of matrices, under PyTorch's graph-node name)"""


def _scalars(dtype, beta, alpha):
    """β and α as PyTorch's kernels use them: truncated to integers for an integer result."""
    if dtype.kind in "iu":
        return int(beta), int(alpha)
    return beta, alpha


def _check_expand(input, target):
    """PyTorch expands input to the product's shape first: its message when that cannot be done."""
    shape = input._array.shape
    if _linear._fits(shape, target):
        return
    if len(shape) > len(target):
        raise RuntimeError(f"expand(torch.{_scalar(input._array)}Tensor{{{list(shape)}}}, size={list(target)}): the "
                           f"number of sizes provided ({len(target)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    raise RuntimeError(_linear._expand_message(shape, target))


def _check_addmm_dtypes(i, m1, m2):
    if m1.dtype != m2.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_scalar(m1)} and {_scalar(m2)}")
    if i.dtype != m2.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_scalar(i)} and {_scalar(m2)}")
    if m1.dtype == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """β·input + α·(mat1 @ mat2), input broadcast to (n, p)."""
    if out is not None:
        _out.check_out(out, "addmm", input, mat1, mat2)
        return _out.write_out(out, addmm(input, mat1, mat2, beta=beta, alpha=alpha), "addmm")
    i = _tensor_arg(input, "input", "addmm")
    m1, m2 = _tensor_arg(mat1, "mat1", "addmm", 2), _tensor_arg(mat2, "mat2", "addmm", 3)
    for name, m in (("mat1", m1), ("mat2", m2)):
        if m.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor")
    if m1.shape[1] != m2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({m1.shape[0]}x{m1.shape[1]} and "
                           f"{m2.shape[0]}x{m2.shape[1]})")
    _check_addmm_dtypes(i, m1, m2)
    _check_expand(input, (m1.shape[0], m2.shape[1]))
    return Addmm.apply(input, mat1, mat2, *_scalars(m1.dtype, beta, alpha))


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """β·input + α·(mat @ vec), input broadcast to (n,)."""
    if out is not None:
        _out.check_out(out, "addmv", input, mat, vec)
        return _out.write_out(out, addmv(input, mat, vec, beta=beta, alpha=alpha), "addmv")
    i = _tensor_arg(input, "input", "addmv")
    m, v = _tensor_arg(mat, "mat", "addmv", 2), _tensor_arg(vec, "vec", "addmv", 3)
    if m.ndim != 2 or v.ndim != 1 or i.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {i.ndim}, {m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0] or (i.ndim == 1 and i.shape[0] not in (1, m.shape[0])):
        if i.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        raise RuntimeError(f"size mismatch, got input ({i.shape[0]}), mat ({m.shape[0]}x{m.shape[1]}), "
                           f"vec ({v.shape[0]})")
    if not i.dtype == m.dtype == v.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_scalar(i)}, {_scalar(m)}, "
                           f"and {_scalar(v)}")
    if m.dtype == np.bool_:
        raise NotImplementedError("\"addmv_impl_cpu\" not implemented for 'Bool'")
    return Addmv.apply(input, mat, vec, *_scalars(m.dtype, beta, alpha))


def addmv_(input, mat, vec, *, beta=1, alpha=1):
    """addmv in place, into input (torch.addmv_)."""
    return _inplace.apply_(input, addmv, mat, vec, beta=beta, alpha=alpha)


def _check_batches(b1, b2):
    for name, b in (("batch1", b1), ("batch2", b2)):
        if b.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """β·input + α·(batch1 @ batch2) per batch element, input broadcast to (b, n, p)."""
    if out is not None:
        _out.check_out(out, "baddbmm", input, batch1, batch2)
        return _out.write_out(out, baddbmm(input, batch1, batch2, beta=beta, alpha=alpha), "baddbmm")
    i = _tensor_arg(input, "input", "baddbmm")
    b1, b2 = _tensor_arg(batch1, "batch1", "baddbmm", 2), _tensor_arg(batch2, "batch2", "baddbmm", 3)
    if b1.ndim >= 2 and b2.ndim >= 3:  # PyTorch expands input to (b, n, p) before it checks the ranks
        _check_expand(input, (b1.shape[0], b1.shape[1], b2.shape[2]))
    _check_batches(b1, b2)
    if b2.shape[:2] != (b1.shape[0], b1.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{b1.shape[0]}, "
                           f"{b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}].")
    if i.dtype != b1.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {_cpp(i)}, batch1: {_cpp(b1)}, "
                           f"batch2: {_cpp(b2)}")
    if b1.dtype != b2.dtype:
        raise RuntimeError(f"expected scalar type {_scalar(b1)} but found {_scalar(b2)}")
    if b1.dtype == np.bool_:
        raise NotImplementedError("\"baddbmm\" not implemented for 'Bool'")
    return Baddbmm.apply(input, batch1, batch2, *_scalars(b1.dtype, beta, alpha))


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """β·input + α·Σ_b batch1[b] @ batch2[b], input broadcast to (n, p).

    The sum over the batch is itself one matrix product: with A = batch1 laid out as (n, b·k) and
    B = batch2 as (b·k, p), Σ_b batch1[b] @ batch2[b] = A @ B, so this is addmm of those two views."""
    if out is not None:
        _out.check_out(out, "addbmm", input, batch1, batch2)
        return _out.write_out(out, addbmm(input, batch1, batch2, beta=beta, alpha=alpha), "addbmm")
    i = _tensor_arg(input, "input", "addbmm")
    b1, b2 = _tensor_arg(batch1, "batch1", "addbmm", 2), _tensor_arg(batch2, "batch2", "addbmm", 3)
    if b1.ndim >= 2 and b2.ndim >= 3:  # PyTorch expands input to (n, p) before it checks the ranks
        _check_expand(input, (b1.shape[1], b2.shape[2]))
    _check_batches(b1, b2)
    if b1.shape[0] != b2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {b1.shape[0]} and {b2.shape[0]}")
    if b1.shape[2] != b2.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({b1.shape[1]}x{b1.shape[2]} and "
                           f"{b2.shape[1]}x{b2.shape[2]})")
    _check_addmm_dtypes(i, b1, b2)
    n, k = b1.shape[1], b1.shape[0] * b1.shape[2]
    a = batch1.permute(1, 0, 2).reshape(n, k)  # row r of A: batch1[0][r], batch1[1][r], ... side by side
    b = batch2.reshape(k, b2.shape[2])         # batch2[0], batch2[1], ... stacked
    return Addmm.apply(input, a, b, *_scalars(b1.dtype, beta, alpha))


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """β·input + α·outer(vec1, vec2), input broadcast to (n, p); dtypes promote, as PyTorch's addr."""
    if out is not None:
        _out.check_out(out, "addr", input, vec1, vec2)
        return _out.write_out(out, addr(input, vec1, vec2, beta=beta, alpha=alpha), "addr")
    _tensor_arg(input, "input", "addr")
    v1, v2 = _tensor_arg(vec1, "vec1", "addr", 2), _tensor_arg(vec2, "vec2", "addr", 3)
    for name, v in (("vec1", v1), ("vec2", v2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    _check_expand(input, (v1.shape[0], v2.shape[0]))
    from .. import _dtype
    dt = _dtype.promote_types(_dtype.promote_types(input.dtype, vec1.dtype), vec2.dtype)
    kind = np.dtype(dt.numpy_dtype).kind
    for name, s in (("beta", beta), ("alpha", alpha)):
        if kind in "biu" and isinstance(s, float):
            raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating point number.")
        if kind != "b" and isinstance(s, bool):
            raise RuntimeError(f"Boolean {name} only supported for Boolean results.")
    input, vec1, vec2 = (x if x.dtype is dt else _ew.to_dtype(x, dt) for x in (input, vec1, vec2))
    # outer(vec1, vec2) = the column vec1 (n, 1) @ the row vec2 (1, p)
    return Addmm.apply(input, vec1.reshape(-1, 1), vec2.reshape(1, -1), beta, alpha)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value·tensor1·tensor2 (broadcast, dtypes promoted; value truncated for an integer result)."""
    if out is not None:
        _out.check_out(out, "addcmul", input, tensor1, tensor2)
        return _out.write_out(out, addcmul(input, tensor1, tensor2, value=value), "addcmul")
    _tensor_arg(input, "input", "addcmul")
    _tensor_arg(tensor1, "tensor1", "addcmul", 2)
    _tensor_arg(tensor2, "tensor2", "addcmul", 3)
    input, tensor1, tensor2, dt = _promote3(input, tensor1, tensor2)
    if dt.kind == "b":
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    prod = _ew.mul(tensor1, tensor2)
    v = int(value) if dt.kind in "iu" else value
    return _ew.add(input, prod if v == 1 else _ew.mul(prod, v))


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value·tensor1/tensor2 (broadcast, dtypes promoted); two integer tensors are refused, as PyTorch."""
    if out is not None:
        _out.check_out(out, "addcdiv", input, tensor1, tensor2)
        return _out.write_out(out, addcdiv(input, tensor1, tensor2, value=value), "addcdiv")
    _tensor_arg(input, "input", "addcdiv")
    t1, t2 = _tensor_arg(tensor1, "tensor1", "addcdiv", 2), _tensor_arg(tensor2, "tensor2", "addcdiv", 3)
    if t1.dtype.kind in "biu" and t2.dtype.kind in "biu":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
                           "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                           "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) "
                           "using Tensor.to or (input + value * tensor1 / tensor2).to(input.dtype) using "
                           "Tensor.to.")
    input, tensor1, tensor2, dt = _promote3(input, tensor1, tensor2)
    q = _ew.div(tensor1, tensor2)
    return _ew.add(input, q if value == 1 else _ew.mul(q, value))


def _promote3(a, b, c):
    """Three tensors cast to their common dtype (PyTorch's promotion); returns them and the NumPy dtype."""
    from .. import _dtype
    dt = _dtype.promote_types(_dtype.promote_types(a.dtype, b.dtype), c.dtype)
    a, b, c = (x if x.dtype is dt else _ew.to_dtype(x, dt) for x in (a, b, c))
    return a, b, c, np.dtype(dt.numpy_dtype)


# ---------------------------------------------------------------------------------------------------
# inner, tensordot, vdot, trace, kron, cross, chain_matmul, ger
# ---------------------------------------------------------------------------------------------------
def tensordot(a, b, dims=2, out=None):
    """Σ over the dims ``dims`` pairs up: an int n contracts a's last n dims with b's first n; a pair of lists
    ([dims of a], [dims of b]) names them. Computed as PyTorch does: both operands permuted and reshaped to
    matrices (free dims, contracted dims), one matrix product, reshaped to a's free dims + b's free dims."""
    if out is not None:
        _out.check_out(out, "tensordot", a, b)
        return _out.write_out(out, tensordot(a, b, dims), "tensordot")
    x, y = _tensor_arg(a, "a", "tensordot", 1), _tensor_arg(b, "b", "tensordot", 2)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (list, tuple)):
        if len(dims) != 2:
            raise RuntimeError(f"tensordot expects dims to be a pair of lists, but got {len(dims)} elements")
        for d in dims:
            if not isinstance(d, (list, tuple)):
                raise TypeError(f"tensordot(): argument 'dims_self' (position 3) must be tuple of ints, not "
                                f"{type(d).__name__}")
        dims_a, dims_b = list(dims[0]), list(dims[1])
    else:
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > x.ndim or dims > y.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if x.dtype != y.dtype:
        raise RuntimeError("both inputs should have same dtype")
    from .reduce import _wrap_dim
    ca = [_wrap_dim(d, x.ndim) for d in dims_a]
    cb = [_wrap_dim(d, y.ndim) for d in dims_b]
    for da, db, i, j in zip(dims_a, dims_b, ca, cb):
        s1, s2 = x.shape[i], y.shape[j]
        if s2 == 1 and s1 != 1:  # a size-1 dim against a larger one: sum that dim of the other operand first
            a = a.sum(i, keepdim=True)
        elif s1 == 1 and s2 != 1:
            b = b.sum(j, keepdim=True)
        elif s1 != s2:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {s1} in dim {da} and second "
                               f"has size {s2} in dim {db}")
    free_a = [d for d in range(x.ndim) if d not in ca]
    free_b = [d for d in range(y.ndim) if d not in cb]
    k = math.prod(a.shape[d] for d in ca)
    A = a.permute(*free_a, *ca).reshape(math.prod(x.shape[d] for d in free_a), k)
    B = b.permute(*cb, *free_b).reshape(k, math.prod(y.shape[d] for d in free_b))
    return mm(A, B).reshape(*[x.shape[d] for d in free_a], *[y.shape[d] for d in free_b])


def inner(input, other, *, out=None):
    """Σ over the last dims: input (..., k), other (..., k) give input's leading dims + other's leading dims
    (a 0-d operand multiplies)."""
    if out is not None:
        _out.check_out(out, "inner", input, other)
        return _out.write_out(out, inner(input, other), "inner")
    a, b = _tensor_arg(input, "input", "inner"), _tensor_arg(other, "other", "inner")
    if a.ndim == 0 or b.ndim == 0:
        return _ew.mul(input, other)
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(a.shape)} and {list(b.shape)}")
    return tensordot(input, other, ([-1], [-1]))


class Vdot(Dot):
    """(Dot under PyTorch's graph-node name: for real tensors vdot is dot; no complex numbers here)"""


def vdot(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "vdot", input, other)
        return _out.write_out(out, vdot(input, other), "vdot")
    a, b = _tensor_arg(input, "input", "vdot"), _tensor_arg(other, "other", "vdot")
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    _check_dot(a, b)
    return Vdot.apply(input, other)


class Trace(Function):
    """y = Σ_i X[i, i]  (the matrix may be rectangular)"""

    saves = ()

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        return get_array_module(x).trace(x, dtype=np.int64 if x.dtype.kind in "iu" else x.dtype)

    @staticmethod
    def backward(ctx, grad):
        # dL/dX = dL/dy · I  (1 on the diagonal, 0 elsewhere)
        xp = get_array_module(grad)
        return grad * xp.eye(*ctx.shape, dtype=grad.dtype)


def trace(input):
    x = _tensor_arg(input, "input", "trace")
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    if x.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(input)


def kron(input, other, *, out=None):
    """Kronecker product: block (i, j) of the result is input[i, j]·other (any number of dims, dtypes promoted).

    Built from a broadcast product: with the shapes padded to one length, input viewed as (a0, 1, a1, 1, ...)
    times other viewed as (1, b0, 1, b1, ...) is (a0, b0, a1, b1, ...), which reshapes to (a0·b0, a1·b1, ...)."""
    if out is not None:
        _out.check_out(out, "kron", input, other)
        return _out.write_out(out, kron(input, other), "kron")
    a, b = _tensor_arg(input, "input", "kron"), _tensor_arg(other, "other", "kron")
    n = max(a.ndim, b.ndim)
    sa, sb = (1,) * (n - a.ndim) + a.shape, (1,) * (n - b.ndim) + b.shape
    x = input.reshape(*[d for s in sa for d in (s, 1)])
    y = other.reshape(*[d for s in sb for d in (1, s)])
    return _ew.mul(x, y).reshape(*[p * q for p, q in zip(sa, sb)])


class Cross(Function):
    """C = A × B along one dim of size 3 (A, B broadcast)."""

    saves = (0, 1)
    saved_for = {0: 1, 1: 0}  # each factor is read only for the other's gradient

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.a, ctx.b, ctx.dim = a, b, dim
        return get_array_module(a, b).cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        a, b, dim = ctx.a, ctx.b, ctx.dim
        # L = g·(a × b) = a·(b × g) = b·(g × a):  dL/da = b × g,  dL/db = g × a
        ga = unbroadcast(xp.cross(b, grad, axis=dim), a.shape) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(xp.cross(grad, a, axis=dim), b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb, None


def cross(input, other, dim=None, *, out=None):
    """The cross product along dim; dim=None (deprecated in PyTorch, with a warning) takes input's first dim of
    size 3."""
    if out is not None:
        _out.check_out(out, "cross", input, other)
        return _out.write_out(out, cross(input, other, dim), "cross")
    a, b = _tensor_arg(input, "input", "cross"), _tensor_arg(other, "other", "cross")
    if dim is None:
        import warnings
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        dim = next((i for i, n in enumerate(a.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    from .reduce import _wrap_dim
    d = _wrap_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[d]} and "
                           f"{b.shape[d]}")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(_broadcast_message([a, b])) from None
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_scalar(a)} but found {_scalar(b)}")
    if a.dtype == np.bool_:
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    return Cross.apply(input, other, d)


def chain_matmul(*matrices, out=None):
    """matrices[0] @ matrices[1] @ ... (deprecated in PyTorch for torch.linalg.multi_dot, with a warning).
    Multiplied left to right (PyTorch picks the cheapest order; the values agree up to rounding)."""
    import warnings
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
                  "parameters.", UserWarning, stacklevel=2)
    if out is not None:
        _out.check_out(out, "chain_matmul", *matrices)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _out.write_out(out, chain_matmul(*matrices), "chain_matmul")
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    arrays = [_tensor_arg(m, "matrices", "chain_matmul", 1) for m in matrices]
    for a in arrays:
        if a.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {a.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return _ew.clone(matrices[0])
    for i in range(len(arrays) - 1):
        if arrays[i].shape[1] != arrays[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(arrays[i].shape)} and "
                               f"{list(arrays[i + 1].shape)} cannot be multiplied")
    result = matrices[0]
    for m in matrices[1:]:
        result = mm(result, m)
    return result


def ger(input, vec2, *, out=None):
    """outer(input, vec2) under its older name."""
    return outer(input, vec2, out=out)


# ---------------------------------------------------------------------------------------------------
# distances: cdist, pdist, pairwise_distance, cosine_similarity
# ---------------------------------------------------------------------------------------------------
def _check_p(p, fn):
    if p < 0:
        raise RuntimeError(f"{fn} only supports non-negative p values")


def _pnorm(diff, p, keepdim=False):
    """‖diff‖_p over the last dim (glasstorch.norm: its backward is the gradient of the distance)."""
    from .reduce import norm
    if diff._array.shape[-1] == 0:  # no coordinates: every distance is 0 (also for p = inf)
        return _ew.mul(diff.sum(-1, keepdim=keepdim), 0)
    return norm(diff, p, dim=-1, keepdim=keepdim)


_COMPUTE_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """d[..., i, j] = ‖x1[..., i, :] − x2[..., j, :]‖_p, batch dims broadcast.

    Deviation: compute_mode is checked but the distances are always the direct form (every difference
    formed, (…, P, R, M) of memory), never PyTorch's matrix-product shortcut for p = 2; they agree up to
    rounding, and the direct form is the more accurate."""
    a = _tensor_arg(x1, "x1", "cdist", 1)
    b = _tensor_arg(x2, "x2", "cdist", 2)
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, x in (("X1", a), ("X2", b)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}")
    for name, x in (("X1", a), ("X2", b)):
        if not _dtype.is_float_array(x.dtype):
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {_scalar(x)}")
    _check_p(p, "cdist")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_scalar(a)} but found {_scalar(b)}")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        shapes = [np.broadcast_to(0, a.shape[:-2]), np.broadcast_to(0, b.shape[:-2])]  # (no memory: stride-0 arrays)
        raise RuntimeError(_broadcast_message(shapes)) from None
    # (..., P, 1, M) − (..., 1, R, M): every pair's difference, then its p-norm
    return _pnorm(_ew.sub(x1.unsqueeze(-2), x2.unsqueeze(-3)), p)


def pdist(input, p=2):
    """‖input[i] − input[j]‖_p for every pair of rows i < j, in row order: the upper triangle of cdist."""
    x = _tensor_arg(input, "input", "pdist")
    if x.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {x.ndim}D")
    if not _dtype.is_float_array(x.dtype):
        raise RuntimeError("pdist only supports floating-point dtypes")
    _check_p(p, "pdist")
    from ..creation import tensor
    i, j = np.triu_indices(x.shape[0], 1)
    return _pnorm(_ew.sub(input[tensor(i)], input[tensor(j)]), p)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x1 − x2 + eps‖_p over the last dim (x1 and x2 broadcast)."""
    a, b = _tensor_arg(x1, "x1", "pairwise_distance", 1), _tensor_arg(x2, "x2", "pairwise_distance", 2)
    diff = _ew.add(_ew.sub(x1, x2), eps)
    if max(a.ndim, b.ndim) == 0:  # two numbers: the norm of a 1-vector, a 0-d result (keepdim or not)
        return _pnorm(diff.reshape(1), p)
    return _pnorm(diff, p, keepdim=keepdim)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Σ_dim (x1 / max(‖x1‖, eps)) · (x2 / max(‖x2‖, eps)) (x1, x2 broadcast), PyTorch 2.x's formula.

    Deviation: where a norm is below eps, PyTorch still passes the gradient of the norm itself (it clamps
    under no_grad); glasstorch's clamp passes none there."""
    from .. import _dtype
    from .reduce import norm
    _tensor_arg(x1, "x1", "cosine_similarity", 1)
    _tensor_arg(x2, "x2", "cosine_similarity", 2)
    dt = _dtype.promote_types(x1.dtype, x2.dtype)
    if not _dtype.is_float_array(np.dtype(dt.numpy_dtype)):
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_SCALAR_NAMES.get(np.dtype(dt.numpy_dtype).name)}")
    x1, x2 = (x if x.dtype is dt else _ew.to_dtype(x, dt) for x in (x1, x2))
    try:
        shape = np.broadcast_shapes(x1._array.shape, x2._array.shape)
    except ValueError:
        raise RuntimeError(_broadcast_message([x1._array, x2._array])) from None
    from .shape import expand
    x1, x2 = expand(x1, shape), expand(x2, shape)
    n1 = _ew.clamp_min(norm(x1, 2, dim=dim, keepdim=True), eps)
    n2 = _ew.clamp_min(norm(x2, 2, dim=dim, keepdim=True), eps)
    return _ew.mul(_ew.div(x1, n1), _ew.div(x2, n2)).sum(dim)


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ['matmul', 'mm', 'bmm', 'mv', 'dot', 'outer', 'einsum', 'addmm', 'addmv', 'addmv_', 'baddbmm', 'addbmm',
           'addr', 'addcmul', 'addcdiv', 'tensordot', 'inner', 'vdot', 'trace', 'kron', 'cross', 'chain_matmul',
           'ger', 'cdist', 'pdist', 'pairwise_distance', 'cosine_similarity']


from . import out as _out  # noqa: E402
from . import inplace as _inplace  # noqa: E402
from . import linear as _linear  # noqa: E402
