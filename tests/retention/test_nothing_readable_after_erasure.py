"""Nothing of her can be read after she is erased, by retention or on her request: every persona walks every page of
the route matrix that could list or show her (her own records' pages, every list, search, the audit pages, the
exports and the subject access pack), and `carehub extract` (with the sealed pathway's file too), `carehub audit
verify` and the retention command print nothing of her; no table holds any of it in the clear. Her name, her email,
her phone (as typed and without spaces), her date of birth (as each page writes dates) and a passage of a sealed
note are the needles. Runs on both databases (`-m database`: it uses the world).

Before she is erased her identity is corrected to values nothing else in the world has (the world's factory gives
every woman the same date of birth), and the walk is first made while she is still there, so a needle a page never
showed cannot pass for a needle erasure removed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from carehub.people import services as people_services
from carehub.people.models import Survivor
from carehub.retention import services as retention
from carehub.rights import services as rights
from carehub.rights.models import ErasureGround, ErasureRequest, ErasureStatus
from tests.accounts.test_route_matrix import all_patterns, urls_to_try
from tests.retention.helpers import AS_OF, close, write_about
from tests.rights.helpers import PASSAGE, second_manager, with_records
from tests.world import PERSONAS

# Slow by design: every persona at about a hundred URLs, twice, and the extract (some 20 to 40 s a test on a quiet
# machine). `make test` runs it on both databases; the inner loop (`make test-fast`) leaves it out.
pytestmark = pytest.mark.slow

GIVEN, EMAIL, PHONE = "Perpetua", "perpetua.w@example.net", "07700 900777"
BORN = dt.date(1977, 8, 23)
NEEDLES = [
    GIVEN, "Solacemarker", EMAIL, PHONE, PHONE.replace(" ", ""),
    "23/08/1977", "1977-08-23", "23 August 1977", "23 Aug 1977", PASSAGE,
]  # fmt: skip
# Routes with nothing of any survivor on them: accounts, administration of users and services, the directory,
# co-production's commitments and consultations. (Their rows in the route matrix show who may open them.)
NOT_ABOUT_SURVIVORS = ("accounts:", "administration:", "service_administration:", "directory:", "coproduction:")
# Of the routes that take a parameter: those that open one of her records (the walk tries them with hers), the
# exports (the published analyses' downloads, and the subject access pack's) and the audit pages (each woman's
# trail, hers among them); the other records' pages show others. Care Hub has no audit export beyond those pages.
EXPORTS = ("download", "chart_csv")


def found_in(text: str) -> list[str]:
    return [needle for needle in NEEDLES if needle in text]


def her(world) -> Survivor:
    return Survivor.objects.select_related("data_key").get(pk=world.referrals["solace"].survivor.pk)


@pytest.fixture
def prepared(world, tmp_path):
    """Her identity made unique, her case closed, notes and free text written about her, and a subject access pack
    released to her by Quaymarsh (rights_urls, called by the walk, releases one for each woman)."""
    survivor = her(world)
    identity = dataclasses.replace(survivor.identity, given_name=GIVEN, email=EMAIL, phone=PHONE, date_of_birth=BORN)
    people_services.survivor_rectify(
        actor=world.users["amara"], survivor=survivor, identity=identity, reason="Her own correction"
    )
    with_records(world)
    write_about(world, "solace")
    close(world.cases["solace"])
    resolver = {name: route for route, name, _ in all_patterns()}
    return [
        (url, name)
        for url, name, key in urls_to_try(world)
        if not name.startswith(NOT_ABOUT_SURVIVORS)
        and (key == "solace" or "<" not in resolver[name] or name.endswith(EXPORTS) or name.startswith("audit:"))
    ]


def walk(world, urls, personas) -> dict[str, list[str]]:
    """Each persona (None: nobody signed in) at every URL, and searching for her: what each saw, where."""
    seen: dict[str, list[str]] = {}
    for persona in personas:
        client = Client()
        if persona:
            client.force_login(world.users[persona])
        for url, _name in urls:
            body = client.get(url).content.decode(errors="replace")
            if hits := found_in(body):
                seen[f"{persona} {url}"] = hits
        if persona:
            for needle in (f"Solacemarker {BORN:%d/%m/%Y}", EMAIL, PHONE):
                results = client.post(reverse("search:search"), {"q": needle}).content.decode()
                results = results.split('id="results"', 1)[-1]
                if world.referrals["solace"].reference in results:
                    seen[f"{persona} search {needle}"] = ["her reference"]
    return seen


def commands(tmp_path) -> str:
    out = io.StringIO()
    for sealed, folder in ((False, tmp_path / "extract"), (True, tmp_path / "extract-sealed")):
        args = ["extract", "--out", str(folder)] + (["--sealed-pathway"] if sealed else [])
        call_command(*args, stdout=out)
        for path in sorted(folder.glob("*.parquet")):
            table = pq.read_table(path)
            for column in table.column_names:
                out.write(" ".join(str(v) for v in table.column(column).to_pylist()))
    call_command("audit", "verify", stdout=out)
    call_command("retention", "run", "--dry-run", "--as-of", AS_OF.isoformat(), stdout=out)
    return out.getvalue()


def in_the_clear() -> list[str]:
    """Every column of every table, read as text: where any needle still is."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in [c.name for c in connection.introspection.get_table_description(cursor, table)]:
                where = " OR ".join([f'CAST("{column}" AS TEXT) LIKE %s'] * len(NEEDLES))
                cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE {where}', [f"%{n}%" for n in NEEDLES])  # noqa: S608
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


def erase_by_retention(world) -> None:
    report = retention.retention_run(apply=True, as_of=AS_OF)
    assert report.counts["erased"] == 1


def erase_on_request(world) -> None:
    """The erasure request the walk's rights_urls recorded for her (amara's, for Quaymarsh), decided by Quaymarsh's
    other manager (four eyes) and carried out."""
    request = ErasureRequest.objects.get(survivor=world.referrals["solace"].survivor, status=ErasureStatus.PENDING)
    rights.erasure_decide(
        actor=second_manager(world), request=request, approve=True, ground=ErasureGround.NO_LONGER_NEEDED
    )
    rights.erasure_carry_out(actor=world.users["amara"], request=request)


@pytest.mark.parametrize("erase", [erase_by_retention, erase_on_request], ids=["retention", "request"])
def test_nothing_of_her_can_be_read_anywhere_after_she_is_erased(world, prepared, tmp_path, erase):
    # Before: the walk reaches her (the managers answering for her, her caseworker, the hub's worker), so the
    # needles are ones pages do show.
    before = walk(world, prepared, ["amara", "alice", "hana", "hilda"])
    shown_before = {needle for hits in before.values() for needle in hits}
    assert {GIVEN, "Solacemarker", EMAIL, PHONE, "23 August 1977", PASSAGE} <= shown_before, shown_before
    assert any(key.startswith("amara /rights/access/") for key in before)  # the released pack, with her name
    erase(world)
    assert her(world).is_erased
    assert walk(world, prepared, [*PERSONAS, None]) == {}
    assert found_in(commands(tmp_path)) == []
    assert in_the_clear() == []
