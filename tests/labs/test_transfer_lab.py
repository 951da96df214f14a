"""The transfer-learning lab: pretrain, save, load, new head, freeze, fine-tune on few labels; and the same
steps on a real ResNet-18 state_dict written by PyTorch itself with a small ImageFolder made here."""
import numpy as np
import pytest

import glasstorch
from glasstorch.labs import transfer

from labruns import MNIST, pngs, run_lab


@pytest.fixture(scope="module")
def transfer_run(tmp_path_factory):
    """Quick mode on real MNIST (~45 s): 3,000 images of 0-4 to pretrain, 5 labels per class of 5-9."""
    if not MNIST.is_dir():
        pytest.skip(f"the MNIST files are not at {MNIST}")
    folder = tmp_path_factory.mktemp("transfer")
    metrics, lines = run_lab("transfer", folder, data=str(MNIST))
    return metrics, lines, folder


def test_the_recipe_freezes_all_but_the_new_head(transfer_run):
    metrics, lines, folder = transfer_run
    v = metrics["variants"]
    assert tuple(v) == ("from scratch", "pretrained, frozen + new head", "pretrained, all fine-tuned")
    total = v["from scratch"]["trainable"]
    assert v["from scratch"]["frozen"] == 0 and v["pretrained, all fine-tuned"]["frozen"] == 0
    head = 64 * 5 + 5                                   # the new Linear(64, 5)
    assert v["pretrained, frozen + new head"]["trainable"] == head
    assert v["pretrained, frozen + new head"]["frozen"] == total - head
    assert (folder / "pretrained_digits_0_4.pt").exists()       # step 2: saved, then loaded
    assert pngs(folder) == ["curves.png", "parameters.png"]
    assert metrics["task_b"]["train_images"] == 5 * metrics["task_b"]["labels_per_class"] == 25


def test_the_frozen_pretrained_backbone_beats_training_from_scratch(transfer_run):
    metrics = transfer_run[0]
    assert metrics["task_a"]["accuracy"] > 0.95          # measured 98.0% on MNIST's held-out 0-4
    v = {k: r["accuracy"] for k, r in metrics["variants"].items()}
    # measured (seed 0): from scratch 39.4%, all fine-tuned 59.1%, frozen + new head 71.6% (chance: 20%)
    assert v["pretrained, frozen + new head"] > v["from scratch"] + 0.2
    assert v["pretrained, all fine-tuned"] > v["from scratch"]
    assert v["pretrained, frozen + new head"] > 0.6
    for r in metrics["variants"].values():
        assert len(r["curve"]) == metrics["task_b"]["epochs"]


def test_frozen_backbone_keeps_its_weights_and_batch_norm_statistics():
    glasstorch.manual_seed(0)
    model = transfer.small_resnet(in_channels=1, num_classes=5)  # noqa: the lab's model
    model.fc = glasstorch.nn.Linear(64, 5)
    transfer.freeze_all_but(model, model.fc)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x, y = glasstorch.randn(20, 1, 8, 8), glasstorch.randint(0, 5, (20,))
    transfer.fit(model, x, y, x, y, epochs=2, lr=1e-2, seed=0, frozen=True, name="t", quiet=True)
    after = model.state_dict()
    changed = sorted(k for k in before if not glasstorch.equal(before[k], after[k]))
    assert changed == ["fc.bias", "fc.weight"]           # running_mean/var and num_batches_tracked too


def test_weights_file_from_pytorch_and_an_image_folder(tmp_path):
    torch = pytest.importorskip("torch")
    from PIL import Image
    # a torchvision-style ResNet-18 state_dict written by real PyTorch (random values, torchvision's keys)
    reference = glasstorch.vision.models.resnet18().state_dict()
    state = {}
    for k, v in reference.items():
        t = torch.from_numpy(np.asarray(np.random.default_rng(len(state)).standard_normal(tuple(v.shape)) * 0.05,
                                        dtype=np.float32))
        if k.endswith("running_var"):
            t = t.abs() + 1
        state[k] = t.to(torch.int64) if v.dtype == glasstorch.int64 else t
    weights = tmp_path / "resnet18.pth"
    torch.save(state, weights)
    # a small ImageFolder: two kinds of "rock" photographs, bright-on-the-left and bright-on-the-top
    rng = np.random.default_rng(0)
    for cls, axis in (("granite", 1), ("slate", 0)):
        (tmp_path / "rocks" / cls).mkdir(parents=True)
        for i in range(6):
            img = rng.integers(0, 60, (24, 24, 3)).astype(np.uint8)
            img[(slice(None), slice(0, 12)) if axis == 1 else (slice(0, 12), slice(None))] += 150
            Image.fromarray(img).save(tmp_path / "rocks" / cls / f"{i}.png")
    metrics, lines = run_lab("transfer", tmp_path / "run", weights=str(weights), data=str(tmp_path / "rocks"),
                             labels=3, epochs=2)
    assert metrics["classes"] == ["granite", "slate"] and metrics["train_images"] == 6 and metrics["held_out"] == 6
    frozen = metrics["variants"]["pretrained, frozen + new head"]
    assert frozen["trainable"] == 512 * 2 + 2
    assert frozen["frozen"] == sum(v.numel() for k, v in reference.items()
                                   if "running" not in k and "num_batches" not in k) - (512 * 1000 + 1000)
    assert any("weights from" in line for line in lines)
