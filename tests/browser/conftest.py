"""A real Care Hub server and the system Chromium, for tests that see the pages as a person does.

The server is `carehub runserver` in its own process against its own fresh database (SQLite in a temporary directory,
or a throwaway PostgreSQL database when DATABASE_URL names PostgreSQL), filled with tests/world.py by build_world.py.
pytest-django's live_server is not used: it flushes the database between tests, and the audit trail's triggers
refuse the deletes a flush needs, as they must.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

import pytest

from tests.browser.harness import (
    AXE_JS,
    BUILT_CSS,
    CHROMIUM,
    HUB_IN_BACKGROUND,
    AxeVerdicts,
    Hub,
    Tab,
    Visitor,
    carehub_command,
    fill_and_start,
    hub_var_dir,
    is_postgres,
    launch,
    run,
    server_environment,
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
    """A real Care Hub server on a free port with tests/world.py's data, stopped at the end of the session.

    On PostgreSQL, when the suite's test database was set up first, the server was started in the background on a
    copy of it (tests/conftest.py `django_db_setup`): this waits for it, and the session's end stops it.
    """
    in_background = request.config.stash.get(HUB_IN_BACKGROUND, None)
    if in_background is not None:
        yield in_background.wait()
        return
    with contextlib.ExitStack() as cleanup:  # undone in reverse: server, then database, then files
        var_dir = hub_var_dir(cleanup, tmp_path_factory)
        env = server_environment(var_dir)
        suite_url = os.environ.get("DATABASE_URL", "")
        if is_postgres(suite_url):
            env["DATABASE_URL"] = cleanup.enter_context(throwaway_postgres_database(suite_url))
        # Otherwise the settings' default applies: SQLite under CAREHUB_VAR_DIR, this session's own directory.
        run([*carehub_command(), "migrate", "--noinput"], env, "carehub migrate")
        yield fill_and_start(env, var_dir, cleanup)


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
    tab = Tab(browser, hub, axe_verdicts)
    yield tab
    tab.close()


@pytest.fixture
def exit_answered(tab: Tab) -> Iterator[None]:
    """For a test that presses "Exit this page": the page it leads to is answered by the test itself."""
    with tab.exit_answered():
        yield


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
