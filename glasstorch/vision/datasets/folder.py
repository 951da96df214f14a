"""DatasetFolder and ImageFolder: one sub-folder per class, as torchvision reads them::

    root/dog/xxx.png
    root/dog/nested/xxy.jpeg
    root/cat/123.png

The classes are the sub-folders of ``root``, sorted by name, numbered from 0 (``class_to_idx``). The
samples are every valid file under each class folder (walked recursively, following links), class by
class in that order and sorted within a folder: ``samples`` is the list of ``(path, class_index)``,
``targets`` the class indices, and for ImageFolder ``imgs`` is ``samples`` again.

A file is valid when ``is_valid_file(path)`` says so, or otherwise when its name ends (any case) with
one of ``extensions``; give exactly one of the two. ImageFolder uses ``IMG_EXTENSIONS`` and opens each
image with Pillow, converted to RGB. Same errors as torchvision: no class folder, or a class without
any valid file, raise FileNotFoundError (unless ``allow_empty=True``).

Deviation from torchvision: a sample whose file the loader cannot read (a truncated or garbage image, a
file deleted since the scan) raises ``DatasetFileError`` naming the file and the index, with the loader's
own error as its cause (torchvision lets Pillow's error through, which names neither).
"""
import os

from .utils import DatasetFileError
from .vision import VisionDataset

__all__ = ["DatasetFolder", "ImageFolder", "IMG_EXTENSIONS", "has_file_allowed_extension", "is_image_file",
           "find_classes", "make_dataset", "pil_loader", "default_loader"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    extensions = extensions if isinstance(extensions, str) else tuple(extensions)
    return filename.lower().endswith(extensions)


def is_image_file(filename):
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """(sorted class folder names, {name: index})."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None, allow_empty=False):
    """The list of ``(path, class_index)`` under ``directory`` (see the module docstring)."""
    directory = os.path.expanduser(os.fspath(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if is_valid_file is None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)

    instances = []
    found = set()
    for name in sorted(class_to_idx):
        index = class_to_idx[name]
        class_dir = os.path.join(directory, name)
        if not os.path.isdir(class_dir):
            continue
        for folder, _, files in sorted(os.walk(class_dir, followlinks=True)):
            for file in sorted(files):
                path = os.path.join(folder, file)
                if is_valid_file(path):
                    instances.append((path, index))
                    found.add(name)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        message = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            names = extensions if isinstance(extensions, str) else ", ".join(extensions)
            message += f"Supported extensions are: {names}"
        raise FileNotFoundError(message)
    return instances


def pil_loader(path):
    """Open an image file with Pillow and convert it to RGB (the file is closed before returning)."""
    from PIL import Image
    with open(path, "rb") as f:
        img = Image.open(f)
        return img.convert("RGB")


def default_loader(path):
    return pil_loader(path)


class DatasetFolder(VisionDataset):
    """A generic class-per-folder dataset: ``dataset[i]`` is ``(loader(path), class_index)``."""

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx, extensions, is_valid_file, allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [target for _, target in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty=False):
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty=allow_empty)

    def find_classes(self, directory):
        return find_classes(directory)

    def __getitem__(self, index):
        path, target = self.samples[index]
        try:
            sample = self.loader(path)
        except Exception as e:  # Pillow raises OSError, SyntaxError, ValueError...: say which file, which sample
            raise DatasetFileError(f"{path}: sample {index} of this {type(self).__name__} cannot be loaded "
                                   f"({type(e).__name__}: {e})") from e
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self):
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """Images in class folders (``IMG_EXTENSIONS``), opened with Pillow as RGB."""

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
