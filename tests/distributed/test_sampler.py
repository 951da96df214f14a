"""DistributedSampler's index sets equal real PyTorch's for the same seed and epoch (no processes needed)."""
import pytest

torch = pytest.importorskip("torch")

from glasstorch.utils.data.distributed import DistributedSampler  # noqa: E402


@pytest.mark.parametrize("n", [10, 11, 1, 64, 97])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
@pytest.mark.parametrize("shuffle, drop_last", [(True, False), (False, False), (True, True), (False, True)])
def test_indices_equal_pytorch(n, replicas, shuffle, drop_last):
    from torch.utils.data.distributed import DistributedSampler as TorchSampler
    data = list(range(n))
    for epoch in (0, 1, 5):
        for rank in range(replicas):
            ours = DistributedSampler(data, num_replicas=replicas, rank=rank, shuffle=shuffle, seed=7,
                                      drop_last=drop_last)
            theirs = TorchSampler(data, num_replicas=replicas, rank=rank, shuffle=shuffle, seed=7,
                                  drop_last=drop_last)
            ours.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_bad_rank():
    with pytest.raises(ValueError, match="Invalid rank 2"):
        DistributedSampler(list(range(4)), num_replicas=2, rank=2)
