"""One exporter per glasstorch op class: ``fn(tracer, ctx, names, args, out) -> output name``.

``names[i]`` is the ONNX value name of positional argument i of the op's ``forward`` (None for a non-array
argument: a setting such as a stride, read from ``args[i]``); ``out`` is the forward's result array (its
shape and dtype are what the traced run produced). Each function emits one ONNX node or a small fixed pattern
through ``tracer.node(op_type, inputs, **attributes)``; ``tracer.const(value, dtype)`` makes a constant input.
Ops that map one-to-one onto an ONNX op of the same arity use ``_unary("Relu")`` / ``_binary("Add")``.
An exporter raises NotImplementedError for a case it does not cover (the tracer names the op in the error).
Registered in ``EXPORTERS`` (keyed by op class, exactly: a subclass needs its own entry) at the end.
"""
EXPORTERS = {}
import numpy as np

from ..ops import (activation, attention, conv, elementwise, embedding, index, linear, matmul, norm, pad, pool,
                   reduce, shape, softmax, views)


def _operand(tr, names, args, i, dtype):
    """The ONNX name of operand i, a Python number made a constant of the result's dtype."""
    if names[i] is None:
        return tr.const(args[i], dtype)
    if args[i].dtype != dtype:
        from onnx.helper import np_dtype_to_tensor_dtype
        return tr.node("Cast", [names[i]], to=np_dtype_to_tensor_dtype(dtype))
    return names[i]


def _binary(op_type):
    def export(tr, ctx, names, args, out):
        return tr.node(op_type, [_operand(tr, names, args, 0, out.dtype), _operand(tr, names, args, 1, out.dtype)])
    export.__name__ = f"export_{op_type.lower()}"
    return export


def _unary(op_type):
    def export(tr, ctx, names, args, out):
        return tr.node(op_type, [names[0]])
    export.__name__ = f"export_{op_type.lower()}"
    return export


def export_linear(tr, ctx, names, args, out):
    x, w, b = names[:3]
    if args[0].ndim == 2:  # y = x Wᵀ + b: Gemm with transB
        return tr.node("Gemm", [x, w] + ([b] if b is not None else []), transB=1)
    y = tr.node("MatMul", [x, tr.node("Transpose", [w], perm=[1, 0])])
    return tr.node("Add", [y, b]) if b is not None else y


def _conv(tr, op_type, names, x, w, stride, dilation, pads, **attrs):
    """Conv / ConvTranspose: glasstorch runs conv1d as 2-D with a leading unit dim (dropped here) and an
    unbatched input as a batch of one (Unsqueeze and Squeeze here)."""
    spatial = w.ndim - 2
    drop = len(stride) - spatial
    unbatched = x.ndim == spatial + 1
    xin = tr.node("Unsqueeze", [names[0], tr.const([0])]) if unbatched else names[0]
    y = tr.node(op_type, [xin, names[1]] + ([names[2]] if names[2] is not None else []),
                strides=list(stride[drop:]), dilations=list(dilation[drop:]),
                pads=[p for p, _ in pads[drop:]] + [q for _, q in pads[drop:]], **attrs)
    return tr.node("Squeeze", [y, tr.const([0])]) if unbatched else y


def export_convolution(tr, ctx, names, args, out):
    stride, pads, dilation, groups = args[3:7]
    pairs = [(pads[2 * i], pads[2 * i + 1]) for i in range(len(stride))]
    return _conv(tr, "Conv", names, args[0], args[1], stride, dilation, pairs, group=int(groups))


def export_conv_transpose(tr, ctx, names, args, out):
    stride, padding, output_padding, groups, dilation = args[3:8]
    drop = len(stride) - (args[1].ndim - 2)
    return _conv(tr, "ConvTranspose", names, args[0], args[1], stride, dilation, [(p, p) for p in padding],
                 group=int(groups), output_padding=list(output_padding[drop:]))


def export_max_pool(tr, ctx, names, args, out):
    win = args[1]
    span = [(k - 1) * d + 1 for k, d in zip(win.k, win.d)]
    ends = [(o - 1) * s + sp - n - p for o, s, sp, n, p in zip(win.out, win.s, span, win.size, win.p)]
    return tr.node("MaxPool", [names[0]], kernel_shape=list(win.k), strides=list(win.s),
                   pads=list(win.p) + [max(e, 0) for e in ends], dilations=list(win.d))


def export_adaptive_avg_pool(tr, ctx, names, args, out):
    x, size = args[0], args[1]
    spatial = x.shape[x.ndim - len(size):]
    if all(o == 1 for o in size) and x.ndim == len(size) + 2:
        return tr.node("GlobalAveragePool", [names[0]])
    if all(n % o == 0 for n, o in zip(spatial, size)) and x.ndim == len(size) + 2:
        k = [n // o for n, o in zip(spatial, size)]
        return tr.node("AveragePool", [names[0]], kernel_shape=k, strides=k)
    raise NotImplementedError("ONNX export of adaptive_avg_pool with windows that do not tile the input")


def export_batch_norm(tr, ctx, names, args, out):
    x, w, b, mean, var = names[:5]
    training, eps = args[5], args[7]
    if training or mean is None:
        raise NotImplementedError("ONNX export of batch_norm with batch statistics (training, or no running stats)")
    c = args[0].shape[1]
    w = w if w is not None else tr.const(np.ones(c), out.dtype)
    b = b if b is not None else tr.const(np.zeros(c), out.dtype)
    if args[0].ndim == 2:  # (N, C): BatchNormalization wants (N, C, ...) too, which (N, C) is
        pass
    return tr.node("BatchNormalization", [x, w, b, mean, var], epsilon=float(eps))


def _reshape_shape(x_shape, out_shape):
    """Reshape's target: leading dims unchanged from the input as 0 (copied, so a dynamic batch dim carries
    through), the rest as traced."""
    target = list(out_shape)
    for i, (a, o) in enumerate(zip(x_shape, out_shape)):
        if a != o:
            break
        target[i] = 0
    return target


def export_view(tr, ctx, names, args, out):
    return tr.node("Reshape", [names[0], tr.const(_reshape_shape(args[0].shape, out.shape))])


def export_permute(tr, ctx, names, args, out):
    return tr.node("Transpose", [names[0]], perm=[int(d) for d in args[1]])


def export_softmax(tr, ctx, names, args, out):
    return tr.node("Softmax", [names[0]], axis=int(args[1]))


def export_log_softmax(tr, ctx, names, args, out):
    return tr.node("LogSoftmax", [names[0]], axis=int(args[1]))


def export_embedding(tr, ctx, names, args, out):
    return tr.node("Gather", [names[0], names[1]], axis=0)  # y = W[idx]


def export_matmul(tr, ctx, names, args, out):
    return tr.node("MatMul", [names[0], names[1]])


def export_layer_norm(tr, ctx, names, args, out):
    k, eps = args[3], args[4]
    w = names[1] if names[1] is not None else tr.const(np.ones(out.shape[out.ndim - k:]), out.dtype)
    return tr.node("LayerNormalization", [names[0], w] + ([names[2]] if names[2] is not None else []),
                   axis=-int(k), epsilon=float(eps))


def export_group_norm(tr, ctx, names, args, out):
    """x as (N, G, rest): LayerNormalization over the last axis (no scale), back to x's shape, then γ_c, β_c."""
    x, groups, eps = args[0], int(args[3]), float(args[4])
    g = tr.node("Reshape", [names[0], tr.const([0, groups, -1])])
    one = tr.const(np.ones(1), out.dtype)
    g = tr.node("LayerNormalization", [g, one], axis=-1, epsilon=eps)
    y = tr.node("Reshape", [g, tr.node("Shape", [names[0]])])
    per_channel = tr.const([x.shape[1]] + [1] * (x.ndim - 2))
    if names[1] is not None:
        y = tr.node("Mul", [y, tr.node("Reshape", [names[1], per_channel])])
    if names[2] is not None:
        y = tr.node("Add", [y, tr.node("Reshape", [names[2], per_channel])])
    return y


def export_rms_norm(tr, ctx, names, args, out):
    """x / √(mean(x²) + ε) · γ over the last k dims"""
    k, eps = int(args[2]), float(args[3])
    axes = list(range(args[0].ndim - k, args[0].ndim))
    ms = _reduce(tr, "ReduceMean", tr.node("Mul", [names[0], names[0]]), axes, True)
    rms = tr.node("Sqrt", [tr.node("Add", [ms, tr.const(eps, out.dtype)])])
    y = tr.node("Div", [names[0], rms])
    return tr.node("Mul", [y, names[1]]) if names[1] is not None else y


def export_sdpa(tr, ctx, names, args, out):
    """softmax((q · scale) kᵀ + mask) v: Mul, Transpose, MatMul, Add, Softmax, MatMul."""
    q, k, v, mask = names[:4]
    scale, keep = args[4], args[5]
    if keep is not None:
        raise NotImplementedError("attention dropout (export in eval mode)")
    qs = tr.node("Mul", [q, tr.const(scale, out.dtype)])
    perm = list(range(args[1].ndim - 2)) + [args[1].ndim - 1, args[1].ndim - 2]
    s = tr.node("MatMul", [qs, tr.node("Transpose", [k], perm=perm)])
    if mask is not None:
        s = tr.node("Add", [s, mask])
    return tr.node("MatMul", [tr.node("Softmax", [s], axis=-1), v])


def export_attention_weights(tr, ctx, names, args, out):
    """softmax((q · scale) kᵀ + mask) (MultiheadAttention's need_weights=True)"""
    q, k, mask = names[:3]
    qs = tr.node("Mul", [q, tr.const(args[3], out.dtype)])
    perm = list(range(args[1].ndim - 2)) + [args[1].ndim - 1, args[1].ndim - 2]
    s = tr.node("MatMul", [qs, tr.node("Transpose", [k], perm=perm)])
    if mask is not None:
        s = tr.node("Add", [s, mask])
    return tr.node("Softmax", [s], axis=-1)


def export_triangle(tr, ctx, names, args, out):
    return tr.node("Where", [tr.const(args[1], np.bool_), names[0], tr.const(0, out.dtype)])


def _basic_index(tr, name, shape, key):
    """x[key] for a key of ints, slices, None and one Ellipsis: Slice, then Squeeze (ints), Unsqueeze (None)."""
    key = key if isinstance(key, tuple) else (key,)
    if Ellipsis in key:
        i = key.index(Ellipsis)
        real = sum(1 for k in key if k is not None and k is not Ellipsis)
        key = key[:i] + (slice(None),) * (len(shape) - real) + key[i + 1:]
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    dim = out_pos = 0
    for k in key:
        if k is None:
            unsqueeze.append(out_pos)
            out_pos += 1
            continue
        if isinstance(k, slice):
            if k != slice(None):
                a, b, c = k.indices(shape[dim])
                starts.append(a), ends.append(b), axes.append(dim), steps.append(c)
            out_pos += 1
        else:
            i = int(k) % shape[dim]
            starts.append(i), ends.append(i + 1), axes.append(dim), steps.append(1)
            squeeze.append(dim)
        dim += 1
    y = name
    if axes:
        y = tr.node("Slice", [y, tr.const(starts), tr.const(ends), tr.const(axes), tr.const(steps)])
    if squeeze:
        y = tr.node("Squeeze", [y, tr.const(squeeze)])
    if unsqueeze:
        y = tr.node("Unsqueeze", [y, tr.const(unsqueeze)])
    return y if y is not name else tr.node("Identity", [name])


def export_slice(tr, ctx, names, args, out):
    return _basic_index(tr, names[0], args[0].shape, args[1])


def export_getitem(tr, ctx, names, args, out):
    key, kind = args[1], args[2]
    if kind == index.BASIC:
        return _basic_index(tr, names[0], args[0].shape, key)
    parts = key if isinstance(key, tuple) else (key,)
    arrays = [i for i, k in enumerate(parts) if isinstance(k, np.ndarray)]
    if (len(arrays) == 1 and parts[arrays[0]].dtype.kind in "iu"
            and all(isinstance(k, np.ndarray) or k == slice(None) for k in parts)):
        return tr.node("Gather", [names[0], tr.const(parts[arrays[0]])], axis=arrays[0])  # x[..., idx, ...]
    raise NotImplementedError("advanced indexing other than one integer index array")


# -- activations: one node, or a short formula where opset 17 has no op --------------------------------
def export_gelu(tr, ctx, names, args, out):
    """x · ½ (1 + erf(x / √2))"""
    x, dt = names[0], out.dtype
    e = tr.node("Erf", [tr.node("Div", [x, tr.const(np.sqrt(2.0), dt)])])
    return tr.node("Mul", [tr.node("Mul", [x, tr.const(0.5, dt)]), tr.node("Add", [e, tr.const(1.0, dt)])])


def export_gelu_tanh(tr, ctx, names, args, out):
    """½ x (1 + tanh(√(2/π) (x + 0.044715 x³)))"""
    x, dt = names[0], out.dtype
    cube = tr.node("Mul", [tr.node("Mul", [x, x]), x])
    inner = tr.node("Add", [x, tr.node("Mul", [cube, tr.const(0.044715, dt)])])
    t = tr.node("Tanh", [tr.node("Mul", [inner, tr.const(np.sqrt(2.0 / np.pi), dt)])])
    return tr.node("Mul", [tr.node("Mul", [x, tr.const(0.5, dt)]), tr.node("Add", [t, tr.const(1.0, dt)])])


def export_silu(tr, ctx, names, args, out):
    return tr.node("Mul", [names[0], tr.node("Sigmoid", [names[0]])])  # x · σ(x)


def export_mish(tr, ctx, names, args, out):
    return tr.node("Mul", [names[0], tr.node("Tanh", [tr.node("Softplus", [names[0]])])])  # x · tanh(softplus(x))


def export_leaky_relu(tr, ctx, names, args, out):
    return tr.node("LeakyRelu", [names[0]], alpha=float(args[1]))


def export_elu(tr, ctx, names, args, out):
    """scale · elu(input_scale · x, alpha) (ELU, SELU, CELU)"""
    alpha, scale, input_scale = (float(a) for a in args[1:4])
    x = names[0] if input_scale == 1 else tr.node("Mul", [names[0], tr.const(input_scale, out.dtype)])
    y = tr.node("Elu", [x], alpha=alpha)
    return y if scale == 1 else tr.node("Mul", [y, tr.const(scale, out.dtype)])


def export_softplus(tr, ctx, names, args, out):
    """x where β x > threshold, else log(1 + e^(β x)) / β"""
    beta, threshold = float(args[1]), float(args[2])
    z = tr.node("Mul", [names[0], tr.const(beta, out.dtype)])
    soft = tr.node("Div", [tr.node("Softplus", [z]), tr.const(beta, out.dtype)])
    return tr.node("Where", [tr.node("Greater", [z, tr.const(threshold, out.dtype)]), names[0], soft])


def export_clip(tr, ctx, names, args, out):
    """clamp / hardtanh: Clip(x, lo, hi) (a bound given as a tensor: Max / Min)."""
    y = names[0]
    for i, op in ((1, "Max"), (2, "Min")):
        if names[i] is not None:
            y = tr.node(op, [y, _operand(tr, names, args, i, out.dtype)])
    lo = tr.const(args[1], out.dtype) if names[1] is None and args[1] is not None else ""
    hi = tr.const(args[2], out.dtype) if names[2] is None and args[2] is not None else ""
    return tr.node("Clip", [y, lo, hi]) if lo or hi else (y if y is not names[0] else tr.node("Identity", [y]))


def export_hardsigmoid(tr, ctx, names, args, out):
    return tr.node("HardSigmoid", [names[0]], alpha=1.0 / 6, beta=0.5)


def export_hardswish(tr, ctx, names, args, out):
    return tr.node("HardSwish", [names[0]])


def export_pow(tr, ctx, names, args, out):
    return tr.node("Pow", [_operand(tr, names, args, 0, out.dtype), _operand(tr, names, args, 1, out.dtype)])


def export_where(tr, ctx, names, args, out):
    cond = names[0] if args[0].dtype == np.bool_ else tr.node("Cast", [names[0]], to=9)  # 9: BOOL
    return tr.node("Where", [cond, _operand(tr, names, args, 1, out.dtype), _operand(tr, names, args, 2, out.dtype)])


def export_to_dtype(tr, ctx, names, args, out):
    from onnx.helper import np_dtype_to_tensor_dtype
    return tr.node("Cast", [names[0]], to=np_dtype_to_tensor_dtype(out.dtype))


def export_clone(tr, ctx, names, args, out):
    return tr.node("Identity", [names[0]])


def export_rsqrt(tr, ctx, names, args, out):
    return tr.node("Reciprocal", [tr.node("Sqrt", [names[0]])])  # 1 / √x


def export_square(tr, ctx, names, args, out):
    return tr.node("Mul", [names[0], names[0]])  # x · x


def export_log_base(base):
    def export(tr, ctx, names, args, out):
        return tr.node("Div", [tr.node("Log", [names[0]]), tr.const(np.log(base), out.dtype)])  # ln x / ln b
    export.__name__ = f"export_log{base}"
    return export


def export_log1p(tr, ctx, names, args, out):
    return tr.node("Log", [tr.node("Add", [names[0], tr.const(1, out.dtype)])])  # ln(1 + x)


def export_expm1(tr, ctx, names, args, out):
    return tr.node("Sub", [tr.node("Exp", [names[0]]), tr.const(1, out.dtype)])  # eˣ − 1


def export_log_sigmoid(tr, ctx, names, args, out):
    return tr.node("Neg", [tr.node("Softplus", [tr.node("Neg", [names[0]])])])  # log σ(x) = −softplus(−x)


def export_prelu(tr, ctx, names, args, out):
    x, w = args
    if x.ndim >= 2 and w.size > 1:  # one slope per channel (dim 1): shaped (C, 1, ..., 1) to broadcast
        slope = tr.node("Reshape", [names[1], tr.const([w.size] + [1] * (x.ndim - 2))])
    else:
        slope = tr.node("Reshape", [names[1], tr.const([1] * max(x.ndim, 1))])
    return tr.node("PRelu", [names[0], slope])


def export_addmm(tr, ctx, names, args, out):
    """β · input + α · (a @ b)"""
    beta, alpha = float(args[3]), float(args[4])
    y = tr.node("MatMul", [names[1], names[2]])
    if alpha != 1:
        y = tr.node("Mul", [y, tr.const(alpha, out.dtype)])
    if beta == 0:
        return y
    c = names[0] if beta == 1 else tr.node("Mul", [names[0], tr.const(beta, out.dtype)])
    return tr.node("Add", [y, c])


# -- shapes --------------------------------------------------------------------------------------------
def export_cat(tr, ctx, names, args, out):
    dim, skip = args[0], args[1]
    kept = [n for n, sk in zip(names[2:], skip) if not sk]
    return tr.node("Concat", kept, axis=int(dim))


def export_stack(tr, ctx, names, args, out):
    dim = int(args[0])
    axes = tr.const([dim])
    return tr.node("Concat", [tr.node("Unsqueeze", [n, axes]) for n in names[1:]], axis=dim)


def export_expand(tr, ctx, names, args, out):
    return tr.node("Expand", [names[0], tr.const(list(out.shape))])


def export_constant_pad(tr, ctx, names, args, out):
    """pads {dim: (before, after)} -> ONNX's pads: every dim's before, then every dim's after."""
    pads, value, nd = args[1], args[2], args[0].ndim
    before = [int(pads.get(d, (0, 0))[0]) for d in range(nd)]
    after = [int(pads.get(d, (0, 0))[1]) for d in range(nd)]
    return tr.node("Pad", [names[0], tr.const(before + after), tr.const(value, out.dtype)], mode="constant")


# -- reductions (opset 18 moved ReduceMean/ReduceMax/ReduceMin's axes from an attribute to an input) -----
def _reduce(tr, op_type, name, axes, keepdim):
    axes = [int(a) for a in axes]
    if op_type == "ReduceSum" or tr.opset >= 18:
        return tr.node(op_type, [name, tr.const(axes)], keepdims=int(bool(keepdim)))
    return tr.node(op_type, [name], axes=axes, keepdims=int(bool(keepdim)))


def export_sum(tr, ctx, names, args, out):
    y = _reduce(tr, "ReduceSum", names[0], args[1], args[2])
    return y if out.dtype == args[0].dtype else export_to_dtype(tr, ctx, [y], args, out)


def export_mean(tr, ctx, names, args, out):
    return _reduce(tr, "ReduceMean", names[0], args[1], args[2])


def export_amax(tr, ctx, names, args, out):
    return _reduce(tr, "ReduceMin" if ctx.smallest else "ReduceMax", names[0], args[1], args[2])


def export_avg_pool(tr, ctx, names, args, out):
    """the window sums (AveragePool over the zero-padded input, times the window size) / PyTorch's divisor"""
    win, divisor = args[1], args[2]
    span = [(k - 1) * d + 1 for k, d in zip(win.k, win.d)]
    ends = [max((o - 1) * s + sp - n - p, 0) for o, s, sp, n, p in zip(win.out, win.s, span, win.size, win.p)]
    avg = tr.node("AveragePool", [names[0]], kernel_shape=list(win.k), strides=list(win.s),
                  pads=list(win.p) + ends, count_include_pad=1)
    total = tr.node("Mul", [avg, tr.const(float(np.prod(win.k)), out.dtype)])
    return tr.node("Div", [total, tr.const(divisor, out.dtype)])


EXPORTERS.update({
    elementwise.Add: _binary("Add"),
    elementwise.Sub: _binary("Sub"),
    elementwise.Mul: _binary("Mul"),
    elementwise.Div: _binary("Div"),
    elementwise.Relu: _unary("Relu"),
    elementwise.Tanh: _unary("Tanh"),
    elementwise.Sigmoid: _unary("Sigmoid"),
    elementwise.Exp: _unary("Exp"),
    elementwise.Neg: _unary("Neg"),
    linear.Linear: export_linear,
    conv.Convolution: export_convolution,
    conv.ConvTranspose: export_conv_transpose,
    attention.AttentionWeights: export_attention_weights,
    pool.MaxPool2d: export_max_pool,
    pool.AdaptiveAvgPool: export_adaptive_avg_pool,
    norm.BatchNorm: export_batch_norm,
    shape.View: export_view,
    shape.Permute: export_permute,
    softmax.Softmax: export_softmax,
    softmax.LogSoftmax: export_log_softmax,
    embedding.Embedding: export_embedding,
    matmul.MatMul: export_matmul,
    norm.LayerNorm: export_layer_norm,
    norm.GroupNorm: export_group_norm,
    norm.RMSNorm: export_rms_norm,
    attention.ScaledDotProductAttention: export_sdpa,
    index.Triangle: export_triangle,
    index.GetItem: export_getitem,
    shape.Slice: export_slice,
    shape.Split: export_slice,
    shape.Unbind: export_slice,
    views.Select: export_slice,
    shape.Squeeze: export_view,
    shape.Unsqueeze: export_view,
    shape.Transpose: export_permute,
    shape.T: export_permute,
    shape.Cat: export_cat,
    shape.Stack: export_stack,
    shape.Expand: export_expand,
    pad.ConstantPad: export_constant_pad,
    matmul.Mm: export_matmul,
    matmul.Bmm: export_matmul,
    matmul.Mv: export_matmul,
    matmul.Dot: export_matmul,
    activation.Gelu: export_gelu,
    activation.GeluTanh: export_gelu_tanh,
    activation.Silu: export_silu,
    activation.Mish: export_mish,
    activation.LeakyRelu: export_leaky_relu,
    activation.Elu: export_elu,
    activation.Softplus: export_softplus,
    activation.Hardtanh: export_clip,
    activation.Hardsigmoid: export_hardsigmoid,
    activation.Hardswish: export_hardswish,
    elementwise.Clamp: export_clip,
    elementwise.Abs: _unary("Abs"),
    elementwise.Sqrt: _unary("Sqrt"),
    elementwise.Log: _unary("Log"),
    elementwise.Sin: _unary("Sin"),
    elementwise.Cos: _unary("Cos"),
    elementwise.Erf: _unary("Erf"),
    elementwise.Reciprocal: _unary("Reciprocal"),
    elementwise.Pow: export_pow,
    elementwise.Rsqrt: export_rsqrt,
    elementwise.Square: export_square,
    elementwise.Tan: _unary("Tan"),
    elementwise.Log2: export_log_base(2),
    elementwise.Log10: export_log_base(10),
    elementwise.Log1p: export_log1p,
    elementwise.Expm1: export_expm1,
    activation.Softsign: _unary("Softsign"),
    activation.LogSigmoid: export_log_sigmoid,
    activation.Prelu: export_prelu,
    matmul.Addmm: export_addmm,
    elementwise.Maximum: _binary("Max"),
    elementwise.Minimum: _binary("Min"),
    elementwise.Where: export_where,
    elementwise.ToDtype: export_to_dtype,
    elementwise.Clone: export_clone,
    reduce.Sum: export_sum,
    reduce.Mean: export_mean,
    reduce.Amax: export_amax,
    reduce.Amin: export_amax,
    pool.AvgPool2d: export_avg_pool,
})
