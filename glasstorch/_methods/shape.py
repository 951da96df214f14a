"""Shape, indexing, scatter and view methods: Tensor methods, each a one-line call into glasstorch.ops (see _methods/__init__.py)."""
from .. import ops  # noqa: F401  (ops.<family> is looked up at call time)


class ShapeMethods:
    """Shape, indexing, scatter and view methods."""

    # -- index_* / scatter_reduce / masked_scatter / put / take_along_dim (ops/index.py) ----------------
    def index_add(self, dim, index, source, *, alpha=1):
        return ops.index.index_add(self, dim, index, source, alpha=alpha)

    def index_add_(self, dim, index, source, *, alpha=1):
        return ops.inplace.apply_(self, ops.index.index_add, dim, index, source, alpha=alpha)

    def index_copy(self, dim, index, source):
        return ops.index.index_copy(self, dim, index, source)

    def index_copy_(self, dim, index, source):
        return ops.inplace.apply_(self, ops.index.index_copy, dim, index, source)

    def index_put(self, indices, values, accumulate=False):
        return ops.index.index_put(self, indices, values, accumulate)

    def index_put_(self, indices, values, accumulate=False):
        return ops.inplace.apply_(self, ops.index.index_put, indices, values, accumulate)

    def index_reduce(self, dim, index, source, reduce, *, include_self=True):
        return ops.index.index_reduce(self, dim, index, source, reduce, include_self=include_self)

    def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
        return ops.inplace.apply_(self, ops.index.index_reduce, dim, index, source, reduce,
                                  include_self=include_self)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return ops.index.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return ops.inplace.apply_(self, ops.index.scatter_reduce, dim, index, src, reduce,
                                  include_self=include_self)

    def masked_scatter(self, mask, source):
        return ops.index.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask, source):
        return ops.inplace.apply_(self, ops.index.masked_scatter, mask, source)

    def put(self, index, source, accumulate=False):
        return ops.index.put(self, index, source, accumulate)

    def put_(self, index, source, accumulate=False):
        return ops.inplace.apply_(self, ops.index.put, index, source, accumulate)

    def take_along_dim(self, indices, dim=None):
        return ops.index.take_along_dim(self, indices, dim)

    # -- shape functions (ops/shape.py, ops/views.py, ops/index.py) --------------------------------------
    def argwhere(self):
        return ops.index.argwhere(self)

    def nonzero_static(self, *, size, fill_value=-1):
        return ops.index.nonzero_static(self, size=size, fill_value=fill_value)

    def fliplr(self):
        return ops.shape.fliplr(self)

    def flipud(self):
        return ops.shape.flipud(self)

    def rot90(self, k=1, dims=(0, 1)):
        return ops.shape.rot90(self, k, dims)

    def tensor_split(self, indices_or_sections, dim=0):
        return ops.shape.tensor_split(self, indices_or_sections, dim)

    def hsplit(self, indices_or_sections):
        return ops.shape.hsplit(self, indices_or_sections)

    def vsplit(self, indices_or_sections):
        return ops.shape.vsplit(self, indices_or_sections)

    def dsplit(self, indices_or_sections):
        return ops.shape.dsplit(self, indices_or_sections)

    def split_with_sizes(self, split_sizes, dim=0):
        return ops.shape.split_with_sizes(self, split_sizes, dim)

    def unsafe_split(self, split_size, dim=0):
        return ops.shape.unsafe_split(self, split_size, dim)

    def unsafe_split_with_sizes(self, split_sizes, dim=0):
        return ops.shape.unsafe_split_with_sizes(self, split_sizes, dim)

    def unsafe_chunk(self, chunks, dim=0):
        return ops.shape.unsafe_chunk(self, chunks, dim)

    def ravel(self):
        return ops.shape.ravel(self)

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        return ops.shape.repeat_interleave(self, repeats, dim, output_size=output_size)

    def narrow_copy(self, dim, start, length):
        return ops.shape.narrow_copy(self, dim, start, length)

    def diag(self, diagonal=0):
        return ops.views.diag(self, diagonal)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return ops.views.diag_embed(self, offset, dim1, dim2)

    def diagflat(self, offset=0):
        return ops.views.diagflat(self, offset)

    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1):
        return ops.views.diagonal_scatter(self, src, offset, dim1, dim2)

    def select_scatter(self, src, dim, index):
        return ops.views.select_scatter(self, src, dim, index)

    def slice_scatter(self, src, dim=0, start=None, end=None, step=1):
        return ops.views.slice_scatter(self, src, dim, start, end, step)

    def as_strided_scatter(self, src, size, stride, storage_offset=None):
        return ops.views.as_strided_scatter(self, src, size, stride, storage_offset)

    def fill_diagonal_(self, fill_value, wrap=False):
        return ops.inplace.apply_(self, ops.views.fill_diagonal, fill_value, wrap)

    # -- in-place view ops: change this tensor's own shape and strides (ops/views.py inplace_view) -------
    def transpose_(self, dim0, dim1):
        return ops.views.inplace_view(self, ops.shape.transpose, dim0, dim1)

    def swapaxes_(self, axis0, axis1):
        return ops.views.inplace_view(self, ops.shape.transpose, axis0, axis1)

    def swapdims_(self, dim0, dim1):
        return ops.views.inplace_view(self, ops.shape.transpose, dim0, dim1)

    def t_(self):
        return ops.views.inplace_view(self, ops.shape.t)

    def as_strided_(self, size, stride, storage_offset=None):
        return ops.views.inplace_view(self, ops.views.as_strided, size, stride, storage_offset)

    def squeeze_(self, dim=None):
        return ops.views.inplace_view(self, ops.shape.squeeze, dim)

    def unsqueeze_(self, dim):
        return ops.views.inplace_view(self, ops.shape.unsqueeze, dim)

    def resize_(self, *sizes, memory_format=None):
        return ops.views.resize_(self, *sizes)

    def resize_as_(self, the_template, memory_format=None):
        return ops.views.resize_(self, the_template._array.shape)

    def tril_(self, diagonal=0):
        return ops.inplace.apply_(self, ops.index.tril, diagonal)

    def triu_(self, diagonal=0):
        return ops.inplace.apply_(self, ops.index.triu, diagonal)

    def resize(self, *sizes):
        """Deprecated non-in-place resize: the tensor in a new shape with the same number of elements (autograd's
        Resize, as PyTorch: another element count is refused)."""
        import math
        import warnings
        warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
        shape = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)
        n, have = math.prod(shape), self.numel()
        if n != have:
            raise RuntimeError(f"requested resize to {'x'.join(map(str, shape))} ({n} elements in total), but the "
                               f"given tensor has a size of {'x'.join(map(str, self.shape))} ({have} elements). "
                               f"autograd's resize can only change the shape of a given tensor, while preserving "
                               f"the number of elements. ")
        return self.reshape(shape)

    def resize_as(self, tensor):
        import warnings
        warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
        return self.resize(tuple(tensor.shape))

    def to_dense(self, dtype=None, *, masked_grad=None):
        """A strided (dense) tensor is its own dense form (sparse layouts are left out)."""
        return self if dtype is None else self.to(dtype)
