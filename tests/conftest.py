from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import settings as hypothesis_settings

from carehub.referrals import directory_snapshot
from tests.world import build_world

# Property tests draw the same examples on every run (a failure found once is found every time, and CI never meets a
# new random world the developer did not): derandomised, and no example database carried between runs.
hypothesis_settings.register_profile("carehub", derandomize=True, database=None, print_blob=True)
hypothesis_settings.load_profile("carehub")


# pytest-django's ways into the test database: a test asking for none of them cannot reach Django's database at all
# (pytest-django refuses it), so its outcome cannot depend on which database the suite runs against.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
)


def uses_database(item: pytest.Item) -> bool:
    """Whether a test can see the database the suite runs on: through pytest-django (a database fixture, the
    `django_db` marker, or a fixture of ours that unblocks it), or, for a browser test, through the server process
    that the browser harness starts against it."""
    if any(item.get_closest_marker(m) for m in ("django_db", "browser")):
        return True
    if set(getattr(item, "fixturenames", ())) & DATABASE_FIXTURES:
        return True
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    return any(
        "django_db_blocker" in d.argnames and not d.func.__module__.startswith("pytest_django")
        for defs in definitions.values()
        for d in defs
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that asks for the `spark` session is a Spark test, marked or not, so `-m "not spark"` leaves it out.

    A test that can see the database is marked `database`: `make test` runs the whole suite on SQLite, then only
    these again on PostgreSQL (the others would repeat, to the byte, what they did in the first pass).
    """
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()) and item.get_closest_marker("spark") is None:
            item.add_marker(pytest.mark.spark)
        if uses_database(item):
            item.add_marker(pytest.mark.database)


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(world):
    """A signed-in test client for a persona."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(world.users[username])
        return client

    return make


@pytest.fixture(autouse=True)
def _fresh_routing_directory():
    """A test's services vanish when its transaction rolls back, with no signal: routing must not remember them."""
    directory_snapshot.forget()
    yield
    directory_snapshot.forget()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit and lock-out counts live in the cache: one test's requests must not count against the next's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that check hashing itself ask for it back with `argon2_hashing`."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def argon2_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run inline in tests, at the moment they are enqueued: deterministic, and no worker needed."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
