"""The `database` marker decides what the PostgreSQL pass of `make test` runs: a test that can see the database must
carry it, and one that cannot must not (it would only repeat, on PostgreSQL, what it did on SQLite)."""

from __future__ import annotations

import pytest

from tests.conftest import uses_database


def test_a_test_that_asks_for_the_database_is_marked(request, db):
    assert uses_database(request.node)
    assert request.node.get_closest_marker("database") is not None


@pytest.mark.django_db
def test_a_test_marked_django_db_is_marked(request):
    assert request.node.get_closest_marker("database") is not None


def test_a_test_without_the_database_is_not_marked(request, settings, tmp_path):
    assert not uses_database(request.node)
    assert request.node.get_closest_marker("database") is None
