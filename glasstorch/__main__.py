"""``python -m glasstorch ...`` runs the command line (see cli.py), e.g. ``python -m glasstorch demo backprop``."""
from .cli import main

raise SystemExit(main())
