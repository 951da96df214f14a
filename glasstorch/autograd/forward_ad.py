"""torch.autograd.forward_ad: forward-mode AD (dual numbers). Not in glasstorch: every op has a reverse-mode
backward only, and a forward-mode rule per op would double the ops' code. ``torch.autograd.functional.jvp``
gives J·v (computed in reverse mode). Each function here raises NotImplementedError saying so."""

_MESSAGE = ("glasstorch has no forward-mode AD (torch.autograd.forward_ad.{}): use "
            "torch.autograd.functional.jvp, which computes J·v in reverse mode")


class dual_level:
    def __enter__(self):
        raise NotImplementedError(_MESSAGE.format("dual_level"))

    def __exit__(self, *exc):
        return False


def make_dual(tensor, tangent, *, level=None):
    raise NotImplementedError(_MESSAGE.format("make_dual"))


def unpack_dual(tensor, *, level=None):
    raise NotImplementedError(_MESSAGE.format("unpack_dual"))


def enter_dual_level():
    raise NotImplementedError(_MESSAGE.format("enter_dual_level"))


def exit_dual_level(*, level=None):
    raise NotImplementedError(_MESSAGE.format("exit_dual_level"))
