"""A real Care Hub server and the system Chromium, for tests that see the pages as a person does.

The server is `carehub runserver` in its own process against its own fresh database (SQLite in a temporary directory,
or a throwaway PostgreSQL database when DATABASE_URL names PostgreSQL), filled with tests/world.py by build_world.py.
pytest-django's live_server is not used: it flushes the database between tests, and the audit trail's triggers
refuse the deletes a flush needs, as they must.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.harness import (
    AXE_JS,
    BUILT_CSS,
    CHROMIUM,
    MIGRATED_HUB_DATABASE,
    AxeVerdicts,
    Hub,
    Tab,
    Visitor,
    carehub_command,
    is_postgres,
    launch,
    memory_backed_dir,
    run,
    server_environment,
    start_server,
    stop_server,
    throwaway_postgres_database,
)
from tests.factories import PASSWORD


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip, saying why, when this machine cannot run a browser, rather than fail in a way that looks like a bug."""
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install it with `make chromium` (apt-get install chromium)"
    elif not AXE_JS.exists() or not BUILT_CSS.exists():
        reason = "front-end assets are missing: run `make assets` (npm packages and the compiled styles)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "Playwright is not installed: pip install -e '.[dev]'"
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """A real Care Hub server on a free port with tests/world.py's data, stopped at the end of the session."""
    with contextlib.ExitStack() as cleanup:  # undone in reverse: server, then database, then files
        var_dir = memory_backed_dir()
        if var_dir is not None:
            cleanup.callback(shutil.rmtree, var_dir, ignore_errors=True)
        else:
            var_dir = tmp_path_factory.mktemp("browser-hub")
        env = server_environment(var_dir)
        suite_url = os.environ.get("DATABASE_URL", "")
        migrated = request.config.stash.get(MIGRATED_HUB_DATABASE, None)
        if migrated is not None:  # a copy of the suite's test database as migrated: see tests/conftest.py
            env["DATABASE_URL"] = migrated
        else:
            if is_postgres(suite_url):
                env["DATABASE_URL"] = cleanup.enter_context(throwaway_postgres_database(suite_url))
            # Otherwise the settings' default applies: SQLite under CAREHUB_VAR_DIR, this session's own directory.
            run([*carehub_command(), "migrate", "--noinput"], env, "carehub migrate")
        facts = json.loads(run([sys.executable, str(Path(__file__).with_name("build_world.py"))], env, "build_world"))
        process, base_url = start_server(env, var_dir / "server.log")
        cleanup.callback(stop_server, process)
        yield Hub(base_url=base_url, facts=facts, log_path=var_dir / "server.log", env=env)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_verdicts() -> AxeVerdicts:
    return AxeVerdicts()


@pytest.fixture(scope="session")
def tab(browser, hub: Hub, axe_verdicts: AxeVerdicts) -> Iterator[Tab]:
    tab = Tab(browser, hub, axe_verdicts, answer_exit=True)
    yield tab
    tab.close()


@pytest.fixture
def visitor(tab: Tab) -> Visitor:
    """Nobody yet: no session, nothing seen."""
    return tab.fresh_visitor()


@pytest.fixture
def sign_in(visitor: Visitor) -> Callable[[str], Visitor]:
    """Sign in as a persona of tests/world.py through the real form."""

    def do(username: str) -> Visitor:
        visitor.sign_in(username, PASSWORD)
        return visitor

    return do
