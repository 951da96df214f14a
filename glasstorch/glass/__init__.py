"""glasstorch.glass: instruments that show what happens inside a network, each one call on a model or tensor.

    from glasstorch import glass
    glass.graph(loss, model).save("graph.svg")      # the autograd graph, ops and named parameters
    glass.explain_backward(loss)                     # the chain rule, step by step, as a table
    with glass.watch(model) as w: ...                # activations, dead units, gradient flow over training
    with glass.detect_anomaly(): ...                 # the op, module and line where the first NaN/Inf appears
    glass.feature_maps(model, image); glass.filters(conv)
    with glass.profile() as prof: ...                # per-op calls, time and FLOPs
    glass.watch_script("train.py")                   # = glasstorch run --watch train.py: a PyTorch script, watched

Each instrument lives in its own file in this folder. None of them costs anything while it is not attached.
In a Jupyter notebook the results show themselves: the graph as SVG (an HTML table without Graphviz), a watch
as HTML tables with its figure (and PNG), feature maps as PNG, explain_backward and profile as HTML tables.
"""
from .graph import *  # noqa: F401,F403
from .explain import *  # noqa: F401,F403
from .watch import *  # noqa: F401,F403
from .features import *  # noqa: F401,F403
from .anomaly import *  # noqa: F401,F403
from .profile import *  # noqa: F401,F403
from .script_watch import *  # noqa: F401,F403
