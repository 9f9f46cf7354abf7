"""Production settings, run for real in a subprocess: a clean `check --deploy`, secure cookies, secrets from files,
and a refusal to start, naming the problem, with DEBUG on, a demo key, no database or an ambiguous value.

Also the error pages: a 500 or a 404 says nothing about what was asked for or what went wrong."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import path

import carehub.settings as configured
import carehub.urls as site_urls

CAREHUB = Path(sys.executable).with_name("carehub")


def production_env(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """A strong production configuration, with `changes` applied (None removes a variable)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREHUB_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        CAREHUB_ENV="production",
        CAREHUB_VAR_DIR=str(tmp_path / "var"),
        CAREHUB_SECRET_KEY=secrets.token_urlsafe(64),
        CAREHUB_FIELD_KEYS=Fernet.generate_key().decode(),
        CAREHUB_HASH_KEY=secrets.token_urlsafe(40),
        DATABASE_URL=f"sqlite:///{tmp_path / 'carehub.sqlite3'}",
        CAREHUB_ALLOWED_HOSTS="carehub.example.org",
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_carehub(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    command = [str(CAREHUB)] if CAREHUB.exists() else [sys.executable, "-m", "carehub.cli"]
    return subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def settings_in(env: dict[str, str], *names: str) -> dict:
    """The named settings as the production process sees them."""
    code = "import json; from django.conf import settings as s; "
    code += f"print(json.dumps({{n: getattr(s, n) for n in {names}}}))"
    result = run_carehub(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- a strong configuration --------------------------------------------------------------------------------------


def test_check_deploy_is_clean_with_strong_production_settings(tmp_path):
    result = run_carehub(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_the_second_factor_is_on(tmp_path):
    values = settings_in(
        production_env(tmp_path),
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_NAME",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "OTP_REQUIRED",
        "SESSION_COOKIE_AGE",
    )
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["OTP_REQUIRED"] is True
    assert values["SESSION_COOKIE_AGE"] == 900


def test_secrets_can_be_read_from_files(tmp_path):
    secret_files = {}
    for name, value in [
        ("CAREHUB_SECRET_KEY", secrets.token_urlsafe(64)),
        ("CAREHUB_FIELD_KEYS", Fernet.generate_key().decode()),
        ("CAREHUB_HASH_KEY", secrets.token_urlsafe(40)),
        ("DATABASE_URL", f"sqlite:///{tmp_path / 'from-file.sqlite3'}"),
    ]:
        file = tmp_path / name.lower()
        file.write_text(value + "\n")
        secret_files[name] = value
        secret_files[f"{name}_FILE"] = str(file)
    env = production_env(tmp_path, **{name: None for name in secret_files if not name.endswith("_FILE")})
    env.update({name: value for name, value in secret_files.items() if name.endswith("_FILE")})

    values = settings_in(env, "SECRET_KEY", "FIELD_KEYS", "HASH_KEY", "DATABASES")
    assert values["SECRET_KEY"] == secret_files["CAREHUB_SECRET_KEY"]
    assert values["FIELD_KEYS"] == [secret_files["CAREHUB_FIELD_KEYS"]]
    assert values["HASH_KEY"] == secret_files["CAREHUB_HASH_KEY"]
    assert values["DATABASES"]["default"]["NAME"] == str(tmp_path / "from-file.sqlite3")
    assert run_carehub(env, "check", "--deploy", "--fail-level", "WARNING").returncode == 0


# --- refusing to start -------------------------------------------------------------------------------------------

# case -> (changes to the strong configuration, what the refusal must name)
REFUSALS: dict[str, tuple[dict[str, str | None], str]] = {
    "debug on": ({"CAREHUB_DEBUG": "true"}, "DEBUG is on"),
    "demo secret key": ({"CAREHUB_SECRET_KEY": configured.DEMO_SECRET_KEY}, "CAREHUB_SECRET_KEY is the demo key"),
    "short secret key": ({"CAREHUB_SECRET_KEY": "too-short"}, "CAREHUB_SECRET_KEY"),
    "demo field key": ({"CAREHUB_FIELD_KEYS": configured.DEMO_FIELD_KEYS}, "CAREHUB_FIELD_KEYS"),
    "demo field key kept for rotation": (
        {"CAREHUB_FIELD_KEYS": f"{Fernet.generate_key().decode()},{configured.DEMO_FIELD_KEYS}"},
        "CAREHUB_FIELD_KEYS is missing or contains the demo key",
    ),
    "field key not a Fernet key": ({"CAREHUB_FIELD_KEYS": "not-a-key"}, "CAREHUB_FIELD_KEYS must hold Fernet keys"),
    "demo hash key": ({"CAREHUB_HASH_KEY": configured.DEMO_HASH_KEY}, "CAREHUB_HASH_KEY is the demo key"),
    "no database": ({"DATABASE_URL": None}, "DATABASE_URL is not set"),
    "ambiguous boolean": ({"CAREHUB_DEBUG": "maybe"}, "CAREHUB_DEBUG must be true or false, not 'maybe'"),
    "second factor off": ({"CAREHUB_OTP_REQUIRED": "false"}, "CAREHUB_OTP_REQUIRED is off"),
    "no allowed hosts": ({"CAREHUB_ALLOWED_HOSTS": None}, "CAREHUB_ALLOWED_HOSTS is not set"),
    "any host allowed": ({"CAREHUB_ALLOWED_HOSTS": "*"}, "CAREHUB_ALLOWED_HOSTS is not set"),
    "secret file missing": ({"CAREHUB_SECRET_KEY_FILE": "/nonexistent/secret"}, "CAREHUB_SECRET_KEY_FILE"),
    "unknown environment": ({"CAREHUB_ENV": "prod"}, "CAREHUB_ENV must be 'demo' or 'production'"),
    "trusted proxy not an address": (
        {"CAREHUB_TRUSTED_PROXIES": "10.0.0.0/24, proxy.internal"},
        "CAREHUB_TRUSTED_PROXIES: 'proxy.internal' is not an IP address or network",
    ),
    "trusted proxy network with host bits": (
        {"CAREHUB_TRUSTED_PROXIES": "10.0.0.7/24"},
        "CAREHUB_TRUSTED_PROXIES: '10.0.0.7/24' is not an IP address or network",
    ),
    "every address a trusted proxy": ({"CAREHUB_TRUSTED_PROXIES": "0.0.0.0/0"}, "CAREHUB_TRUSTED_PROXIES trusts every"),
}


@pytest.fixture(scope="module")
def refusals(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """Start Care Hub once per case, all at once: each refusal is its own process, and waiting in turn is slow."""
    base = tmp_path_factory.mktemp("refusals")

    def start(case: str) -> subprocess.CompletedProcess:
        return run_carehub(production_env(base, **REFUSALS[case][0]), "check")

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(REFUSALS, pool.map(start, REFUSALS), strict=True))


@pytest.mark.parametrize("case", list(REFUSALS))
def test_production_refuses_to_start_and_names_the_problem(refusals, case):
    result = refusals[case]
    assert result.returncode != 0, f"{case}: started anyway"
    assert REFUSALS[case][1] in result.stderr, result.stderr[-2000:]


def test_a_refusal_never_prints_the_secret_it_refused(refusals):
    assert "not-a-key" not in refusals["field key not a Fernet key"].stderr


def test_trusted_proxies_are_read_from_the_environment(tmp_path):
    env = production_env(tmp_path, CAREHUB_TRUSTED_PROXIES="10.0.0.0/24, 2001:db8::7")
    assert settings_in(env, "TRUSTED_PROXIES") == {"TRUSTED_PROXIES": ["10.0.0.0/24", "2001:db8::7"]}


# --- the demo ----------------------------------------------------------------------------------------------------

DEMO_REQUESTS = """
import json
from django.conf import settings
from django.test import Client
client = Client()
missing = client.get("/no-such-page-Marker-Path-Echo/")
css = client.get("/static/carehub/favicon.svg")
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "missing": [missing.status_code, missing.content.decode()],
    "static": [css.status_code, b"".join(css.streaming_content).decode() if css.streaming else ""],
}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    """The demo as `make demo` runs it: CAREHUB_ENV=demo and nothing else set."""
    env = production_env(tmp_path_factory.mktemp("demo"))
    env = {k: v for k, v in env.items() if not k.startswith(("CAREHUB_", "DATABASE_URL"))}
    env["CAREHUB_ENV"] = "demo"
    env["CAREHUB_VAR_DIR"] = str(tmp_path_factory.mktemp("demo-var"))
    result = run_carehub(env, "shell", "-c", DEMO_REQUESTS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_demo_runs_with_debug_off(demo):
    assert demo["DEBUG"] is False


def test_the_demo_shows_care_hubs_own_404_page_not_the_url_patterns(demo):
    status, body = demo["missing"]
    assert status == 404
    assert "Page not found - Care Hub" in body
    for debug_detail in ("URLconf", "URL patterns", "carehub.urls", "api/v1/", "Marker-Path-Echo"):
        assert debug_detail not in body


def test_the_demo_serves_its_static_files_with_debug_off(demo):
    status, body = demo["static"]
    assert status == 200
    assert body == (configured.BASE_DIR / "static" / "carehub" / "favicon.svg").read_text()


# --- error pages -------------------------------------------------------------------------------------------------

PERSONAL = "Marker-Survivor-Name 12 Hidden Road"


def _fails(request):
    raise RuntimeError(f"could not save referral for {PERSONAL}")


def _missing(request):
    raise Http404(f"no referral for {PERSONAL}")


def _forbidden(request):
    raise PermissionDenied(f"not yours: {PERSONAL}")


# This module is also the URL conf for the error-page tests: Care Hub's routes and handlers, and three that fail.
urlpatterns = [
    path("test-only/fails/", _fails),
    path("test-only/missing/", _missing),
    path("test-only/forbidden/", _forbidden),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


@pytest.fixture
def failing_site(settings, db):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    return Client(raise_request_exception=False)


def test_a_500_shows_the_plain_page_without_the_error_or_personal_data(failing_site):
    response = failing_site.get("/test-only/fails/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    for detail in (PERSONAL, "RuntimeError", "Traceback", "could not save", "/test-only/"):
        assert detail not in body


def test_a_404_never_echoes_the_path_or_the_reason(failing_site):
    for url in ("/no-such-page-Marker-Path-Echo/", "/test-only/missing/"):
        response = failing_site.get(url)
        assert response.status_code == 404
        body = response.content.decode()
        assert "Page not found" in body
        for detail in ("Marker-Path-Echo", PERSONAL, "/test-only/"):
            assert detail not in body


def test_a_403_looks_exactly_like_a_404(failing_site):
    forbidden = failing_site.get("/test-only/forbidden/")
    missing = failing_site.get("/no-such-page/")
    assert forbidden.status_code == 404
    assert forbidden.content == missing.content
    assert PERSONAL not in forbidden.content.decode()


def test_the_real_url_conf_uses_these_handlers():
    assert site_urls.handler404 == site_urls.handler403 == "carehub.core.errors.not_found"
    assert site_urls.handler500 == "carehub.core.errors.server_error"


def test_a_failed_form_token_shows_a_plain_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/sign-in/", {"username": "someone", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Something was wrong with the request" in body
    # Django's own page: a technical explanation and the exact reason, neither of which is for the public.
    assert "CSRF verification failed" not in body
    assert "CSRF cookie not set" not in body
