"""SummaryWriter: log scalars, histograms, images, figures, text, hyperparameters and a model's graph for
TensorBoard, as ``torch.utils.tensorboard.SummaryWriter``.

    writer = SummaryWriter()                       # runs/Dec07_08-01-02_myhost
    for step in range(100):
        writer.add_scalar("loss/train", loss.item(), step)
    writer.add_histogram("fc1.weight", model.fc1.weight, step)
    writer.close()                                 # then: tensorboard --logdir runs

The event files are written by tensorboard's own ``EventFileWriter`` (a background thread appends
length-prefixed, CRC-checked ``Event`` protocol buffers to ``events.out.tfevents.<time>.<host>...``) from
tensorboard's own protos (``tensorboard.compat.proto``): the files are the ones PyTorch writes.

Left out: ``add_video``, ``add_audio``, ``add_embedding``, ``add_pr_curve``, ``add_mesh``, the custom-scalar
layouts, ``add_image_with_boxes`` and ``add_onnx_graph`` (they raise AttributeError naming the PyTorch API).
``add_graph`` draws the autograd graph of one forward pass (see its docstring), not a TorchScript trace.
"""
import os
import re
import socket
import time
from datetime import datetime

from tensorboard.compat.proto import event_pb2
from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import summary as _summary

__all__ = ["FileWriter", "SummaryWriter"]


class FileWriter:
    """One event file in ``log_dir``: wraps each Summary in an Event (wall time, step) and queues it for
    tensorboard's EventFileWriter, which writes at most ``flush_secs`` later (or when ``max_queue`` fill up)."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(event_pb2.Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_def, walltime=None):
        self.add_event(event_pb2.Event(graph_def=graph_def.SerializeToString()), None, walltime)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()

    def reopen(self):
        self.event_writer.reopen()


class SummaryWriter:
    """Writes TensorBoard event files into ``log_dir`` (default ``runs/<Mon><DD>_<HH-MM-SS>_<host><comment>``).

    purge_step: when a crashed run restarts at step T, events at steps >= T already in ``log_dir`` are hidden.
    max_queue / flush_secs: how many records, or how many seconds, before they reach the disk; ``flush()``
    writes them now. Every ``add_*`` takes ``global_step`` (the x axis) and ``walltime`` (default: now).
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            now = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", now + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        self.default_bins = _summary.default_bins()

    def _get_file_writer(self):
        """The main FileWriter, made again after ``close()`` (so a closed writer can go on logging)."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                self.file_writer.add_event(event_pb2.Event(step=self.purge_step, file_version="brain.Event:2"))
                self.file_writer.add_event(event_pb2.Event(
                    step=self.purge_step, session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        return self.log_dir

    # -- numbers ----------------------------------------------------------------------------------------
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """One number (a float, or a one-element tensor such as a loss) at ``global_step``."""
        summary = _summary.scalar(tag, scalar_value, new_style=new_style, double_precision=double_precision)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several numbers on one chart: each key goes to its own run, ``<log_dir>/<main_tag>_<key>``, under
        the tag ``main_tag`` (so TensorBoard draws them as lines of one plot)."""
        walltime = time.time() if walltime is None else walltime
        logdir = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            run = logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            if run not in self.all_writers:
                self.all_writers[run] = FileWriter(run, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers[run].add_summary(_summary.scalar(main_tag, value), global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """The distribution of all elements of ``values`` (a tensor or array). ``bins="tensorflow"``:
        TensorBoard's exponentially growing buckets; else anything ``numpy.histogram`` takes ("auto", 30, ...)."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._get_file_writer().add_summary(_summary.histogram(tag, values, bins, max_bins=max_bins),
                                            global_step, walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts,
                          global_step=None, walltime=None):
        """A histogram already counted: ``bucket_limits`` (each bucket's right edge) and ``bucket_counts``."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        histo = _summary.HistogramProto(min=min, max=max, num=num, sum=sum, sum_squares=sum_squares,
                                        bucket_limit=list(bucket_limits), bucket=list(bucket_counts))
        summary = _summary.Summary(value=[_summary.Summary.Value(tag=tag, histo=histo)])
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # -- pictures and text --------------------------------------------------------------------------------
    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """One image, (3, H, W) by default; ``dataformats`` names the layout otherwise ("HWC", "HW", "CHW" with
        1 channel, ...). Float values are taken in [0, 1], uint8 in [0, 255]."""
        self._get_file_writer().add_summary(_summary.image(tag, img_tensor, dataformats=dataformats),
                                            global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """A batch of images (N, 3, H, W) by default, shown as one grid image, 8 a row."""
        self._get_file_writer().add_summary(_summary.image(tag, img_tensor, dataformats=dataformats),
                                            global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """A matplotlib figure (or a list of them, shown as a grid) rendered to an image; ``close`` closes it."""
        images = _summary.figure_to_image(figure, close)
        self.add_image(tag, images, global_step, walltime, dataformats="NCHW" if isinstance(figure, list) else "CHW")

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Text (markdown) for the Text tab, under the tag ``<tag>/text_summary``."""
        self._get_file_writer().add_summary(_summary.text(tag, text_string), global_step, walltime)

    # -- hyperparameters ----------------------------------------------------------------------------------
    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None, global_step=None):
        """One row of the HParams table: this run's hyperparameters (bool, str, int, float, None) and final
        metrics. Written, as in PyTorch, to a sub-run ``<log_dir>/<run_name>`` (default: the current time),
        with each metric also logged there as a scalar."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        summaries = _summary.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name or str(time.time()))
        with SummaryWriter(log_dir=logdir) as w:
            for s in summaries:
                w.file_writer.add_summary(s, global_step)
            for k, v in metric_dict.items():
                w.add_scalar(k, v, global_step)

    # -- the model's graph --------------------------------------------------------------------------------
    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The model's graph, for TensorBoard's Graphs tab, from one forward pass on ``input_to_model`` (a
        tensor or a tuple of tensors).

        Deviation: PyTorch records a TorchScript trace; glasstorch records the autograd graph of that pass
        (``glass.graph``, inside ``glass.detect_anomaly`` so each op knows the module that ran it). Nodes are
        the ops (``op`` is the forward op's name, ``Linear`` for ``LinearBackward0``; the output shape in
        ``_output_shapes``), the parameters and buffers that reach the output (by their module path) and the
        inputs; each is placed in the scope of its module, so TensorBoard folds them into one box per module.
        Ops that no gradient flows through (integer ops, ops on tensors not needing grad) do not appear. The
        forward pass runs in the model's current mode (train mode updates batch-norm statistics, as PyTorch's
        trace does). ``verbose`` prints the GraphDef; ``use_strict_trace`` is accepted and has no effect.
        """
        graph_def = _graph_def(model, input_to_model)
        if verbose:
            print(graph_def)
        self._get_file_writer().add_graph(graph_def)

    # -- files --------------------------------------------------------------------------------------------
    def flush(self):
        """Write every pending record to disk now."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        """Flush and close the event files (a later ``add_*`` opens a new file in the same ``log_dir``)."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()


def _graph_def(model, inputs):
    """A GraphDef of the autograd graph of ``model(*inputs)`` (see ``SummaryWriter.add_graph``)."""
    from ... import glass
    from ...autograd.grad_mode import enable_grad
    from ...tensor import Tensor

    inputs = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    # fresh leaves requiring grad, so the inputs appear in the graph (the caller's tensors are untouched)
    leaves = [x.detach().requires_grad_(x.is_floating_point()) if isinstance(x, Tensor) else x for x in inputs]
    with enable_grad(), glass.detect_anomaly(model, check_nan=False):
        out = model(*leaves)
    named = dict(model.named_parameters())
    named.update(model.named_buffers())
    named.update({f"input{i}": x for i, x in enumerate(leaves) if isinstance(x, Tensor)})
    top = type(model).__name__
    defs, seen = [], set()
    for k, o in enumerate(o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, Tensor)):
        g = glass.graph(o, named, values=False)
        names, ops = {}, {}
        for rec in g.nodes:
            if rec["kind"] == "leaf":  # parameters, buffers, inputs: named by their path
                names[rec["id"]] = top + "/" + rec["name"].replace(".", "/")
                ops[rec["id"]] = "IO Node" if rec["name"].startswith("input") else "Parameter"
            else:  # an op, in the scope of the module that ran it ("layer1.0.conv1 (Conv2d)" -> layer1/0/conv1)
                module = rec["module"]
                path = "" if module is None or module.startswith("(model)") else module.rsplit(" (", 1)[0]
                op = re.sub(r"Backward\d*$", "", rec["name"])  # MmBackward0 -> Mm: the forward op
                label = f"{op}_{rec['id']}" if k == 0 else f"{op}_{k}_{rec['id']}"
                scope = [top] + (path.split(".") if path else [])
                names[rec["id"]] = "/".join(scope + [label])
                ops[rec["id"]] = op
        inputs_of = {}
        for src, dst in g.edges:
            inputs_of.setdefault(dst, []).append(names[src])
        for rec in g.nodes:
            name = names[rec["id"]]
            if name in seen:  # a parameter reached from two outputs
                continue
            seen.add(name)
            attr = {}
            if rec["shape"] is not None:
                dims = [TensorShapeProto.Dim(size=int(s)) for s in rec["shape"]]
                attr["_output_shapes"] = AttrValue(list=AttrValue.ListValue(shape=[TensorShapeProto(dim=dims)]))
            defs.append(NodeDef(name=name, op=ops[rec["id"]], input=inputs_of.get(rec["id"], []), attr=attr))
    return GraphDef(node=defs, versions=VersionDef(producer=22))
