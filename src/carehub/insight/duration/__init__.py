"""Does support longer than 12 weeks reduce repeat referrals? (issue 16)

Public API (thin, over internals): `load_spec`, `run`, `analyse`, `load`, `write_outputs`, the estimators
`kaplan_meier` and `aalen_johansen`, and `simulate` for data with a known answer. Data are read with Ibis (DuckDB by
default, PySpark on request); the statistics run in numpy, lifelines and statsmodels on what comes back. No Django.
"""

from .analysis import analyse
from .api import run
from .data import Episodes, load
from .estimators import aalen_johansen, kaplan_meier
from .outputs import write_outputs
from .simulate import Planted, simulate
from .spec import DurationError, Spec, load_spec

__all__ = [
    "DurationError",
    "Episodes",
    "Planted",
    "Spec",
    "aalen_johansen",
    "analyse",
    "kaplan_meier",
    "load",
    "load_spec",
    "run",
    "simulate",
    "write_outputs",
]
