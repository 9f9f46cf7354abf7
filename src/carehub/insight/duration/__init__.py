"""Does support longer than 12 weeks reduce repeat referrals? (issue 16)

Public API (thin, over internals): `load_spec`, `run`, `analyse`, `load`, `write_outputs`, the estimators
`kaplan_meier` and `aalen_johansen`, and `simulate` for data with a known answer. Data are read with Ibis (DuckDB by
default, PySpark on request); the statistics run in numpy, lifelines and statsmodels on what comes back. No Django.

Names are imported on first use (PEP 562): the seeder imports `simulate` for its planted effect and must not pay for
Ibis, lifelines and statsmodels, which it never uses.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "analyse": "analysis",
    "run": "api",
    "Episodes": "data",
    "load": "data",
    "aalen_johansen": "estimators",
    "kaplan_meier": "estimators",
    "write_outputs": "outputs",
    "Planted": "simulate",
    "simulate": "simulate",
    "DurationError": "spec",
    "Spec": "spec",
    "load_spec": "spec",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value
