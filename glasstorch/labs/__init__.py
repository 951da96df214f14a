"""The course's experiments, one command each: ``glasstorch lab NAME`` (list them with ``glasstorch lab --list``).

Each lab is a module in this folder with a function ``run(run_dir, quick=False, seed=0, log=print)``. It
prints its progress through ``log`` (training loops show a tqdm bar), writes its figures (PNG) and
``metrics.json`` into the run folder (see ``runfolder.py``), and returns the metrics as a dict so tests can
check them. ``quick=True`` makes a lab small enough for the test suite.
"""
import importlib

# name -> one-line description (the module glasstorch/labs/<name>.py holds the lab, '-' written '_')
LABS = {
    "perceptron": "the perceptron learning rule learns AND, OR, NAND, fails on XOR; two layers compute XOR",
    "xor": "an MLP trained by backpropagation solves XOR; its hidden layer's learned features",
    "activations": "step, sigmoid, tanh, ReLU, LeakyReLU, GELU and their derivatives (from autograd)",
    "iris": "4-5-3 MLP on Iris with SGD; a sweep of hidden sizes and the train/validation gap",
    "digits": "an MLP on the 8x8 handwritten digits: held-out accuracy and the confusion matrix",
    "mnist": "MLP, CNN and improved CNN on MNIST / Fashion-MNIST: curves, reports, confusion, mistakes",
    "rnn-gradients": "vanishing gradients made visible: gradient reaching each time step, RNN vs LSTM vs GRU",
    "sequence": "sine-wave forecasting with RNN, LSTM and GRU; predictions against the truth",
    "seq-mnist": "an LSTM (2 layers, 128 hidden) reads MNIST images row by row",
    "char-lm": "character-level language models: an LSTM and a small causal Transformer; samples, attention",
    "vit": "a tiny vision Transformer on MNIST: 4x4 patches, 2 encoder layers, d_model 64",
    "backprop": "explain_backward on the course's two-layer examples, next to numerical differentiation",
    "init": "five-layer nets under N(0,1), std 0.01, Xavier, He, LeCun: activation histograms; zero-init symmetry",
    "optimizers": "SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW on a 2-D function and on MNIST",
    "regularization": "overfitting, then L2, L1, dropout, augmentation, early stopping, batch norm side by side",
    "vanishing-gradients": "gradient norm per layer: deep sigmoid vs ReLU+He vs batch norm vs residual; a ResNet",
    "cnn-features": "the course CNN's learned filters and its feature maps on an MNIST digit",
    "transfer": "pretrain on digits 0-4, freeze, new head, fine-tune on 5-9 with few labels; vs from scratch",
    "ddp": "the course CNN on 1 and 2 processes (DistributedDataParallel on MPI): same curves, time per epoch",
}


def load(name):
    """The lab module called ``name`` (imported only when asked for)."""
    if name not in LABS:
        raise KeyError(f"no lab called {name!r}; the labs are: {', '.join(sorted(LABS))}")
    return importlib.import_module(f"{__name__}.{name.replace('-', '_')}")  # rnn-gradients → rnn_gradients.py
