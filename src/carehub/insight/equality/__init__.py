"""The equality impact engine: does each commitment reach minoritised people, and does any harm them?

Public API (thin, over internals): `load_spec`, `assess`, `run` and `write_outputs`, the `EIAError` family, and
`connect` for a backend. Analyses are built as Ibis expressions and run on DuckDB by default, PySpark or PostgreSQL
on request; statistics are computed afterwards on the small counts that come back.
"""

from .api import run
from .backends import connect
from .engine import Assessment, assess
from .errors import (
    BackendError,
    CategoryError,
    DataFileError,
    DenominatorError,
    EIAError,
    MissingColumnError,
    SpecError,
)
from .outputs import write_outputs
from .spec import Spec, load_spec

__all__ = [
    "Assessment",
    "BackendError",
    "CategoryError",
    "DataFileError",
    "DenominatorError",
    "EIAError",
    "MissingColumnError",
    "Spec",
    "SpecError",
    "assess",
    "connect",
    "load_spec",
    "run",
    "write_outputs",
]
