"""Process groups: who takes part in a collective, and the MPI communicator that carries it.

PyTorch's ``torch.distributed`` talks to its peers through a *backend* (gloo, NCCL, MPI). glasstorch has one:
MPI, through ``mpi4py`` (Open MPI from Debian's packages: ``apt-get install openmpi-bin libopenmpi-dev`` then
``pip install mpi4py``, or ``pip install -e '.[distributed]'``). A script that asks for ``backend="gloo"`` (the
usual choice for CPUs) is served by MPI too: same results, and ``get_backend()`` answers the name it was given.

Who is who. ``mpirun`` (or ``glasstorch run --nproc-per-node N``, which calls it) starts the processes and MPI
numbers them: that number is the rank. The ``env://`` variables (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
``MASTER_ADDR``, ``MASTER_PORT``) that torchrun sets are read and checked against MPI's numbering, and so are
``rank=``/``world_size=`` when a script passes them. MPI does the rendezvous itself, so ``MASTER_ADDR``/
``MASTER_PORT`` and ``tcp://``/``file://`` init methods are accepted and not used (deviation: stated here). A
script started as one plain process with ``world_size`` 1 (or none given) gets a group of one.

A group is a set of ranks with its own communicator (``new_group``); the default group (``group.WORLD``) holds
every process. Collectives name peers by their *global* rank, as PyTorch's do; a group translates them.
"""
import os

__all__ = ["Backend", "ProcessGroup", "GroupMember", "group", "init_process_group", "destroy_process_group",
           "is_initialized", "is_available", "is_mpi_available", "is_gloo_available", "is_nccl_available",
           "is_torchelastic_launched", "get_rank", "get_world_size", "get_backend", "new_group",
           "get_global_rank", "get_group_rank", "get_process_group_ranks", "get_node_local_rank"]


class Backend(str):
    """The backend names PyTorch knows; glasstorch serves ``mpi`` and ``gloo`` (over MPI)."""
    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: {type(name)}")
        return str.__new__(cls, name.lower())


class ProcessGroup:
    """A set of processes and the MPI communicator they use: ``ranks[i]`` is the global rank of member i."""

    def __init__(self, comm, ranks, backend):
        self.comm = comm              # the mpi4py communicator of the members (a duplicate: ours alone)
        self.ranks = list(ranks)      # global ranks, in group-rank order
        self.backend = backend

    def rank(self):
        return self.comm.Get_rank()

    def size(self):
        return self.comm.Get_size()

    def group_rank(self, global_rank):
        """The member number of a global rank; ValueError when it is not a member."""
        try:
            return self.ranks.index(global_rank)
        except ValueError:
            raise ValueError(f"Global rank {global_rank} is not part of group {self}") from None

    def name(self):
        return self.backend

    def __repr__(self):
        return f"ProcessGroup(backend={self.backend!r}, ranks={self.ranks})"


class GroupMember:
    """``GroupMember.WORLD`` is the default group once initialized; ``NON_GROUP_MEMBER`` is what ``new_group``
    gives a process that is not in the group."""
    WORLD = None
    NON_GROUP_MEMBER = object()


class group:
    """``dist.group.WORLD``: the default process group (None before ``init_process_group``)."""
    WORLD = None


_WORLD_ALIAS = group  # the class above, for functions whose parameter is called ``group`` (PyTorch's name)
_state = {"world": None, "mpi": None, "groups": []}


def _mpi():
    """mpi4py's MPI module (importing it starts MPI in this process), with a clear error when it is missing."""
    if _state["mpi"] is None:
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise RuntimeError("glasstorch.distributed runs on MPI through mpi4py, which is not installed: "
                               "apt-get install openmpi-bin libopenmpi-dev, then pip install mpi4py "
                               f"(or pip install -e '.[distributed]') ({e})") from None
        _state["mpi"] = MPI
    return _state["mpi"]


def is_available():
    """True: the package is there (a backend needs mpi4py, see ``is_mpi_available``)."""
    return True


def is_mpi_available():
    import importlib.util
    return importlib.util.find_spec("mpi4py") is not None


def is_gloo_available():
    """"gloo" is served by MPI here: available when MPI is."""
    return is_mpi_available()


def is_nccl_available():
    return False


def is_torchelastic_launched():
    """Whether a launcher set the env:// variables (torchrun sets TORCHELASTIC_RUN_ID; ours does too)."""
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def is_initialized():
    return _state["world"] is not None


def _env_int(name):
    value = os.environ.get(name)
    return None if value in (None, "") else int(value)


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Join the default process group: every process of the job calls this once, before any collective."""
    if _state["world"] is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    name = Backend(backend or "gloo")
    if ":" in name:  # "cpu:gloo,cuda:nccl": the CPU entry is the one that counts here
        parts = dict(p.split(":", 1) for p in name.split(",") if ":" in p)
        name = Backend(parts.get("cpu", "gloo"))
    if name == Backend.NCCL:
        raise RuntimeError("Distributed package doesn't have NCCL built in (glasstorch serves the 'mpi' and "
                           "'gloo' backends, both over MPI, on CPUs)")
    if name not in (Backend.MPI, Backend.GLOO):
        raise ValueError(f"Invalid backend: '{name}' (glasstorch serves 'mpi' and 'gloo', both over MPI)")
    if init_method is not None and not str(init_method).startswith(("env://", "tcp://", "file://")):
        raise ValueError(f"Invalid init_method {init_method!r}: expected env://, tcp:// or file://")
    if world_size is None or world_size == -1:
        world_size = _env_int("WORLD_SIZE") if init_method in (None, "env://") else None
    if rank is None or rank == -1:
        rank = _env_int("RANK") if init_method in (None, "env://") else None
    MPI = _mpi()
    world = MPI.COMM_WORLD
    size, me = world.Get_size(), world.Get_rank()
    if world_size is not None and world_size != size:
        if size == 1:
            raise RuntimeError(f"init_process_group: world_size is {world_size} but this process was started "
                               "alone: glasstorch's processes are started by MPI, so launch the script with "
                               f"`glasstorch run --nproc-per-node {world_size} SCRIPT` (or mpirun -n {world_size})")
        raise RuntimeError(f"init_process_group: world_size is {world_size} but MPI started {size} processes")
    if rank is not None and rank != me:
        raise RuntimeError(f"init_process_group: rank is {rank} but MPI numbers this process {me} "
                           "(launched by mpirun, MPI's numbering decides)")
    pg = ProcessGroup(world.Dup(), range(size), str(name))
    _state["world"] = pg
    group.WORLD = GroupMember.WORLD = pg
    return None


def _default():
    if _state["world"] is None:
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group.")
    return _state["world"]


def resolve(g):
    """The group a collective runs in: the default one for None / group.WORLD."""
    if g is None or g is GroupMember.WORLD:
        return _default()
    if g is GroupMember.NON_GROUP_MEMBER:
        raise ValueError("Invalid process group specified: this process is not a member of the group")
    _default()
    return g


def destroy_process_group(group=None):
    """Leave the group (every group, for None): its communicators are freed; init_process_group may follow."""
    from .collectives import _wait_outstanding
    if group is None or group is GroupMember.WORLD:
        pg = _default()
        _wait_outstanding()
        for g in _state["groups"] + [pg]:
            if g.comm is not None:
                g.comm.Free()
                g.comm = None
        _state["groups"] = []
        _state["world"] = None
        _WORLD_ALIAS.WORLD = GroupMember.WORLD = None
    elif group is not GroupMember.NON_GROUP_MEMBER:
        if group.comm is not None:
            group.comm.Free()
            group.comm = None
        if group in _state["groups"]:
            _state["groups"].remove(group)


def get_rank(group=None):
    """This process's rank in ``group`` (global rank for the default group); -1 if not a member."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return resolve(group).rank()


def get_world_size(group=None):
    """The number of processes in ``group``; -1 for a process outside it."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return resolve(group).size()


def get_backend(group=None):
    return resolve(group).backend


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None):
    """A group of the given global ranks (all, for None). Every process of the default group must call it,
    in the same order, as in PyTorch; a process outside ``ranks`` gets ``GroupMember.NON_GROUP_MEMBER``."""
    world = _default()
    ranks = sorted(set(range(world.size()) if ranks is None else ranks))
    for r in ranks:
        if not 0 <= r < world.size():
            raise ValueError(f"Invalid rank {r} in new_group: ranks must be in [0, {world.size() - 1}]")
    mpi_group = world.comm.Get_group().Incl(ranks)
    comm = world.comm.Create(mpi_group)   # collective over the default group; COMM_NULL for non-members
    mpi_group.Free()
    if comm == _mpi().COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(comm, ranks, str(Backend(backend)) if backend else world.backend)
    _state["groups"].append(pg)
    return pg


def get_global_rank(group, group_rank):
    return resolve(group).ranks[group_rank]


def get_group_rank(group, global_rank):
    return resolve(group).group_rank(global_rank)


def get_process_group_ranks(group):
    return list(resolve(group).ranks)


def get_node_local_rank(fallback_rank=None):
    """LOCAL_RANK from the launcher (Open MPI's own local rank otherwise)."""
    for name in ("LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK"):
        if os.environ.get(name) not in (None, ""):
            return int(os.environ[name])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError("LOCAL_RANK is not in the environment (launch with glasstorch run --nproc-per-node N)")
