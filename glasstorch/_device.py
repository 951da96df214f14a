"""Devices: ``glasstorch.device("cpu")``, ``glasstorch.cuda`` and ``glasstorch.accelerator``.

glasstorch runs on the CPU (NumPy). The device API exists so that the usual PyTorch line
``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")`` works as written; asking for a
CUDA tensor raises the same error a CPU-only PyTorch build raises.
"""


class device:
    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        type = str(type)
        if ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type not in ("cpu", "cuda", "mps", "meta", "xpu"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta, xpu device type at start of device string: {type}")
        self.type = type
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"


CPU = device("cpu")
NO_CUDA = "Torch not compiled with CUDA enabled (glasstorch has no GPU backend yet)"   # PyTorch's words, then ours


def check_device(d):
    """Return the cpu device, or raise as a CPU-only PyTorch does for any other device."""
    if d is None:
        return CPU
    d = device(d) if not isinstance(d, device) else d
    if d.type == "cpu":
        return CPU
    if d.type == "cuda":
        raise AssertionError(NO_CUDA)
    raise RuntimeError(f"glasstorch supports only the cpu device, not {d}")
