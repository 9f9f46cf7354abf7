"""Errors a person can act on: each names the file, data set, column or group at fault and what to do.

Everything the engine refuses to compute raises an `EIAError`, never a silent wrong number. The subclasses let the
command line and the tests tell the kinds apart; the message alone must be enough for the person reading it.
"""

from __future__ import annotations


class EIAError(Exception):
    """Base class: an equality impact assessment cannot be produced as asked."""


class SpecError(EIAError):
    """The specification file is malformed, or names something it does not define."""


class DataFileError(EIAError):
    """A data file is missing, unreadable, or not what its name says it is (a CSV called .parquet, say)."""


class MissingColumnError(EIAError):
    """The specification uses a column that the data set does not have."""


class CategoryError(EIAError):
    """A category is named that the data never holds, or the data hold a value the specification does not map."""


class DenominatorError(EIAError):
    """A population table does not cover a group (or area) that the data contain, or a population is not positive."""


class BackendError(EIAError):
    """The requested backend is unknown or not installed."""
