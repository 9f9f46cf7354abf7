"""The record-linkage modules stay readable: every public function is typed and says why it exists."""

from __future__ import annotations

import inspect

import pytest

from carehub.people import linkage_keys
from carehub.repeats import bulk, dedupe, linkage, matching, scoring, selectors, services, splink_model
from carehub.synthetic import linkage_records

MODULES = [bulk, dedupe, linkage_keys, linkage, matching, splink_model, scoring, selectors, services, linkage_records]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_public_functions_have_type_hints_and_docstrings(module):
    assert module.__doc__ and len(module.__doc__) > 200, "the module says what it is for"
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or function.__module__ != module.__name__:
            continue
        assert inspect.getdoc(function), f"{module.__name__}.{name} has no docstring"
        signature = inspect.signature(function)
        assert signature.return_annotation is not inspect.Signature.empty, f"{name} has no return type"
        for parameter in signature.parameters.values():
            assert parameter.annotation is not inspect.Parameter.empty, f"{name}({parameter.name}) has no type"
