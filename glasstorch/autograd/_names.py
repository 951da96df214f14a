"""PyTorch's names for graph nodes, and which inputs its nodes list in ``next_functions``.

A node's name is its op class's name + "Backward0" (``Mul`` -> ``MulBackward0``), which is PyTorch's name for
most ops. This table holds the exceptions, keyed by the op class ("module.Class"):

* ``NAMES``: a class whose PyTorch node has another name (``MaxPool2d`` -> ``MaxPool2DWithIndicesBackward0``),
  or a function of the node where PyTorch's name depends on the call (``x.sum()`` is ``SumBackward0``,
  ``x.sum(1)`` is ``SumBackward1``: two overloads of ``sum`` in PyTorch, one class here).
* ``INPUTS``: the forward-argument positions PyTorch lists in ``next_functions``. A glasstorch forward also
  takes plain settings (dims, flags); PyTorch's node lists only its tensor inputs, in order. A class not in
  the table lists every argument, which is right for the ops whose arguments are all tensors (x * y, exp).

Call-dependent names are worked out from what the forward kept on the node; before that is freed (after
backward) the name is stored on the node (``Function._release``), so it stays the same for the node's life.
"""
import numpy as np


def _reduce_name(base):
    """``sum()`` (all elements) is overload 0, ``sum(dim)`` overload 1. The op keeps the reduced dims only, so
    a reduction over every dim without keepdim is named overload 0 (PyTorch: 1 for ``x.sum(dim=(0, 1))``)."""
    def name(node):
        every = len(node.axes) == len(node.shape) and not node.keepdim
        return base + ("Backward0" if every else "Backward1")
    return name


def _prod_name(node):
    return "ProdBackward0" if node.axis is None else "ProdBackward1"


def _pow_name(node):
    # pow(Tensor, Scalar) is overload 0, pow(Tensor, Tensor) 1, pow(Scalar, Tensor) 2
    if not isinstance(node.p, np.ndarray):
        return "PowBackward0"
    if not isinstance(node.x, np.ndarray):
        return "PowBackward2"
    return "PowBackward1"


def _pow_inputs(node):
    if not isinstance(node.p, np.ndarray):
        return (0,)
    if not isinstance(node.x, np.ndarray):
        return (1,)
    return (0, 1)


def _clamp_name(node):
    # clamp(Tensor, Scalar?, Scalar?) is ClampBackward1; clamp with tensor bounds ClampBackward0
    return "ClampBackward0" if _clamp_tensor_bounds(node) else "ClampBackward1"


def _clamp_tensor_bounds(node):
    return isinstance(node.lo, np.ndarray) and node.lo.ndim > 0 or isinstance(node.hi, np.ndarray) and node.hi.ndim > 0


def _clamp_inputs(node):
    return (0, 1, 2) if _clamp_tensor_bounds(node) else (0,)


def _getitem_name(node):
    """PyTorch applies a basic key one element at a time (int: select, slice: slice, None: unsqueeze); the
    node of the last one is the result's. A key with index tensors or lists is one ``index`` op."""
    if node.kind != 0:  # not a basic key (ops/index.py: BASIC == 0)
        return "IndexBackward0"
    key = node.key if isinstance(node.key, tuple) else (node.key,)
    for k in reversed(key):
        if k is None:
            return "UnsqueezeBackward0"
        if isinstance(k, slice):
            return "SliceBackward0"
        if k is not Ellipsis:
            return "SelectBackward0"
    return "AliasBackward0"


def _from(start):
    def inputs(node):
        return tuple(range(start, len(node._next)))
    return inputs


FIRST = (0,)

NAMES = {
    "reduce.Sum": _reduce_name("Sum"),
    "reduce.Mean": _reduce_name("Mean"),
    "reduce.Prod": _prod_name,
    "reduce.MaxAll": "MaxBackward1",
    "reduce.MinAll": "MinBackward1",
    "reduce.Norm": "LinalgVectorNormBackward0",
    "elementwise.Pow": _pow_name,
    "elementwise.Clamp": _clamp_name,
    "elementwise.ToDtype": "ToCopyBackward0",
    "index.GetItem": _getitem_name,
    "pool.MaxPool2d": "MaxPool2DWithIndicesBackward0",
    "pool.AvgPool2d": "AvgPool2DBackward0",
    "norm.LayerNorm": "NativeLayerNormBackward0",
    "norm.BatchNorm": "NativeBatchNormBackward0",
    "loss.NLLLoss": "NllLossBackward0",
    "dropout.Dropout": "MulBackward0",
    "recurrent.LSTMLayer": "MkldnnRnnLayerBackward0",   # the whole-sequence LSTM layer (kernels on)
    "Checkpoint": "CheckpointFunctionBackward",  # utils/checkpoint.py  # PyTorch's CPU dropout multiplies by a scaled mask
}

INPUTS = {
    "reduce.Sum": FIRST, "reduce.Mean": FIRST, "reduce.Prod": FIRST, "reduce.Max": FIRST, "reduce.Min": FIRST,
    "reduce.MaxAll": FIRST, "reduce.MinAll": FIRST, "reduce.Norm": FIRST, "reduce.Cumsum": FIRST,
    "reduce.Cumprod": FIRST,
    "elementwise.Pow": _pow_inputs, "elementwise.Clamp": _clamp_inputs, "elementwise.ToDtype": FIRST,
    "elementwise.Where": (1, 2),  # the condition is no differentiable input
    "shape.View": FIRST, "shape.Squeeze": FIRST, "shape.Unsqueeze": FIRST, "shape.Permute": FIRST,
    "shape.Transpose": FIRST, "shape.T": FIRST, "shape.Expand": FIRST, "shape.Repeat": FIRST,
    "shape.Roll": FIRST, "shape.Split": FIRST, "shape.Unbind": FIRST, "shape.Flip": FIRST,
    "shape.RepeatInterleave": FIRST,
    "shape.Cat": _from(2), "shape.Stack": _from(1), "matmul.Einsum": _from(2),
    "matmul.Addmm": (0, 1, 2), "matmul.Cross": (0, 1),
    "index.GetItem": FIRST, "index.Gather": FIRST, "index.IndexSelect": FIRST, "index.Take": FIRST,
    "index.MaskedSelect": FIRST, "index.TakeAlongDim": FIRST,
    "softmax.Softmax": FIRST, "softmax.LogSoftmax": FIRST,
    "pool.MaxPool2d": FIRST, "pool.AvgPool2d": FIRST, "pool.AdaptiveAvgPool": FIRST,
    "norm.LayerNorm": (0, 1, 2), "norm.BatchNorm": (0, 1, 2), "norm.GroupNorm": (0, 1, 2),
    "norm.RMSNorm": (0, 1),
    "loss.NLLLoss": FIRST, "loss.CrossEntropy": FIRST, "loss.BinaryCrossEntropyWithLogits": (0, 1),
    "loss.KLDiv": (0, 1),
    "conv.Convolution": (0, 1, 2), "conv.ConvTranspose": (0, 1, 2),
    "recurrent.LSTMLayer": (0, 1, 2, 3, 4, 5),   # x, the state, the weights and biases (not the flags)
    "embedding.Embedding": FIRST,
    "activation.LeakyRelu": FIRST, "activation.Softplus": FIRST, "activation.Elu": FIRST,
    "activation.Hardtanh": FIRST, "activation.Threshold": FIRST, "activation.Glu": FIRST,
    "activation.Shrink": FIRST,
    "Checkpoint": _from(3),
    "reduce.Var": FIRST, "reduce.Std": FIRST, "shape.Slice": FIRST,
}


# PyTorch's ``_saved_*`` attributes of a node -> the ctx attribute the glasstorch forward keeps it in
_SELF, _RESULT = {"_saved_self": "x"}, {"_saved_result": "y"}
SAVED = {
    "elementwise.Mul": {"_saved_self": "x", "_saved_other": "y"},
    "elementwise.Div": {"_saved_self": "x", "_saved_other": "y"},
    "elementwise.Pow": {"_saved_self": "x", "_saved_exponent": "p", "_saved_result": "z"},
    "elementwise.Exp": _RESULT, "elementwise.Tanh": _RESULT, "elementwise.Sigmoid": _RESULT,
    "elementwise.Relu": _RESULT, "elementwise.Sqrt": _RESULT,
    "elementwise.Log": _SELF, "elementwise.Sin": _SELF, "elementwise.Cos": _SELF, "elementwise.Abs": _SELF,
    "matmul.Mm": {"_saved_self": "a", "_saved_mat2": "b"},
    "matmul.Bmm": {"_saved_self": "a", "_saved_mat2": "b"},
    "matmul.Mv": {"_saved_self": "a", "_saved_vec": "b"},
    "matmul.Dot": {"_saved_self": "a", "_saved_tensor": "b"},
    "matmul.Addmm": {"_saved_mat1": "a", "_saved_mat2": "b", "_saved_alpha": "alpha", "_saved_beta": "beta"},
}


def key(cls):
    """'module.Class' for an op class of glasstorch/ops ('reduce.Sum'); the class name alone for others."""
    module = cls.__module__
    if module.startswith("glasstorch.ops."):
        return module[len("glasstorch.ops."):] + "." + cls.__name__
    return cls.__name__


def is_dynamic(cls):
    """Whether the class's name or inputs depend on the call (then they are stored before the node is freed)."""
    k = key(cls)
    return callable(NAMES.get(k)) or callable(INPUTS.get(k))


def node_name(node):
    rule = NAMES.get(key(type(node)))
    if rule is None:
        return type(node).__name__ + "Backward0"
    return rule if isinstance(rule, str) else rule(node)


def node_inputs(node):
    """The positions of node._next that PyTorch lists in next_functions (None: all of them)."""
    rule = INPUTS.get(key(type(node)))
    if rule is None or isinstance(rule, tuple):
        return rule
    return rule(node)
