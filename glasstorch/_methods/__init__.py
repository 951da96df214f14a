"""Tensor methods by family, each a small mixin class that ``Tensor`` (tensor.py) inherits.

tensor.py holds the core (properties, conversion, autograd, operators); the method families that mirror a
family of ops live here, one file each: ``math.py`` (elementwise maths and special functions), ``stats.py``
(reductions and statistics), ``shape.py`` (shape, indexing and scatter ops), ``products.py`` (matrix
products), ``linalg.py`` (linear algebra), ``misc.py`` (types, storage, properties, creation helpers).

Every method is a one-line call into ``glasstorch.ops``. The ops package is reached as ``ops.<family>`` at
call time (``from .. import ops``), because the op modules import Tensor themselves: importing them here,
before Tensor exists, would be circular. glasstorch/__init__.py imports every op module.
"""
