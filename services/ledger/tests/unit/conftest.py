"""Unit tests of the ledger domain: pure, no database, no I/O.

The repository runs pytest with ``--import-mode=importlib`` and test folders are not
packages (several services have a ``tests/unit``; as packages their modules would clash
by name). So the shared given/when/then helpers, ``ledger_scenarios``, are made
importable by putting this folder on ``sys.path``; its name is unique in the monorepo.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
