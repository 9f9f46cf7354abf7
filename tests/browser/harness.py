"""What the browser tests drive: a real Care Hub server process, and a browser page that checks what it visits."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Exactly as ../shared/TOOLING.md says: Debian's Chromium, never a browser downloaded by Playwright.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Beyond TOOLING.md's list: no host name but the server's own address resolves, so nothing a page links to can
    # leave the machine, even when no route answers it (see `Tab.exit_answered`).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
AXE_JS = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
BUILT_CSS = PROJECT_DIR / "build" / "static" / "carehub" / "carehub.css"
# Where "Exit this page" sends people; answered by the tests themselves so that nothing leaves the machine.
EXIT_URL_GLOB = "https://www.bbc.co.uk/**"
EXIT_PAGE = "<!DOCTYPE html><title>Weather</title><h1>Weather</h1>"
SERIOUS_IMPACTS = {"serious", "critical"}
# Wrong passwords before the lock-out page: few, since each costs an Argon2 hash. The rule itself is tested in
# tests/accounts; here only the page it shows matters.
LOCK_OUT_AFTER = 2
# Set to a directory to keep a full-page screenshot of every page the tests visit, for a person to look at.
SCREENSHOT_DIR = os.environ.get("CAREHUB_BROWSER_SCREENSHOTS")
_screenshot_numbers = itertools.count(1)
# Every chart the page draws with vega-embed (equality/charts.js) is drawn, or has failed and said so.
CHARTS_SETTLED = "() => !document.querySelector('[data-vega-spec]:not([data-drawn])')"
# Form tokens differ on every response; without them two renderings of the same page are the same document.
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


# --- the server --------------------------------------------------------------------------------------------------


@dataclass
class Hub:
    """The running server, and the facts build_world.py reported about its data."""

    base_url: str
    facts: dict
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def command(self, *args: str) -> str:
        """Run `carehub ARGS` against the server's own database, as cron or the task worker would."""
        return run([*carehub_command(), *args], self.env, f"carehub {' '.join(args)}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def carehub_command() -> list[str]:
    """The `carehub` console script of the interpreter running the tests, i.e. of this checkout's venv."""
    script = Path(sys.executable).with_name("carehub")
    return [str(script)] if script.exists() else [sys.executable, "-m", "carehub.cli"]


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def postgres_admin(url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that) on the server's admin database."""
    import psycopg

    admin_url = with_database(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


# The hub being built, on a copy of the suite's PostgreSQL test database taken just after pytest-django migrated it
# (tests/conftest.py `django_db_setup`), while the session's other tests run: see `HubInBackground`.
HUB_IN_BACKGROUND = pytest.StashKey["HubInBackground"]()
BUILD_WORLD = Path(__file__).with_name("build_world.py")

SHM = Path("/dev/shm")


def memory_backed_dir() -> Path | None:
    """A fresh directory in memory when the machine has one: SQLite then never waits on a disk other jobs share."""
    if not (SHM.is_dir() and os.access(SHM, os.W_OK)):
        return None
    return Path(tempfile.mkdtemp(prefix="carehub-browser-", dir=SHM))


def server_environment(var_dir: Path) -> dict[str, str]:
    """The server's environment: none of the caller's Care Hub settings, so a developer's shell cannot change it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREHUB_", "DATABASE_URL"))}
    env.update(
        CAREHUB_VAR_DIR=str(var_dir),
        CAREHUB_ENV="demo",
        CAREHUB_DEBUG="false",
        CAREHUB_OTP_REQUIRED="false",
        CAREHUB_ALLOWED_HOSTS="127.0.0.1",
        CAREHUB_LOCKOUT_FAILURES=str(LOCK_OUT_AFTER),
        DJANGO_SETTINGS_MODULE="tests.browser.hub_settings",
        # `tests` (the hub's settings, build_world.py's helpers) is a package at the project root
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    return env


@contextmanager
def throwaway_postgres_database(suite_url: str, template: str | None = None, suffix: str = "") -> Iterator[str]:
    """A database of its own beside the suite's, on the same server; dropped afterwards, even when the run fails.

    With a template (a database nobody is connected to), the new one is a copy of it: PostgreSQL copies the files,
    in well under a second, where migrating an empty database takes tens of seconds.
    """
    name = f"carehub_browser_{os.getpid()}{suffix}"
    postgres_admin(suite_url, f'DROP DATABASE IF EXISTS "{name}"')
    postgres_admin(suite_url, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield with_database(suite_url, name)
    finally:
        postgres_admin(suite_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def hub_var_dir(cleanup: contextlib.ExitStack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's CAREHUB_VAR_DIR: in memory when the machine has it (removed with `cleanup`), else a pytest temp."""
    var_dir = memory_backed_dir()
    if var_dir is None:
        return tmp_path_factory.mktemp("browser-hub")
    cleanup.callback(shutil.rmtree, var_dir, ignore_errors=True)
    return var_dir


def fill_and_start(env: dict[str, str], var_dir: Path, cleanup: contextlib.ExitStack) -> Hub:
    """Fill the migrated database `env` names with build_world.py's data and start the server on it."""
    facts = json.loads(run([sys.executable, str(BUILD_WORLD)], env, "build_world"))
    process, base_url = start_server(env, var_dir / "server.log")
    cleanup.callback(stop_server, process)
    return Hub(base_url=base_url, facts=facts, log_path=var_dir / "server.log", env=env)


class HubInBackground:
    """The hub filled and started in a thread of its own, while the session's other tests run in the main thread.

    Filling it (build_world.py, with the equality and commissioning pages it publishes) takes tens of seconds, spent
    mostly in other processes (build_world.py's, PostgreSQL's): begun as soon as its database exists, it is ready
    by the time the first browser test asks for it. It shares nothing with the other tests: its own database, its
    own folder, its own process. Whatever went wrong is raised to every test that asks for it.
    """

    def __init__(self, database_url: str, var_dir: Path, cleanup: contextlib.ExitStack) -> None:
        self._env = {**server_environment(var_dir), "DATABASE_URL": database_url}
        self._hub: Hub | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._build, args=(var_dir, cleanup), name="browser-hub", daemon=True)
        self._thread.start()

    def _build(self, var_dir: Path, cleanup: contextlib.ExitStack) -> None:
        try:
            self._hub = fill_and_start(self._env, var_dir, cleanup)
        except BaseException as error:  # pytest.fail too: raised again in the tests, by `wait`
            self._error = error

    def join(self) -> None:
        """Wait until the thread is done: before `cleanup` is undone, so that it stops the server too."""
        self._thread.join()

    def wait(self) -> Hub:
        self.join()
        if self._error is not None:
            raise self._error
        assert self._hub is not None
        return self._hub


def run(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        pytest.fail(f"{what} failed (exit {result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def start_server(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    """`carehub runserver` on a free port, in a session of its own so that stopping it touches nothing else.

    DEBUG is off, as in the demo and production, so that a 404 is Care Hub's own page as people see it; static files
    come from WhiteNoise, as they do there.
    """
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*carehub_command(), "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            cwd=PROJECT_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base_url + "/healthz", log_path)
    except BaseException:
        stop_server(process)
        raise
    return process, base_url


def wait_until_up(process: subprocess.Popen, url: str, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own http://127.0.0.1 URL)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"the server did not answer {url} within {timeout} s:\n{log_path.read_text(errors='replace')}")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- the browser -------------------------------------------------------------------------------------------------


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@dataclass
class Finding:
    page: str
    problem: str


class AxeVerdicts:
    """axe-core's serious and critical violations per document, shared by every page of a session.

    axe's verdict depends only on the document and the styles, which do not change during a run, so a document
    already checked (byte for byte, once its form token is set aside) is not checked again: this keeps the run fast.
    """

    def __init__(self) -> None:
        self._by_document: dict[str, list[dict]] = {}
        self._lock = threading.Lock()

    def of(self, page) -> list[dict]:
        document = hashlib.sha256(CSRF_TOKEN.sub("", page.content()).encode()).hexdigest()
        with self._lock:
            known = self._by_document.get(document)
        if known is not None:
            return known
        # axe is already in the page as an init script (see Tab), so no inline <script> is needed.
        violations = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
        serious = [v for v in violations if v["impact"] in SERIOUS_IMPACTS]
        with self._lock:
            self._by_document[document] = serious
        return serious


@dataclass
class Visitor:
    """One browser page that checks everything it visits: axe-core, the console and the title.

    Problems are collected rather than raised at once, so that one run reports every page that is wrong.
    """

    page: object
    hub: Hub
    axe: AxeVerdicts
    findings: list[Finding] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def open(self, path: str, *, expect_status: int = 200):
        response = self.page.goto(self.hub.url(path))
        status = response.status if response else None
        if status != expect_status:
            self.findings.append(Finding(path, f"answered {status}, expected {expect_status}"))
        self.check()
        return response

    def sign_in(self, username: str, password: str) -> None:
        """Sign in through the real form, as a person would, checking the sign-in page on the way; fail at once,
        saying what the page said, if she is not signed in afterwards, rather than in whatever the test does next."""
        self.try_sign_in(username, password)
        if self.on_sign_in_page() or self.page.get_by_role("button", name="Sign out").count() == 0:
            main = self.page.locator("main")
            said = main.inner_text() if main.count() else self.page.title()
            raise AssertionError(
                f"signing in as {username!r} did not take: the browser is at "
                f"{self.page.url.removeprefix(self.hub.base_url)}, which says:\n{said[:600]}"
            )

    def try_sign_in(self, username: str, password: str) -> None:
        """Fill in and send the sign-in form, whatever the answer (the lock-out tests expect a refusal)."""
        self.open("/accounts/sign-in/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.follow(self.page.get_by_role("button", name="Sign in"))

    def on_sign_in_page(self) -> bool:
        return urlsplit(self.page.url).path == "/accounts/sign-in/"

    def follow(self, control) -> None:
        """Click a link or button that loads a page, and wait for the new page rather than the one still showing."""
        with self.page.expect_navigation():
            control.click()

    def submit_in_place(self, control) -> None:
        """Click a button of a form that swaps the page's <main> in place (data-replace-history), and wait for the
        swap: no navigation happens, so `follow` would wait for one in vain."""
        main = self.page.query_selector("main")
        control.click()
        self.page.wait_for_function("old => !old.isConnected", arg=main)

    def check(self) -> None:
        """Check the page as it is now, once its charts are drawn (or have given up): axe then sees the page a
        reader sees, and the same page is the same document each time, so its verdict is found, not run again."""
        self.page.wait_for_function(CHARTS_SETTLED)
        path = self.page.url.removeprefix(self.hub.base_url)
        title = self.page.title()
        for name in self.hub.facts["survivor_names"]:
            if name.lower() in title.lower():
                self.findings.append(Finding(path, f"the title {title!r} names a survivor ({name})"))
        if SCREENSHOT_DIR:
            name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "start"
            shot = Path(SCREENSHOT_DIR) / f"{next(_screenshot_numbers):03d}-{name}.png"
            self.page.screenshot(path=shot, full_page=True)
        for violation in self.axe.of(self.page):
            where = "; ".join(", ".join(map(str, node["target"])) for node in violation["nodes"][:5])
            self.findings.append(
                Finding(path, f"axe, {violation['impact']}: {violation['id']}: {violation['help']} [{where}]")
            )

    def problems(self) -> str:
        found = [Finding("(console)", text) for text in self.console_errors] + self.findings
        return "\n".join(f"  {f.page}: {f.problem}" for f in found)

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, f"problems on the pages visited:\n{problems}"


class Tab:
    """One browser context and page, reused visitor after visitor with its cookies cleared in between.

    A fresh context per test would be simpler, but each costs about a second of CPU (a new renderer process), which
    on a two-core machine is most of what makes a browser suite slow.
    """

    def __init__(self, browser, hub: Hub, axe: AxeVerdicts) -> None:
        self.hub, self.axe = hub, axe
        self.context = browser.new_context()
        self.context.set_default_timeout(15_000)
        # axe-core goes in as an init script, which the browser runs outside the page's content security policy:
        # add_script_tag(path=...) writes an inline <script> that the policy (rightly) refuses, and turning the
        # policy off for the tests would hide the very violations they look for. (Evaluating it only into the pages
        # whose verdict is not known yet was tried: sending and compiling it afresh for each new page cost the
        # persona walks, whose pages are nearly all new, more than parsing it on every page load saved.)
        self.context.add_init_script(path=AXE_JS)
        self.page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.current = Visitor(page=self.page, hub=hub, axe=axe)

    def _on_console(self, message) -> None:
        # The policy forbids inline scripts and styles; a page that relies on one shows up here as an error.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.current.console_errors.append(f"CSP: {message.text} ({self.page.url})")

    def _on_page_error(self, error) -> None:
        self.current.console_errors.append(f"script error: {error} ({self.page.url})")

    @contextmanager
    def exit_answered(self) -> Iterator[None]:
        """The page "Exit this page" leads to, answered locally (nothing leaves the machine), while a test presses it.

        Only then: while any route is set, Playwright intercepts every request the browser makes and turns its cache
        off, so each page would fetch its styles and scripts from the server again.
        """
        self.context.route(EXIT_URL_GLOB, _answer_exit)
        try:
            yield
        finally:
            self.context.unroute(EXIT_URL_GLOB, _answer_exit)

    def fresh_visitor(self) -> Visitor:
        """A visitor who is nobody yet: no cookies, so no session, and no findings carried over."""
        self.context.clear_cookies()
        self.current = Visitor(page=self.page, hub=self.hub, axe=self.axe)
        return self.current

    def close(self) -> None:
        self.context.close()


def _answer_exit(route) -> None:
    route.fulfill(body=EXIT_PAGE, content_type="text/html")


class BackgroundWalks:
    """Walks through the site run in worker threads, each thread with a browser of its own, started at once.

    Playwright's sync API belongs to the thread that started it, hence one browser per thread. Walking personas one
    after another is what makes a browser suite slow; in the background they overlap each other and other tests.
    """

    def __init__(self, hub: Hub, axe: AxeVerdicts, walk, keys: list[str], workers: int) -> None:
        self._hub, self._axe, self._walk = hub, axe, walk
        self._todo = list(keys)
        self._lock = threading.Lock()
        self.results: dict[str, object] = {}
        self._threads = [threading.Thread(target=self._work, daemon=True) for _ in range(min(workers, len(keys)))]
        for thread in self._threads:
            thread.start()

    def _next(self) -> str | None:
        with self._lock:
            return self._todo.pop(0) if self._todo else None

    def _work(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                tab = Tab(browser, self._hub, self._axe)
                while (key := self._next()) is not None:
                    visitor = tab.fresh_visitor()
                    try:
                        self.results[key] = self._walk(visitor, key)
                    except Exception as error:  # kept for that walk's test to report, not lost in a thread
                        self.results[key] = WalkFailed(error=error, problems=visitor.problems())
                browser.close()
        except Exception as error:  # the browser itself failed: every walk not yet done reports it
            with self._lock:
                for key in self._todo:
                    self.results[key] = WalkFailed(error=error, problems="")
                self._todo.clear()

    def wait(self) -> None:
        for thread in self._threads:
            thread.join()

    def result(self, key: str):
        """The walk's outcome, once every walk has finished."""
        self.wait()
        outcome = self.results.get(key) or WalkFailed(error=RuntimeError("the walk never ran"), problems="")
        if isinstance(outcome, WalkFailed):
            raise AssertionError(f"the walk for {key} stopped: {outcome.error}\n{outcome.problems}") from outcome.error
        return outcome


@dataclass
class WalkFailed:
    error: BaseException
    problems: str
