"""Lab: transfer learning. A network trained on one task helps a second task that has only a few labels.

    glasstorch lab transfer --data DIR            # MNIST digits 0-4 -> digits 5-9, 10 labels per class
    glasstorch lab transfer --weights resnet18.pth --data DIR    # a real pretrained ResNet-18 on your images

The course's recipe, step by step:

1. **Pretrain** the small ResNet (``glasssmall_resnet``) on task A: the digits 0-4, all of
   their training images.
2. **Save** its state_dict (``torch.save``) and **load** it into a fresh model (``torch.load`` +
   ``load_state_dict``), as a course hands out pretrained weights.
3. **Replace the head**: the last layer ``fc`` (64 -> 5 classes of task A) becomes a new ``nn.Linear(64, 5)``
   for task B, the digits 5-9.
4. **Freeze** everything but the head: ``requires_grad_(False)`` on the backbone's parameters, and its batch
   norm layers kept in eval mode (their running statistics are part of what was learned).
5. **Fine-tune** on task B with only ``labels`` images per class, and compare with the same network trained
   from scratch on the same few images, and with the pretrained network fine-tuned as a whole.

What it shows (seed 0, measured): with 10 labels per class (50 images of task B) and the backbone pretrained
for one epoch on the 30,596 MNIST training images of 0-4 (97.7% on their held-out images), the digits 5-9 are
recognized at 70.0% by the network trained from scratch, 76.4% by the pretrained one fine-tuned as a whole,
and 80.2% by the frozen pretrained backbone with a new head, of which only 325 weights are trained: its
features (strokes, loops, their positions) were learned from many images of task A. In quick mode (3,000
pretraining images, 2 epochs; 5 labels per class) the gap is wider: 39.4% from scratch, 59.1% fine-tuned,
71.6% frozen. (On the 8x8 digits, ``--dataset digits``, it is not: their 64 pixels are separable from 25
images alone, and features learned on 0-4 at that size do not carry over; the lab shows it honestly.)

With ``--weights FILE`` (a torchvision-style ResNet-18 state_dict, saved by PyTorch or glasstorch) and
``--data DIR`` (an ImageFolder: one sub-folder per class), the same steps run on a real pretrained network:
images resized to ``--size`` (default 64) and normalized with ImageNet's mean and std, ``labels`` images per
class for training and the rest held out; the variants are the frozen pretrained network with a new head and
the same architecture from scratch.

Figures: held-out accuracy per epoch for each variant (``curves.png``), and the trainable/frozen parameter
counts (``parameters.png``). Metrics: per variant the final held-out accuracy, the accuracy per epoch, and the
trainable and frozen parameter counts; the pretraining accuracy on task A.
"""
import copy

import numpy as np

import glasstorch as torch
from glasstorch import nn
from glasstorch.utils.data import DataLoader, TensorDataset
from glasstorch.vision.models import small_resnet

from .mnist import load_data
from .report import write_report
from .runfolder import progress

IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def few_per_class(y, count, generator):
    """Indices of ``count`` random examples of each class in ``y`` (and the rest, held out)."""
    order = torch.randperm(len(y), generator=generator).numpy()
    labels = y.numpy()[order]
    chosen = np.concatenate([order[labels == c][:count] for c in np.unique(labels)])
    rest = np.setdiff1d(np.arange(len(y)), chosen)
    return torch.from_numpy(np.sort(chosen)), torch.from_numpy(rest)


def count_parameters(model):
    """(trainable, frozen) parameter counts."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters()) - trainable


def variant_result(variant, model, curve, log):
    """The metrics of one trained variant (final accuracy, curve, parameter counts), logged in one line."""
    trainable, frozen = count_parameters(model)
    log(f"  {variant:<31}: held-out accuracy {curve[-1]:.1%} ({trainable:,} trainable, {frozen:,} frozen "
        "parameters)")
    return {"accuracy": curve[-1], "curve": curve, "trainable": trainable, "frozen": frozen}


def freeze_all_but(model, head):
    """requires_grad_(False) on every parameter outside ``head`` (the new last layer)."""
    keep = {id(p) for p in head.parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in keep)


def train_mode(model, frozen):
    """model.train(), but a frozen backbone's batch norm layers stay in eval mode (their running statistics
    are pretrained weights too)."""
    model.train()
    if frozen:
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.eval()


def accuracy(model, x, y, batch_size=500):
    model.eval()
    with torch.no_grad():
        right = sum((model(x[i:i + batch_size]).argmax(1) == y[i:i + batch_size]).sum().item()
                    for i in range(0, len(x), batch_size))
    return right / len(x)


def fit(model, x, y, x_test, y_test, epochs, lr, seed, frozen, name, quiet, batch_size=32, curve_size=1000):
    """Adam on the trainable parameters; the accuracy on (the first ``curve_size`` of) the held-out images
    after each epoch, and on all of them after the last one."""
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=lr)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    curve = []
    for _ in progress(range(epochs), name, quiet=quiet):
        train_mode(model, frozen)
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        curve.append(accuracy(model, x_test[:curve_size], y_test[:curve_size]))
    if len(x_test) > curve_size:
        curve[-1] = accuracy(model, x_test, y_test)
    return curve


def digits_tasks(dataset, data, pretrain_images=None):
    """Task A (digits 0-4: the first ``pretrain_images`` training images of them, or all) and task B (digits
    5-9, relabelled 0-4)."""
    x_tr, y_tr, x_te, y_te, _ = load_data(dataset, data)
    a_tr, a_te, b_tr, b_te = y_tr < 5, y_te < 5, y_tr >= 5, y_te >= 5
    task_a = (x_tr[a_tr][:pretrain_images], y_tr[a_tr][:pretrain_images], x_te[a_te], y_te[a_te])
    task_b = (x_tr[b_tr], y_tr[b_tr] - 5, x_te[b_te], y_te[b_te] - 5)
    return task_a, task_b


def run(run_dir, quick=False, seed=0, log=print, data="data", labels=None, epochs=None, pretrain_epochs=None,
        weights=None, size=64, dataset="mnist", pretrain_images=None):
    """``data``: the MNIST folder, or with ``weights`` the ImageFolder of the user's images."""
    if weights is not None:
        return run_folder(run_dir, weights, data, quick=quick, seed=seed, log=log, labels=labels,
                          epochs=epochs, size=size)
    labels = labels or (5 if quick else 10)
    epochs = epochs or 30
    pretrain_epochs = pretrain_epochs or (2 if quick else 1)
    pretrain_images = pretrain_images or (3000 if quick else None)
    (xa, ya, xa_te, ya_te), (xb, yb, xb_te, yb_te) = digits_tasks(dataset, data, pretrain_images)
    generator = torch.Generator().manual_seed(seed)

    # 1. pretrain on task A
    torch.manual_seed(seed)
    source = small_resnet(num_classes=5)
    curve_a = fit(source, xa, ya, xa_te, ya_te, pretrain_epochs, 1e-3, seed, False, "pretrain on 0-4", quick)
    log(f"  task A (digits 0-4): pretrained on {len(xa)} images, held-out accuracy {curve_a[-1]:.1%}")
    # 2. save it, and load it as a course's handed-out weights
    path = run_dir.path / "pretrained_digits_0_4.pt"
    torch.save(source.state_dict(), path)

    # task B's few labels
    chosen, _ = few_per_class(yb, labels, generator)
    xb_few, yb_few = xb[chosen], yb[chosen]
    log(f"  task B (digits 5-9): {len(xb_few)} labelled images ({labels} per class), {len(xb_te)} held out")

    results = {}
    for variant in ("from scratch", "pretrained, frozen + new head", "pretrained, all fine-tuned"):
        torch.manual_seed(seed + 1)
        model = small_resnet(num_classes=5)
        frozen = variant.startswith("pretrained, frozen")
        if variant != "from scratch":
            model.load_state_dict(torch.load(path))           # 2. the saved weights, loaded
            model.fc = nn.Linear(model.fc.in_features, 5)     # 3. a new head for task B
            if frozen:
                freeze_all_but(model, model.fc)               # 4. only the head trains
        lr = {"from scratch": 1e-3, "pretrained, all fine-tuned": 3e-4}.get(variant, 1e-2)  # a lone head: larger steps
        curve = fit(model, xb_few, yb_few, xb_te, yb_te, epochs, lr, seed, frozen, variant, quick,
                    curve_size=300 if quick else 1000)
        results[variant] = variant_result(variant, model, curve, log)
    metrics = {"task_a": {"images": len(xa), "accuracy": curve_a[-1], "epochs": pretrain_epochs},
               "task_b": {"labels_per_class": labels, "train_images": len(xb_few), "held_out": len(xb_te),
                          "epochs": epochs},
               "variants": results}
    _figures(run_dir, results)
    write_report(run_dir, f"Transfer learning: digits 0-4 -> 5-9 with {labels} labels per class", metrics)
    return metrics


def run_folder(run_dir, weights, data_dir, quick=False, seed=0, log=print, labels=None, epochs=None, size=64):
    """A torchvision-style ResNet-18 from ``weights`` fine-tuned on the ImageFolder ``data_dir``."""
    from glasstorch.vision import datasets, models, transforms
    labels = labels or 10
    epochs = epochs or (3 if quick else 15)
    tf = transforms.Compose([transforms.Resize((size, size)), transforms.ToTensor(),
                             transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)])
    folder = datasets.ImageFolder(str(data_dir), transform=tf)
    x = torch.stack([folder[i][0] for i in range(len(folder))])
    y = torch.tensor([folder[i][1] for i in range(len(folder))])
    classes = len(folder.classes)
    chosen, rest = few_per_class(y, labels, torch.Generator().manual_seed(seed))
    if len(rest) == 0:
        raise ValueError(f"{data_dir}: every image is used for training at {labels} per class; nothing is left "
                         "to evaluate on (lower --labels or add images)")
    state = torch.load(weights)
    log(f"  {data_dir}: {len(folder)} images, {classes} classes {folder.classes}; {len(chosen)} for training, "
        f"{len(rest)} held out; weights from {weights}")
    results = {}
    for variant in ("from scratch", "pretrained, frozen + new head"):
        torch.manual_seed(seed + 1)
        model = models.resnet18()
        frozen = variant != "from scratch"
        if frozen:
            model.load_state_dict(state)
        model.fc = nn.Linear(model.fc.in_features, classes)
        if frozen:
            freeze_all_but(model, model.fc)
        curve = fit(model, x[chosen], y[chosen], x[rest], y[rest], epochs, 1e-3, seed, frozen, variant, quick,
                    batch_size=16)
        results[variant] = variant_result(variant, model, curve, log)
    metrics = {"data": str(data_dir), "classes": folder.classes, "train_images": len(chosen),
               "held_out": len(rest), "epochs": epochs, "variants": results}
    _figures(run_dir, results)
    write_report(run_dir, f"Transfer learning: ResNet-18 on {data_dir}", metrics)
    return metrics


def _figures(run_dir, results):
    with run_dir.figure("curves.png", figsize=(7, 4.2)) as fig:
        ax = fig.add_subplot(1, 1, 1)
        for variant, r in results.items():
            ax.plot(range(1, len(r["curve"]) + 1), r["curve"], marker=".", label=variant)
        ax.set(xlabel="epoch", ylabel="held-out accuracy", title="task B, the few-label task")
        ax.legend()
    with run_dir.figure("parameters.png", figsize=(7, 3.6)) as fig:
        ax = fig.add_subplot(1, 1, 1)
        names = list(results)
        ax.barh(names, [results[n]["trainable"] for n in names], label="trainable")
        ax.barh(names, [results[n]["frozen"] for n in names], left=[results[n]["trainable"] for n in names],
                label="frozen", color="lightgray")
        ax.set(xlabel="parameters", title="what each variant trains")
        ax.legend()
