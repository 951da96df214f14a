"""ChannelShuffle: interleave the channels of ``groups`` groups (ShuffleNet; see ``ops/channels.py``)."""
from ...ops import channels as _channels
from .module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """(N, C, *) -> the same shape, channel i·(C/g) + j moved to j·g + i."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return _channels.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
