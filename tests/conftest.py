from __future__ import annotations

import contextlib
import copy
import os
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import settings as hypothesis_settings

from carehub.referrals import directory_snapshot
from tests.browser.harness import (
    HUB_IN_BACKGROUND,
    HubInBackground,
    hub_var_dir,
    is_postgres,
    throwaway_postgres_database,
)
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
# Set on a test module that has tests asking for the `world` and no browser test: see `_module_world`.
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

    In a module that shares its world (see `_module_world`), the database tests that do not ask for the world run
    first, before the world is built, so that they see the database without it; the others keep their order.
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
    worldless: set[pytest.Item] = set()
    for module, database_items in by_module.items():
        asks = [_asks_for_the_world(item) for item in database_items]
        module.stash[SHARED_WORLD] = (
            any(asks)
            and not any(i.get_closest_marker("browser") for i in database_items)
            and all(_world_comes_first(item) for item, asked in zip(database_items, asks, strict=True) if asked)
        )
        if module.stash[SHARED_WORLD]:
            worldless.update(item for item, asked in zip(database_items, asks, strict=True) if not asked)
    if worldless:
        first_seen: dict[pytest.Module | None, int] = {}
        for item in items:
            first_seen.setdefault(item.getparent(pytest.Module), len(first_seen))
        items.sort(key=lambda item: (first_seen[item.getparent(pytest.Module)], item not in worldless))


def _asks_for_the_world(item: pytest.Item) -> bool:
    return "world" in getattr(item, "fixturenames", ())


def _world_comes_first(item: pytest.Item) -> bool:
    """Whether, in the order pytest sets up this test's fixtures, the world comes before every fixture of the test's
    own that reaches the database. One that comes first (seeding the demo data, say, which wants an empty database)
    expects the database without the world, as it was when each test built its own: its module does not share one.
    """
    definitions = item._fixtureinfo.name2fixturedefs

    def own(name: str):
        fixturedefs = definitions.get(name)
        return fixturedefs[-1] if fixturedefs and fixturedefs[-1].scope == "function" else None

    def reaches_database(name: str, seen: frozenset[str] = frozenset()) -> bool:
        definition = own(name)
        if definition is None or name in seen:
            return False
        return any(a in DATABASE_FIXTURES or reaches_database(a, seen | {name}) for a in definition.argnames)

    order: list[str] = []
    started: set[str] = set()

    def set_up(name: str) -> None:
        if name in started:  # set up already, or a fixture asking for the one it overrides
            return
        started.add(name)
        definition = own(name)
        for argument in definition.argnames if definition is not None else ():
            set_up(argument)
        order.append(name)

    for name in item._fixtureinfo.names_closure:
        set_up(name)
    for name in order[: order.index("world")]:
        definition = own(name)
        if (
            definition is not None
            and not definition.func.__module__.startswith("pytest_django")
            and reaches_database(name)
        ):
            return False
    return True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, request):
    """pytest-django's test database; on PostgreSQL, in a session with browser tests, also a copy of it taken at once,
    while it is exactly as migrated, on which the browser tests' server (tests/browser/conftest.py `hub`) is filled
    and started in the background while the other tests run. Copying is a fraction of a second; migrating the
    server's own empty database took about 40 s of that pass, and filling it and starting it most of another minute,
    all before the first browser test could start. No test has run in the suite's database yet, so the copy holds
    what `carehub migrate` would have made and nothing else. If the copy cannot be taken (someone else is connected
    to the test database), the `hub` fixture builds the server itself, as before.
    """
    from django.db import connection, connections

    suite_url = os.environ.get("DATABASE_URL", "")
    browser_tests = any(
        item.get_closest_marker("browser") and not item.get_closest_marker("skip") for item in request.session.items
    )
    if not (browser_tests and is_postgres(suite_url) and connection.vendor == "postgresql"):
        yield
        return
    import psycopg

    with contextlib.ExitStack() as cleanup:  # undone in reverse: server, files, database
        with request.getfixturevalue("django_db_blocker").unblock():
            template = connection.settings_dict["NAME"]
            connections.close_all()  # PostgreSQL copies only a database nobody is connected to
            try:
                copy_url = cleanup.enter_context(throwaway_postgres_database(suite_url, template, suffix="_migrated"))
            except psycopg.Error:
                copy_url = None
        if copy_url is None:
            yield
            return
        var_dir = hub_var_dir(cleanup, request.getfixturevalue("tmp_path_factory"))
        in_background = HubInBackground(copy_url, var_dir, cleanup)
        request.config.stash[HUB_IN_BACKGROUND] = in_background
        yield
        in_background.join()


@pytest.fixture(scope="module")
def _module_world(request, django_db_setup, django_db_blocker):
    """The world built once for a module, in a transaction of the module's own: each test's transaction
    (pytest-django's, a savepoint inside this one) rolls back to the world as built, and the module's rolls the world
    back at its end. Building it costs about a second a test on PostgreSQL, most of that pass's time. It is built
    when the module's first test that asks for it starts, after the module's database tests that do not ask for it
    (`pytest_collection_modifyitems` runs those first), so that no test ever sees a world it did not ask for. A module
    with browser tests gets None (and each test its own world).
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
