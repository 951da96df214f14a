"""FakeData, as ``torchvision.datasets.FakeData``: random images for trying a pipeline without data.

Image ``i`` is drawn as torchvision draws it: the global generator is seeded with ``i + random_offset``,
``randn(*image_size)`` gives the image and ``randint(0, num_classes, (1,))`` the label, then the generator's
state is put back; so ``dataset[i]`` is the same every time and the global random stream is untouched.
(glasstorch's generator is not torch's, so the numbers differ from torchvision's.) The image is turned into
a PIL image by ``to_pil_image``, which here clips the values to [0, 1] before scaling to uint8 (torchvision's
byte cast wraps them around instead).
"""
from ... import random as _random
from ... import creation
from ..transforms import functional as F
from .vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """``size`` random images of shape ``image_size`` (C, H, W) with labels in [0, num_classes)."""

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
                 random_offset=0):
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        rng_state = _random.get_rng_state()
        _random.manual_seed(index + self.random_offset)
        img = creation.randn(*self.image_size)
        target = creation.randint(0, self.num_classes, size=(1,))[0]
        _random.set_rng_state(rng_state)
        img = F.to_pil_image(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target.item() if hasattr(target, "item") else target

    def __len__(self):
        return self.size
