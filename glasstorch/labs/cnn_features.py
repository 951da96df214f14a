"""Lab: what the course's CNN learns — its first layer's filters and its feature maps on a digit.

    glasstorch lab cnn-features --data DIR          (MNIST in torchvision's layout under DIR)
    glasstorch lab cnn-features --dataset digits    (the 8×8 digits shipped with glasstorch, no files)

The CNN of the MNIST lab (conv 3×3 32 → ReLU → max-pool → conv 3×3 64 → ReLU → max-pool → FC 128 → 10)
is trained with the MNIST lab's recipe (Adam 1e-3, batch 64) for one epoch (``--epochs`` to change; quick mode: a
slice of the data). Then ``glass.filters`` gives the first convolution's 32 filters (32, 1, 3, 3) and
``glass.feature_maps`` the output of every convolution, ReLU and pooling layer on one test image.

Metrics: the test accuracy, the filters' shape and how far training moved them (``filter_change_norm``
‖W − W₀‖ over all 32, ``filter_change_relative`` the same over ‖W₀‖, ``filter_change_per_filter``), the
shape of every feature map, and the channels of each ReLU that are 0 everywhere on the image.

Writes: input.png (the test image), filters.png (the 32 learned 3×3 filters, each scaled to its own range),
feature_maps.png (every layer's maps on that image), metrics.json and report.html.
"""
import numpy as np

import glasstorch as torch
from glasstorch import nn
from glasstorch.glass import feature_maps, filters, plot_feature_maps, plot_filters

from .mnist import evaluate, load_data, train_model
from .mnist_models import MODELS
from .report import write_report


def run(run_dir, quick=False, seed=0, log=print, dataset="mnist", data="data", epochs=None):
    x_tr, y_tr, x_te, y_te, classes = load_data(dataset, data)
    if quick:  # a slice of the data, for the tests
        x_tr, y_tr, x_te, y_te = x_tr[:1000], y_tr[:1000], x_te[:500], y_te[:500]
    epochs = epochs if epochs is not None else 1
    log(f"  {dataset}: training the course CNN on {len(x_tr)} images of {tuple(x_tr.shape[1:])} "
        f"for {epochs} epoch(s)")
    torch.manual_seed(seed)  # the CNN exactly as train_model builds it (same seed): its filters before training
    initial = filters(MODELS["cnn"](nn, in_channels=x_tr.shape[1], size=x_tr.shape[2])[0])
    model, history = train_model("cnn", x_tr, y_tr, x_te, y_te, epochs, seed=seed, log=log, quiet=quick)
    _, pred = evaluate(model, x_te, y_te, nn.CrossEntropyLoss())

    image, label = x_te[0], y_te[0].item()
    weights = filters(model[0])
    # how far training moved the filters: ‖W − W₀‖ over all of them, relative to ‖W₀‖, and per filter
    change = weights - initial
    moved = {"filter_change_norm": float(np.linalg.norm(change)),
             "filter_change_relative": float(np.linalg.norm(change) / np.linalg.norm(initial)),
             "filter_change_per_filter": np.linalg.norm(change.reshape(len(change), -1), axis=1).tolist()}
    log(f"  training moved the first conv's filters by ‖W − W₀‖ = {moved['filter_change_norm']:.3f} "
        f"({moved['filter_change_relative']:.0%} of ‖W₀‖)")
    maps = feature_maps(model, image)
    log(f"  first conv's filters: {weights.shape}; feature maps on a test '{classes[label]}' "
        f"(said '{classes[pred[0].item()]}'): " + ", ".join(f"{p} {a.shape}" for p, a in maps.items()))
    dead = {p: float((a.reshape(a.shape[0], -1) <= 0).all(axis=1).mean())
            for p, a in maps.items() if type(model[int(p)]).__name__ == "ReLU"}

    with run_dir.figure("input.png", figsize=(3, 3.2)) as fig:
        ax = fig.gca()
        ax.imshow(image[0].numpy(), cmap="gray")
        ax.set_title(f"test image: {classes[label]} (said {classes[pred[0].item()]})", fontsize=9)
        ax.axis("off")
    plot_filters(model[0], run_dir, cols=8)
    plot_feature_maps(maps, run_dir, cols=16)

    metrics = {"dataset": dataset, "epochs": epochs, "train_size": len(x_tr),
               "test_accuracy": history["test_accuracy"][-1], "filters_shape": list(weights.shape), **moved,
               "image_label": classes[label], "predicted": classes[pred[0].item()],
               "feature_map_shapes": {p: list(a.shape) for p, a in maps.items()},
               "channels_silent_on_the_image": dead}
    write_report(run_dir, f"CNN features on {dataset}: learned filters and feature maps", metrics,
                 models={"cnn": model},
                 texts={"layers": "\n".join(f"{p:>3}  {type(model[int(p)]).__name__:<10} output {a.shape}"
                                            for p, a in maps.items())})
    return metrics
