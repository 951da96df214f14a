"""glasstorch.utils.tensorboard.SummaryWriter: event files read back with tensorboard's EventAccumulator and
compared with what torch.utils.tensorboard.SummaryWriter writes for the same calls."""
import io
import os
import socket

import numpy as np
import pytest
import torch
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch.utils.tensorboard import SummaryWriter as TorchWriter

import glasstorch as gt
from glasstorch.utils.tensorboard import SummaryWriter

ALL = {"scalars": 0, "histograms": 0, "images": 0, "tensors": 0, "compressedHistograms": 0}


def _read(path):
    ea = EventAccumulator(str(path), size_guidance=ALL)
    ea.Reload()
    return ea


def _both(tmp_path, calls):
    """Run ``calls(writer, lib)`` on both writers; return the two accumulators (ours, torch's)."""
    with SummaryWriter(tmp_path / "ours") as w:
        calls(w, gt)
    with TorchWriter(tmp_path / "torch") as w:
        calls(w, torch)
    return _read(tmp_path / "ours"), _read(tmp_path / "torch")


def test_scalars_values_and_steps(tmp_path):
    def calls(w, lib):
        for step in range(0, 50, 5):
            w.add_scalar("loss/train", lib.tensor(1.0 / (step + 1)), step)
            w.add_scalar("lr", 0.1 * 0.9 ** step, global_step=step, walltime=1000.0 + step)
        w.add_scalar("new", 3.25, 7, new_style=True)
        w.add_scalar("double", 1 / 3, 7, new_style=True, double_precision=True)
        w.add_scalar("loss_req_grad", lib.ones(1, requires_grad=True).sum() * 2, 1)
    ours, theirs = _both(tmp_path, calls)
    assert ours.Tags()["scalars"] == theirs.Tags()["scalars"]
    for tag in ("loss/train", "lr", "loss_req_grad"):
        assert [(e.step, e.value) for e in ours.Scalars(tag)] == [(e.step, e.value) for e in theirs.Scalars(tag)]
    assert [e.step for e in ours.Scalars("loss/train")] == list(range(0, 50, 5))
    assert [e.wall_time for e in ours.Scalars("lr")] == [1000.0 + s for s in range(0, 50, 5)]
    for tag in ("new", "double"):
        a, b = ours.Tensors(tag)[0], theirs.Tensors(tag)[0]
        assert a.step == b.step == 7 and a.tensor_proto == b.tensor_proto


def test_scalar_needs_one_element(tmp_path):
    with SummaryWriter(tmp_path) as w, pytest.raises(AssertionError, match="one element"):
        w.add_scalar("x", gt.ones(3), 0)


def test_add_scalars_writes_one_run_per_key(tmp_path):
    def calls(w, lib):
        for step in range(3):
            w.add_scalars("run/loss", {"train": 1.0 + step, "val": 2.0 * step}, step)
    _both(tmp_path, calls)
    for key, values in (("train", [1.0, 2.0, 3.0]), ("val", [0.0, 2.0, 4.0])):
        ours = _read(tmp_path / "ours" / f"run_loss_{key}")
        theirs = _read(tmp_path / "torch" / f"run_loss_{key}")
        assert [(e.step, e.value) for e in ours.Scalars("run/loss")] == list(zip(range(3), values))
        assert [(e.step, e.value) for e in theirs.Scalars("run/loss")] == list(zip(range(3), values))


@pytest.mark.parametrize("bins,max_bins", [("tensorflow", None), ("auto", None), (10, None), ("fd", 5),
                                           ("tensorflow", 64)])
def test_histogram_buckets_match_torch(tmp_path, bins, max_bins):
    data = np.random.default_rng(0).standard_normal((40, 25)).astype(np.float32) * 3 + 1

    def calls(w, lib):
        for step in range(2):
            w.add_histogram("w", lib.tensor(data + step), step, bins=bins, max_bins=max_bins)
    ours, theirs = _both(tmp_path, calls)
    for a, b in zip(ours.Histograms("w"), theirs.Histograms("w")):
        ha, hb = a.histogram_value, b.histogram_value
        assert a.step == b.step
        assert ha.bucket == hb.bucket and ha.bucket_limit == hb.bucket_limit
        assert (ha.num, ha.min, ha.max) == (hb.num, hb.min, hb.max) == (1000, hb.min, hb.max)
        assert sum(ha.bucket) == 1000
        assert ha.sum == pytest.approx(hb.sum) and ha.sum_squares == pytest.approx(hb.sum_squares)


def test_histogram_counts_known_values(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("h", gt.tensor([0.5, 1.5, 1.5, 2.5, 2.5, 2.5]), 3, bins=[0, 1, 2, 3])
        w.add_histogram("ints", np.arange(10), 4, bins=5)
        w.add_histogram_raw("raw", 0, 3, 6, 10.5, 22.75, [1, 2, 3], [1, 2, 3], global_step=5)
        with pytest.raises(ValueError, match="no element"):
            w.add_histogram("empty", gt.zeros(0), 0)
    h = _read(tmp_path).Histograms("h")[0]
    assert h.step == 3
    assert list(h.histogram_value.bucket) == [0, 1, 2, 3] and list(h.histogram_value.bucket_limit) == [0, 1, 2, 3]
    assert _read(tmp_path).Histograms("raw")[0].histogram_value.bucket == [1, 2, 3]
    assert sum(_read(tmp_path).Histograms("ints")[0].histogram_value.bucket) == 10


def _png(ev):
    return np.asarray(Image.open(io.BytesIO(ev.encoded_image_string)))


IMAGE_CASES = [("CHW", (3, 10, 20)), ("HWC", (12, 7, 3)), ("HW", (5, 9)), ("CHW", (1, 6, 4)), ("HWC", (4, 6, 4)),
               ("WH", (9, 5))]


@pytest.mark.parametrize("fmt,shape", IMAGE_CASES)
@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_add_image_dataformats_match_torch(tmp_path, fmt, shape, dtype):
    rng = np.random.default_rng(1)
    img = rng.random(shape).astype(np.float32) * 1.2 - 0.1  # out of [0, 1] on purpose: clipped
    if dtype == "uint8":
        img = rng.integers(0, 256, shape).astype(np.uint8)

    def calls(w, lib):
        w.add_image("img", lib.from_numpy(img.copy()), 2, dataformats=fmt)
    ours, theirs = _both(tmp_path, calls)
    a, b = ours.Images("img")[0], theirs.Images("img")[0]
    assert a.step == 2 and (a.width, a.height) == (b.width, b.height)
    h, w = (shape[fmt.index("H")], shape[fmt.index("W")])
    assert (a.height, a.width) == (h, w)
    np.testing.assert_array_equal(_png(a), _png(b))


@pytest.mark.parametrize("fmt,shape,size", [("NCHW", (5, 3, 8, 6), (8, 30)), ("NHWC", (10, 4, 3, 1), (8, 24)),
                                             ("NCHW", (1, 1, 5, 5), (5, 5))])
def test_add_images_grid_matches_torch(tmp_path, fmt, shape, size):
    imgs = np.random.default_rng(2).random(shape).astype(np.float32)

    def calls(w, lib):
        w.add_images("batch", lib.tensor(imgs), 0, dataformats=fmt)
    ours, theirs = _both(tmp_path, calls)
    a, b = ours.Images("batch")[0], theirs.Images("batch")[0]
    assert (a.height, a.width) == size == (b.height, b.width)
    np.testing.assert_array_equal(_png(a), _png(b))


def test_image_format_errors(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(AssertionError, match="different"):
            w.add_image("x", gt.zeros(3, 4), 0)  # CHW given a 2-d tensor
        with pytest.raises(AssertionError, match="twice"):
            w.add_image("x", gt.zeros(3, 4, 4), 0, dataformats="HHW")


def test_add_figure(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def fig():
        f = plt.figure(figsize=(2, 1.5), dpi=50)
        plt.plot([0, 1], [1, 0])
        return f
    with SummaryWriter(tmp_path) as w:
        f = fig()
        w.add_figure("one", f, 1)
        assert not plt.fignum_exists(f.number)  # closed by default
        w.add_figure("many", [fig(), fig(), fig()], 2)
        g = fig()
        w.add_figure("kept", g, 3, close=False)
        assert plt.fignum_exists(g.number)
        plt.close(g)
    ea = _read(tmp_path)
    one = ea.Images("one")[0]
    assert (one.width, one.height) == (100, 75) and one.step == 1
    assert (ea.Images("many")[0].width, ea.Images("many")[0].height) == (300, 75)
    assert _png(one).shape == (75, 100, 3)


def test_add_text(tmp_path):
    def calls(w, lib):
        w.add_text("notes", "**lr** = 0.1", 4)
        w.add_text("notes", "é ünïcode", 5)
    ours, theirs = _both(tmp_path, calls)
    a, b = ours.Tensors("notes/text_summary"), theirs.Tensors("notes/text_summary")
    assert [(e.step, e.tensor_proto.string_val) for e in a] == [(e.step, e.tensor_proto.string_val) for e in b]
    assert a[1].tensor_proto.string_val == ["é ünïcode".encode()]
    assert ours.SummaryMetadata("notes/text_summary").plugin_data.plugin_name == "text"


def test_add_hparams(tmp_path):
    from tensorboard.plugins.hparams import plugin_data_pb2

    def calls(w, lib):
        w.add_hparams({"lr": 0.01, "optimizer": "adam", "layers": 3, "skip": None},
                      {"hparam/accuracy": 0.9, "hparam/loss": 0.25}, run_name="trial",
                      hparam_domain_discrete={"optimizer": ["adam", "sgd"]})
    _both(tmp_path, calls)
    ours, theirs = _read(tmp_path / "ours" / "trial"), _read(tmp_path / "torch" / "trial")
    assert sorted(ours.Tags()["scalars"]) == ["hparam/accuracy", "hparam/loss"]
    assert ours.Scalars("hparam/accuracy")[0].value == pytest.approx(0.9)
    for tag in ("_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info"):
        a = plugin_data_pb2.HParamsPluginData.FromString(ours.SummaryMetadata(tag).plugin_data.content)
        b = plugin_data_pb2.HParamsPluginData.FromString(theirs.SummaryMetadata(tag).plugin_data.content)
        assert a == b
    start = plugin_data_pb2.HParamsPluginData.FromString(
        ours.SummaryMetadata("_hparams_/session_start_info").plugin_data.content).session_start_info
    assert start.hparams["lr"].number_value == 0.01 and start.hparams["optimizer"].string_value == "adam"
    assert "skip" not in start.hparams
    with SummaryWriter(tmp_path / "bad") as w:
        with pytest.raises(TypeError, match="dictionary"):
            w.add_hparams([("lr", 1)], {})
        with pytest.raises(ValueError, match="value should be one of"):
            w.add_hparams({"lr": [1, 2]}, {})
        with pytest.raises(TypeError, match="same type"):
            w.add_hparams({"lr": 0.1}, {}, hparam_domain_discrete={"lr": ["a"]})


def test_bool_hparam_is_stored_as_bool(tmp_path):
    from tensorboard.plugins.hparams import plugin_data_pb2
    with SummaryWriter(tmp_path) as w:
        w.add_hparams({"augment": True}, {"m": 1.0}, run_name="r")
    content = _read(tmp_path / "r").SummaryMetadata("_hparams_/session_start_info").plugin_data.content
    assert plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info.hparams["augment"].bool_value


class _Net(gt.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = gt.nn.Conv2d(1, 2, 3)
        self.bn = gt.nn.BatchNorm2d(2)
        self.fc = gt.nn.Linear(2 * 4 * 4, 3)

    def forward(self, x):
        h = gt.relu(self.bn(self.conv(x)))
        return self.fc(h.flatten(1)) + 1


def test_add_graph_module_scopes_and_edges(tmp_path):
    model = _Net()
    x = gt.randn(2, 1, 6, 6)
    with SummaryWriter(tmp_path) as w:
        w.add_graph(model, x)
    assert x.grad_fn is None and not x.requires_grad  # the caller's input is untouched
    graph = _read(tmp_path).Graph()
    nodes = {n.name: n for n in graph.node}
    assert "_Net/input0" in nodes and nodes["_Net/input0"].op == "IO Node"
    for p in ("conv/weight", "conv/bias", "bn/weight", "bn/bias", "fc/weight", "fc/bias"):
        assert nodes["_Net/" + p].op == "Parameter"
    conv = [n for n in graph.node if n.name.startswith("_Net/conv/") and n.op not in ("Parameter",)]
    assert len(conv) == 1 and set(conv[0].input) == {"_Net/input0", "_Net/conv/weight", "_Net/conv/bias"}
    assert [d.size for d in conv[0].attr["_output_shapes"].list.shape[0].dim] == [2, 2, 4, 4]
    assert any(n.name.startswith("_Net/fc/") for n in graph.node if n.op != "Parameter")
    names = set(nodes)
    for n in graph.node:  # every edge points at a node of the graph
        assert set(n.input) <= names


def test_add_graph_multiple_inputs_and_outputs(tmp_path):
    class Two(gt.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = gt.nn.Linear(3, 2)

        def forward(self, x, y):
            h = self.a(x)
            return h * y, h.sum()
    with SummaryWriter(tmp_path) as w:
        w.add_graph(Two(), (gt.randn(4, 3), gt.randn(4, 2)))
    names = {n.name for n in _read(tmp_path).Graph().node}
    assert {"Two/input0", "Two/input1", "Two/a/weight"} <= names


def test_default_log_dir_comment_flush_close_reopen(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1", flush_secs=1)
    assert os.path.dirname(w.log_dir) == "runs"
    assert w.log_dir.endswith("_" + socket.gethostname() + "_lr0.1")
    assert w.get_logdir() == w.log_dir
    w.add_scalar("a", 1.0, 0)
    w.flush()
    assert [e.value for e in _read(w.log_dir).Scalars("a")] == [1.0]  # readable after flush, before close
    w.close()
    w.close()  # twice is fine
    w.add_scalar("a", 2.0, 1)  # after close: a new event file in the same folder
    w.close()
    assert [(e.step, e.value) for e in _read(w.log_dir).Scalars("a")] == [(0, 1.0), (1, 2.0)]
    assert len([f for f in os.listdir(w.log_dir) if f.startswith("events.out.tfevents")]) == 2


def test_filename_suffix_and_purge_step(tmp_path):
    with SummaryWriter(tmp_path, filename_suffix=".first") as w:
        for s in range(10):
            w.add_scalar("x", float(s), s)
    with SummaryWriter(tmp_path, purge_step=5, filename_suffix=".second") as w:
        w.add_scalar("x", 50.0, 5)
    assert any(f.endswith(".first") for f in os.listdir(tmp_path))
    assert [(e.step, e.value) for e in _read(tmp_path).Scalars("x")] == [(s, float(s)) for s in range(5)] + [(5, 50.0)]


def test_missing_api_is_named():
    import glasstorch.utils.tensorboard as tb
    with pytest.raises(AttributeError, match="torch.utils.tensorboard.nothing_here"):
        tb.nothing_here
    with pytest.raises(AttributeError):
        SummaryWriter.add_video


def test_fit_logs_each_epoch_to_a_writer(tmp_path):
    from glasstorch.train import fit
    from glasstorch.utils.data import DataLoader, TensorDataset

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    train = DataLoader(TensorDataset(gt.tensor(X), gt.tensor(y)), batch_size=10)
    val = DataLoader(TensorDataset(gt.tensor(X[:12]), gt.tensor(y[:12])), batch_size=6)
    model = gt.nn.Linear(4, 2)
    with SummaryWriter(tmp_path) as w:
        history = fit(model, train, val, loss_fn=gt.nn.CrossEntropyLoss(),
                      optimizer=gt.optim.SGD(model.parameters(), lr=0.1), epochs=3, metrics=["accuracy"],
                      quiet=True, log=None, writer=w)
        ea = _read(tmp_path)  # readable before close: fit flushes at the end
    assert set(ea.Tags()["scalars"]) == {"loss/train", "loss/val", "accuracy/train", "accuracy/val", "lr",
                                         "epoch_time"}
    for tag, key in (("loss/train", "train_loss"), ("loss/val", "val_loss"), ("accuracy/val", "val_accuracy")):
        events = ea.Scalars(tag)
        assert [e.step for e in events] == [0, 1, 2]
        np.testing.assert_allclose([e.value for e in events], history.history[key], rtol=1e-6)


def test_glass_watch_logs_to_tensorboard(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from glasstorch import glass, nn
    from glasstorch.utils.tensorboard import SummaryWriter
    gt.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = gt.optim.SGD(model.parameters(), lr=0.1)
    with glass.watch(model, every=2) as w:
        for _ in range(6):
            loss = model(gt.randn(16, 4)).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    with SummaryWriter(str(tmp_path)) as writer:
        written = w.to_tensorboard(writer)
    acc = EventAccumulator(str(tmp_path), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    tags = acc.Tags()
    assert written > 0 and "watch/1/dead" in tags["scalars"] and "watch/0.weight/grad_norm" in tags["scalars"]
    rec = w.history["layers"]["1"]
    got = [(e.step, e.value) for e in acc.Scalars("watch/1/dead")]
    assert got == [(s, pytest.approx(v)) for s, v in zip(rec["step"], rec["dead"])]
    hists = acc.Histograms("watch/0/output")
    assert [h.step for h in hists] == rec["step"]
    assert [sum(h.histogram_value.bucket) for h in hists] == [sum(c) for c in rec["hist"]]
