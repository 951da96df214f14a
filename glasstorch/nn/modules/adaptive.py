"""AdaptiveLogSoftmaxWithLoss (Grave et al., 2016, "Efficient softmax approximation for GPUs").

For a vocabulary sorted by frequency: the frequent classes (below ``cutoffs[0]``, the shortlist) get a
full-size output of the ``head`` Linear; each rarer band of classes ("cluster") is one more output of the head
plus a small two-layer projection of its own (``tail[i]``, hidden size in_features / div_value^(i+1)). The
log-probability of class y in cluster i is

    log p(y) = log softmax(head(x))[shortlist + i] + log softmax(tail[i](x))[y − cutoffs[i]]

so a sample only pays for the head and its own cluster. Built from Linear, log_softmax, gather and
index_add (all differentiable), as PyTorch's module is.
"""
from collections import namedtuple

import numpy as np

from ...autograd.function import wrap
from ...ops import softmax as _softmax
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """``forward(input, target)`` -> (output, loss): output[i] the log-probability of target[i], loss the
    mean negative log-likelihood; ``log_prob(input)`` every class's, ``predict(input)`` the most likely class."""

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > (n_classes - 1)
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(self.in_features, self.head_size, bias=self.head_bias, device=device, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(self.in_features // (self.div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(self.in_features, hsz, bias=False, device=device, dtype=dtype),
                                        Linear(hsz, osz, bias=False, device=device, dtype=dtype)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_, target_):
        targ_dim = target_.dim()
        if targ_dim == 1:
            if input_.size(0) != target_.size(0):
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input_.dim() != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"{input_.size()}")
        elif targ_dim == 0:
            if input_.dim() != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"{input_.size()}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        is_batched = targ_dim > 0
        input = input_ if is_batched else input_.unsqueeze(0)
        target = target_ if is_batched else target_.unsqueeze(0)
        t = target.numpy()
        batch_size = t.shape[0]
        if batch_size and (t.min() < 0 or t.max() >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{t.min()}, {t.max()}] were found. ")
        # the head's column each sample reads: its class (shortlist) or its cluster's own output
        cluster = np.searchsorted(np.array(self.cutoffs), t, side="right")         # 0: shortlist, i: cluster i
        gather_inds = np.where(cluster == 0, t, self.shortlist_size + cluster - 1).astype(np.int64)
        head_logprob = _softmax.log_softmax(self.head(input), 1)
        output = head_logprob.gather(1, wrap(gather_inds[:, None])).reshape(batch_size)
        for i in range(1, len(self.cutoffs)):
            rows = np.nonzero(cluster == i)[0]
            if rows.size == 0:
                continue
            row_t = wrap(rows.astype(np.int64))
            cluster_logprob = _softmax.log_softmax(self.tail[i - 1](input.index_select(0, row_t)), 1)
            relative = wrap((t[rows] - self.cutoffs[i - 1])[:, None].astype(np.int64))
            output = output.index_add(0, row_t, cluster_logprob.gather(1, relative).reshape(rows.size))
        loss = (-output).mean()
        if not is_batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _get_full_log_prob(self, input, head_output):
        from ... import cat
        head_logprob = _softmax.log_softmax(head_output, 1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = _softmax.log_softmax(self.tail[i](input), 1)
            parts.append(cluster_logprob + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, 1)

    def log_prob(self, input):
        """log p(class) for every class: (N, n_classes)."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input):
        """The most likely class of each sample (the full distribution is computed only where the head's
        argmax is a cluster, as PyTorch does)."""
        from ... import argmax
        head_output = self.head(input)
        output = argmax(head_output, dim=1)
        not_in_shortlist = output >= self.shortlist_size
        if not not_in_shortlist.any():
            return output
        if not_in_shortlist.all():
            return argmax(self._get_full_log_prob(input, head_output), dim=1)
        rows = not_in_shortlist
        output[rows] = argmax(self._get_full_log_prob(input[rows], head_output[rows]), dim=1)
        return output
