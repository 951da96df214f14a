"""What a CNN has learned: its filters, and what each layer makes of one image.

    maps = glass.feature_maps(model, image)      # {"0": (32, 28, 28) array, "1": ..., "2": (32, 14, 14) ...}
    glass.plot_feature_maps(maps, "maps.png")    # one mosaic per layer, each map scaled to its own min..max
    w = glass.filters(model[0])                  # (out_channels, in_channels, kh, kw) array
    glass.plot_filters(model[0], "filters.png")

``feature_maps`` runs the model once, in eval mode and without building a graph (the mode is restored
afterwards), with forward hooks on the chosen leaf modules, and removes the hooks again. The keys are the
modules' paths as ``model.named_modules()`` gives them. ``layers``: None (default) takes every convolution,
pooling, batch-norm and activation module (ReLU family, ELU, GELU, SiLU, Sigmoid, Tanh) whose output is an
image stack (N, C, H, W); ``"all"`` every leaf module (the
output of the one image, whatever its shape); or a list of module paths. The result is a :class:`FeatureMaps`,
an OrderedDict that a notebook shows as the mosaics of ``plot_feature_maps`` (PNG).
"""
from collections import OrderedDict

import numpy as np

__all__ = ["feature_maps", "FeatureMaps", "filters", "tile", "plot_feature_maps", "plot_filters"]

_MAP_KINDS = ("Conv", "Pool", "ReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh", "BatchNorm")


def _default_layer(module):
    return any(kind in type(module).__name__ for kind in _MAP_KINDS)


def feature_maps(model, image, layers=None):
    """{module path: activation array} of ``model`` on one image (C, H, W) or a batch of one (1, C, H, W)."""
    from glasstorch import no_grad
    from glasstorch.tensor import Tensor
    x = image if isinstance(image, Tensor) else Tensor(np.asarray(image, dtype=np.float32))
    if x.dim() == 3:
        x = x.unsqueeze(0)
    if x.dim() != 4 or x.shape[0] != 1:
        raise ValueError(f"feature_maps expects one image (C, H, W) or a batch of one (1, C, H, W), "
                         f"got shape {tuple(x.shape)}")
    modules = dict(model.named_modules())
    if layers is None or layers == "all":
        chosen = [p for p, m in modules.items() if next(iter(m.children()), None) is None
                  and (layers == "all" or _default_layer(m))]
    else:
        missing = [p for p in layers if p not in modules]
        if missing:
            raise KeyError(f"no modules called {missing}; the model has {[p for p in modules if p]}")
        chosen = list(layers)
    maps = OrderedDict()
    handles = [modules[p].register_forward_hook(_keeper(maps, p, layers is None)) for p in chosen]
    was_training = model.training
    try:
        model.eval()
        with no_grad():
            model(x)
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    order = {p: i for i, p in enumerate(chosen)}
    return FeatureMaps(sorted(maps.items(), key=lambda kv: order[kv[0]]))


class FeatureMaps(OrderedDict):
    """What ``feature_maps`` returns: the ``{module path: array}`` dict, which a notebook shows as the
    mosaics of ``plot_feature_maps`` (``_repr_png_``) and ``repr`` sums up in one line."""

    def __repr__(self):
        layers = ", ".join(f"{p or '(model)'} {tuple(a.shape)}" for p, a in self.items())
        return f"FeatureMaps({len(self)} layers: {layers})"

    def _repr_png_(self):
        if not any(a.ndim == 3 for a in self.values()):
            return None                                   # nothing image-shaped to draw
        from .watch import _png
        return _png(lambda buf: plot_feature_maps(self, buf))


def _keeper(maps, path, images_only):
    def hook(module, args, output):
        out = output[0] if isinstance(output, (tuple, list)) else output
        array = getattr(out, "_array", None)
        if array is None or (images_only and array.ndim != 4):
            return
        maps[path] = np.array(array[0])                # the one image's maps, a copy
    return hook


def filters(conv):
    """The convolution's weights as a NumPy array (out_channels, in_channels/groups, kh, kw), a copy."""
    weight = getattr(conv, "weight", None)
    if weight is None or weight.dim() < 3:
        raise TypeError(f"filters expects a convolution module, got {type(conv).__name__}")
    return np.array(weight.detach()._array)


def tile(images, cols=8, pad=1, normalize=True):
    """A (K, H, W) stack as one 2-D mosaic of ``cols`` columns with ``pad`` pixels (NaN: drawn blank)
    between them; each image scaled to 0..1 over its own min..max when ``normalize``."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3:
        raise ValueError(f"tile expects a stack of images (K, H, W), got shape {images.shape}")
    k, h, w = images.shape
    if normalize:
        lo = images.min(axis=(1, 2), keepdims=True)
        span = images.max(axis=(1, 2), keepdims=True) - lo
        images = (images - lo) / np.where(span > 0, span, 1.0)
    cols = max(1, min(cols, k))
    rows = -(-k // cols)
    padded = np.full((rows * cols, h + pad, w + pad), np.nan, dtype=np.float32)
    padded[:k, :h, :w] = images
    # (rows, cols, h+pad, w+pad) → rows of images side by side, without a Python loop over images
    mosaic = padded.reshape(rows, cols, h + pad, w + pad).transpose(0, 2, 1, 3).reshape(rows * (h + pad), -1)
    return mosaic[:rows * (h + pad) - pad, :cols * (w + pad) - pad]    # no gap after the last row/column


def plot_feature_maps(maps, target, name="feature_maps.png", cols=16, max_maps=64):
    """One mosaic per layer (its first ``max_maps`` channels), each map scaled to its own range."""
    from .watch import _figure
    panels = [(p, a) for p, a in maps.items() if a.ndim == 3]
    grids = [(p, a.shape, tile(a[:max_maps], cols)) for p, a in panels]
    height = sum(0.5 + 9 * g.shape[0] / max(g.shape[1], 1) for _, _, g in grids) or 2   # 9 in wide mosaics
    ctx, path = _figure(target, name, (10, height))
    with ctx as fig:
        for k, (p, shape, grid) in enumerate(grids):
            ax = fig.add_subplot(len(grids), 1, k + 1)
            ax.imshow(grid, cmap="viridis", interpolation="nearest")
            ax.set_title(f"{p}: {shape[0]} maps of {shape[1]}×{shape[2]}", fontsize=9)
            ax.axis("off")
    return path


def plot_filters(conv, target, name="filters.png", cols=8, max_rows=16):
    """The filters of a 2-D convolution as a mosaic, each scaled to its own range: with one input channel,
    ``cols`` filters a row; with several, one row per filter (the first ``max_rows``), one column per input
    channel."""
    from .watch import _figure
    w = filters(conv)
    if w.ndim != 4:
        raise ValueError(f"plot_filters draws 2-D filters (out, in, kh, kw), got shape {w.shape}")
    if w.shape[1] == 1:
        grid = tile(w[:, 0], cols)
    else:
        shown = w[:max_rows]
        grid = tile(shown.reshape(-1, *w.shape[2:]), w.shape[1])
    ctx, path = _figure(target, name, (min(12, 1 + 0.6 * grid.shape[1] / (w.shape[3] + 1)),
                                       1.2 + 0.6 * grid.shape[0] / (w.shape[2] + 1)))
    with ctx as fig:
        ax = fig.gca()
        ax.imshow(grid, cmap="gray", interpolation="nearest")
        ax.set_title(f"{w.shape[0]} filters of {w.shape[1]}×{w.shape[2]}×{w.shape[3]}", fontsize=9)
        ax.axis("off")
    return path
