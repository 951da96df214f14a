"""Benchmark cases: each builds, for one library (torch or glasstorch), a step function to time.

The same code runs on both libraries (that is the point of glasstorch's API), so each case is written once
with ``lib`` standing for the module.
"""
import numpy as np


def matmul_tanh_sum(lib):
    """(a) a 512×512 matmul, tanh and sum, forward and backward."""
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((512, 512)).astype(np.float32), requires_grad=True)
    b = lib.tensor(rng.standard_normal((512, 512)).astype(np.float32) / 20, requires_grad=True)

    def step():
        a.grad = b.grad = None
        (a @ b).tanh().sum().backward()

    return step


def small_op_chain(lib):
    """(b) Python overhead per op: 100 small elementwise ops on a 16×16 tensor, forward and backward.

    Reported per op: (step time) / 100.
    """
    x = lib.randn(16, 16, requires_grad=True)
    ones = lib.ones(16, 16)

    def step():
        x.grad = None
        y = x
        for _ in range(25):
            y = (y * 1.001 + 0.01).tanh() - x
        y.backward(ones)

    step.ops_per_step = 100
    return step


def small_op_forward_no_grad(lib):
    """(b') Python overhead per op without autograd: 100 small ops under no_grad."""
    x = lib.randn(16, 16)

    def step():
        with lib.no_grad():
            y = x
            for _ in range(25):
                y = (y * 1.001 + 0.01).tanh() - x

    step.ops_per_step = 100
    return step


def _mnist_shaped(lib, n=60000):
    """Random data shaped like MNIST's training set: n×784 float32 images, int64 labels 0..9."""
    rng = np.random.default_rng(0)
    x = lib.from_numpy(rng.standard_normal((n, 784), dtype=np.float32))
    y = lib.from_numpy(rng.integers(0, 10, n).astype(np.int64))
    return x, y


def _endless(loader):
    while True:
        yield from loader


def mlp_train_step(lib):
    """The course's MLP 784-256-128-10 (ReLU, dropout 0.2), Adam lr 1e-3, cross-entropy, batch 64; each step
    takes its batch from a shuffled DataLoader over a TensorDataset. One 60k epoch = 938 steps."""
    nn = lib.nn
    lib.manual_seed(0)
    x, y = _mnist_shaped(lib)
    batches = _endless(lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True))
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def step():
        xb, yb = next(batches)
        optimizer.zero_grad()
        loss_fn(model(xb), yb).backward()
        optimizer.step()

    return step


def dataloader_epoch(lib):
    """One shuffled epoch of a DataLoader (batch 64) over a 60,000×784 TensorDataset, doing nothing else."""
    x, y = _mnist_shaped(lib)
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)

    def step():
        for _ in loader:
            pass

    return step


def _mnist_model(lib, name):
    from glasstorch.labs.mnist_models import MODELS
    lib.manual_seed(0)
    return MODELS[name](lib.nn)


def _mnist_train(name):
    return _train_case(lambda lib: _mnist_model(lib, name))


def _mnist_eval(name):
    def case(lib):
        """The lab's model in eval mode on a batch of 1,000 images under no_grad (the test-set pass)."""
        model = _mnist_model(lib, name).eval()
        x = lib.from_numpy(np.random.default_rng(0).standard_normal((1000, 1, 28, 28), dtype=np.float32))

        def step():
            with lib.no_grad():
                model(x)

        return step
    return case


def _seq_mnist_lstm(lib):
    """The seq-mnist lab's model: an LSTM (28 inputs, 2 layers × 128) reads an image's 28 rows as 28 steps;
    a Linear on the last step's hidden state gives the 10 scores."""
    nn = lib.nn

    class SeqMnistLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(28, 128, num_layers=2, batch_first=True)
            self.fc = nn.Linear(128, 10)

        def forward(self, x):                       # x (N, 1, 28, 28) → rows (N, 28 steps, 28 pixels)
            out, _ = self.lstm(x.reshape(x.shape[0], 28, 28))
            return self.fc(out[:, -1])

    return SeqMnistLSTM()


def _tiny_vit(lib):
    from glasstorch.labs.vit import tiny_vit
    return tiny_vit(lib.nn)


def _train_case(build):
    def case(lib):
        """One Adam step (lr 1e-3, batch 64, cross-entropy) of the model ``build(lib)`` on a batch of 64 random
        MNIST-shaped images; batches are sliced from a 6,400-image tensor (no DataLoader, so only the model's
        work is timed). One 60k epoch = 938 steps."""
        lib.manual_seed(0)
        model = build(lib)
        rng = np.random.default_rng(0)
        x = lib.from_numpy(rng.standard_normal((6400, 1, 28, 28), dtype=np.float32))
        y = lib.from_numpy(rng.integers(0, 10, 6400).astype(np.int64))
        optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = lib.nn.CrossEntropyLoss()
        model.train()
        state = {"i": 0}

        def step():
            i = state["i"] = (state["i"] + 64) % 6400
            optimizer.zero_grad()
            loss_fn(model(x[i:i + 64]), y[i:i + 64]).backward()
            optimizer.step()

        return step
    return case


CASES = {
    "matmul_tanh_sum": matmul_tanh_sum,
    "small_op_chain": small_op_chain,
    "small_op_forward_no_grad": small_op_forward_no_grad,
    "mlp_train_step": mlp_train_step,
    "dataloader_epoch": dataloader_epoch,
    "mnist_mlp_train": _mnist_train("mlp"),
    "mnist_cnn_train": _mnist_train("cnn"),
    "mnist_improved_cnn_train": _mnist_train("improved-cnn"),
    "mnist_mlp_eval": _mnist_eval("mlp"),
    "mnist_cnn_eval": _mnist_eval("cnn"),
    "mnist_improved_cnn_eval": _mnist_eval("improved-cnn"),
    "seq_mnist_lstm_train": _train_case(_seq_mnist_lstm),
    "tiny_vit_train": _train_case(_tiny_vit),
}
