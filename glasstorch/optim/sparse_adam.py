"""SparseAdam: Adam for sparse gradients (``nn.Embedding(sparse=True)``), as ``torch.optim.SparseAdam``.

glasstorch has no sparse tensors, so every gradient it makes is dense, and PyTorch's SparseAdam refuses
dense gradients: ``step()`` raises PyTorch's RuntimeError ("SparseAdam does not support dense gradients,
please consider Adam instead") as soon as a parameter has a gradient. The class exists so that code
building one (and its option checks, param_groups and state_dict) runs; use ``Adam`` to train.
(PyTorch's sparse update is lazy Adam: only the rows present in the gradient are changed.)
"""
from ..autograd.grad_mode import enable_grad
from .optimizer import check_tensor_lr, Optimizer


class SparseAdam(Optimizer):
    """SparseAdam, as ``torch.optim.SparseAdam``; its ``step`` refuses glasstorch's dense gradients."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        check_tensor_lr(lr)
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not support complex "
                             "parameters")

    def _step(self, closure):
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:   # glasstorch's gradients are always dense
                    raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
        return loss
