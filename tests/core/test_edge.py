"""RequestEdgeMiddleware: input refused before any view reads it, and the API's routing errors as problem+json.

A NUL character reaching PostgreSQL is a server error ("A string literal cannot contain NUL"); it must be refused at
the edge as a bad request, on every page and form, in the path and in the query string.
"""

from __future__ import annotations

import pytest
from django.test import Client

from carehub.accounts.apikeys import apikey_create

PAGE_400 = "Something was wrong with the request"


def assert_care_hub_400(response) -> None:
    assert response.status_code == 400, response.status_code
    assert response["Content-Type"].startswith("text/html")
    assert PAGE_400 in response.content.decode()


@pytest.mark.parametrize(
    "form",
    [
        {"username": "percy\x00", "password": "whatever"},
        {"username": "percy", "password": "what\x00ever"},
        {"user\x00name": "percy", "password": "whatever"},
    ],
)
def test_a_nul_character_in_the_sign_in_form_is_a_bad_request(world, client, form):
    assert_care_hub_400(client.post("/accounts/sign-in/", form))


def test_a_nul_character_in_the_self_referral_form_is_a_bad_request(world, client):
    form = {"step": "about", "action": "continue", "given_name": "Ngo\x00zi", "state": ""}
    assert_care_hub_400(client.post("/refer/", form))


def test_a_nul_character_in_a_multipart_form_is_a_bad_request(world, client):
    response = client.post("/refer/", {"step": "about", "given_name": "Ngo\x00zi"}, format="multipart")
    assert_care_hub_400(response)


def test_a_nul_character_in_the_query_string_is_a_bad_request(world, client_for):
    assert_care_hub_400(client_for("hana").get("/referrals/queue/", {"q": "smith\x00"}))


def test_a_nul_character_in_the_path_is_a_bad_request(world, client_for):
    hub = client_for("hana")
    reference = world.referrals["triage"].reference
    assert_care_hub_400(hub.get(f"/referrals/{reference}%00/"))
    assert_care_hub_400(hub.get("/referrals/CH-%00/triage/"))


def test_pages_without_nul_are_untouched(world, client_for):
    hub = client_for("hana")
    assert hub.get("/referrals/queue/", {"q": "smith"}).status_code == 200
    assert hub.get(f"/referrals/{world.referrals['triage'].reference}/").status_code == 200


# --- the API -----------------------------------------------------------------------------------------------------


@pytest.fixture
def nhs_key(world):
    return apikey_create(actor=None, organisation=world.orgs["nhs"])[1]


def auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


def test_a_nul_character_in_an_api_path_or_query_is_422_problem_json(world, client, nhs_key):
    body = assert_problem(client.get("/api/v1/referrals/CH-%00", **auth(nhs_key)), 422)
    assert body["errors"] == [{"field": "path", "message": "must not contain a NUL character"}]
    body = assert_problem(client.get("/api/v1/referrals/CH-ZZZZ-ZZZZ", {"x": "\x00"}, **auth(nhs_key)), 422)
    assert body["errors"] == [{"field": "x", "message": "must not contain a NUL character"}]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", "/api/v1/referrals", "POST"),
        ("put", "/api/v1/referrals", "POST"),
        ("delete", "/api/v1/referrals/CH-ZZZZ-ZZZZ", "GET"),
        ("post", "/api/v1/referrals/CH-ZZZZ-ZZZZ", "GET"),
    ],
)
def test_a_wrong_method_is_405_problem_json_with_allow(world, client, nhs_key, method, path, allowed):
    response = getattr(client, method)(path, **auth(nhs_key))
    assert_problem(response, 405)
    assert response["Allow"] == allowed


@pytest.mark.parametrize(
    "path", ["/api/v1/", "/api/v1/nothing", "/api/v1/referrals/", "/api/v1/referrals/a/b", "/api/v2/referrals"]
)
def test_an_unknown_api_path_is_404_problem_json_with_or_without_a_key(world, nhs_key, path):
    for client in (Client(), Client(**auth(nhs_key))):
        body = assert_problem(client.get(path), 404)
        assert body["title"] == "Not Found"
        assert "api" not in response_text(body)  # Django's debug page would list the URL patterns


def response_text(body: dict) -> str:
    return " ".join(str(v) for v in body.values() if v != "about:blank")
