"""Security headers on every response: a content security policy without inline script, no framing, no referrer,
no sniffing, and nothing left in a shared computer's browser cache."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from carehub.accounts.middleware import NoStoreMiddleware
from carehub.accounts.models import Organisation, Role
from tests import factories as f


def routes_without_parameters(resolver=None, prefix: str = "", namespace: str = ""):
    """(path, name, view) for every URL pattern that takes no parameter, so it can be requested as it stands."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes_without_parameters(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and not pattern.pattern.regex.groupindex:
            path = "/" + (prefix + str(pattern.pattern)).lstrip("^").rstrip("$").replace("\\Z", "")
            yield path, f"{namespace}{pattern.name}", pattern.callback


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_safe_headers(response, where: str) -> None:
    assert "Content-Security-Policy" in response, where
    assert response["X-Frame-Options"] == "DENY", where
    # No address leaves for another site. Not no-referrer: under it, browsers post forms with "Origin: null",
    # which Django's CSRF check refuses (test_a_form_posted_from_the_site_itself_passes_the_origin_check).
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert "no-store" in response["Cache-Control"], where


@pytest.fixture
def signed_in_clients(db) -> dict[str, Client]:
    """A caseworker and an administrator, so pages behind the policy render rather than answer 404."""
    clients = {"anonymous": Client()}
    for username, role, kind in [
        ("carla", Role.CASEWORKER, Organisation.Kind.SPECIALIST),
        ("adele", Role.ADMINISTRATOR, Organisation.Kind.HUB),
    ]:
        user = f.UserFactory(username=username)
        f.MembershipFactory(user=user, role=role, organisation=f.OrganisationFactory(kind=kind))
        clients[username] = Client()
        clients[username].force_login(user)
    return clients


def test_every_page_carries_the_security_headers(signed_in_clients):
    routes = list(routes_without_parameters())
    assert len(routes) > 5
    for who, client in signed_in_clients.items():
        for path, name, _view in routes:
            assert_safe_headers(client.get(path), f"{name} as {who}")


def test_error_and_redirect_responses_carry_them_too(signed_in_clients):
    anonymous = signed_in_clients["anonymous"]
    assert_safe_headers(anonymous.get("/no-such-page/"), "404")
    assert_safe_headers(anonymous.get(reverse("home")), "redirect to sign in")
    assert_safe_headers(anonymous.post(reverse("accounts:login"), {}), "sign-in form with errors")
    assert_safe_headers(signed_in_clients["carla"].get(reverse("accounts:logout")), "405 on GET sign-out")


def test_the_content_security_policy_forbids_inline_script_and_framing(client, db):
    directives = csp_directives(client.get(reverse("accounts:login")))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    for name in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in directives[name]
        assert "'unsafe-eval'" not in directives[name]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


def test_a_form_posted_from_the_site_itself_passes_the_origin_check(db):
    """What a browser sends under the policy passes; what it would send under no-referrer ("null") does not."""
    same_site = Client(enforce_csrf_checks=True)
    same_site.get(reverse("accounts:login"))
    token = same_site.cookies[settings.CSRF_COOKIE_NAME].value
    form = {"username": "nobody", "password": "x", "csrfmiddlewaretoken": token}
    assert same_site.post(reverse("accounts:login"), form, HTTP_ORIGIN="http://testserver").status_code == 200
    assert same_site.post(reverse("accounts:login"), form, HTTP_ORIGIN="null").status_code == 403


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def test_pages_need_no_inline_script_the_policy_would_block(signed_in_clients):
    """A page that relied on inline script would silently break under the policy, so none may have any."""
    for who, client in signed_in_clients.items():
        for path, name, _view in routes_without_parameters():
            response = client.get(path)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            body = response.content.decode()
            assert not INLINE_SCRIPT.search(body), f"inline <script> on {name} as {who}"
            assert not EVENT_HANDLER.search(body), f"inline event handler on {name} as {who}"


def test_static_files_may_be_cached():
    """Only pages are kept out of the cache: the no-store rule skips static assets, which carry no personal data."""
    request = HttpRequest()
    request.path = f"{settings.STATIC_URL}carehub/carehub.css"
    response = NoStoreMiddleware(lambda r: HttpResponse("body {}"))(request)
    assert "Cache-Control" not in response
