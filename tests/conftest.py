from __future__ import annotations

import copy
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
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
# Set on a test module when every test in it that can see the database asks for the `world`: see `_module_world`.
SHARED_WORLD = pytest.StashKey[bool]()
MD5_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS_AT_ONCE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


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
    by_module: dict[pytest.Module, list[pytest.Item]] = defaultdict(list)
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()) and item.get_closest_marker("spark") is None:
            item.add_marker(pytest.mark.spark)
        if uses_database(item):
            item.add_marker(pytest.mark.database)
            module = item.getparent(pytest.Module)
            if module is not None:
                by_module[module].append(item)
    for module, database_items in by_module.items():
        module.stash[SHARED_WORLD] = all(
            "world" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("browser")
            for item in database_items
        )


@pytest.fixture(scope="module")
def _module_world(request, django_db_setup, django_db_blocker):
    """The world built once for a module whose every database test asks for it, in a transaction of the module's
    own: each test's transaction (pytest-django's, a savepoint inside this one) rolls back to the world as built,
    and the module's rolls the world back at its end. Building it costs about a second a test on PostgreSQL, most of
    that pass's time. A module with any database test that does not ask for the world gets None (and each test its
    own world), so that no test ever sees a world it did not ask for.
    """
    if not request.node.stash.get(SHARED_WORLD, False):
        yield None
        return
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # as Django's TestCase marks its own: a durable block inside a test still works
        outer.__enter__()
        try:
            directory_snapshot.forget()
            cache.clear()
            with override_settings(PASSWORD_HASHERS=MD5_HASHING, TASKS=TASKS_AT_ONCE):  # as every test has them
                built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
        directory_snapshot.forget()


@pytest.fixture
def world(_module_world, db):
    """The personas and their records: the module's shared world as a fresh copy (a test may change the objects it
    is given, never the next test's), or built for this test alone."""
    if _module_world is None:
        return build_world()
    return copy.deepcopy(_module_world)


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
    settings.PASSWORD_HASHERS = MD5_HASHING


@pytest.fixture
def argon2_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run inline in tests, at the moment they are enqueued: deterministic, and no worker needed."""
    settings.TASKS = TASKS_AT_ONCE
