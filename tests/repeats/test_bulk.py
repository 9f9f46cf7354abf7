"""The batch command's keys are the hub's keys: SQL twins equal the Python normalisers, and the HMAC is the same."""

from __future__ import annotations

import csv
import datetime as dt
import string
from pathlib import Path

import pyarrow as pa
import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from carehub.people import linkage_keys
from carehub.people.crypto import lookup_hash, normalise_email, normalise_phone, normalise_postcode
from carehub.people.models import Identity
from carehub.repeats import bulk

PRINTABLE = st.text(alphabet=st.sampled_from([chr(c) for c in range(32, 127)]), max_size=40)
ADDRESSY = st.text(alphabet=st.sampled_from(list(string.ascii_letters + string.digits + " ,/.-'")), max_size=40)
PHONEY = st.text(alphabet=st.sampled_from(list("0123456789 +()-4")), max_size=20)
WORDS = st.lists(
    st.sampled_from(["Flat", "flat", "3", "12a", "Road", "rd", "St", "street", "Close", ",", "London", "/", "apt"]),
    max_size=8,
).map(" ".join)


@pytest.fixture(scope="module")
def macros():
    con = bulk.private_connection()
    for macro in bulk.MACROS:
        con.execute(macro)
    return con


def _sql(con, expression: str, values: list[str]) -> list:
    con.register("v", pa.table({"i": list(range(len(values))), "x": values}))
    try:
        return [row[0] for row in con.execute(f"SELECT {expression} FROM v ORDER BY i").fetchall()]  # noqa: S608
    finally:
        con.unregister("v")


def _postcode_part(value: str, part: str) -> str:
    return linkage_keys.postcode_features(value)[part]


CASES = {
    "norm_phone(x)": normalise_phone,
    "norm_email(x)": normalise_email,
    "norm_postcode(x)": normalise_postcode,
    "norm_address(x)": linkage_keys.address_line,
    "coalesce(postcode_parts(norm_postcode(x)).district || postcode_parts(norm_postcode(x)).digit, '')": (
        lambda v: _postcode_part(v, "postcode_sector")
    ),
}


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(PRINTABLE, ADDRESSY, PHONEY, WORDS), min_size=1, max_size=40))
def test_sql_twins_equal_the_python_normalisers_on_printable_ascii(macros, values):
    for expression, python in CASES.items():
        assert _sql(macros, expression, values) == [python(v) for v in values], expression


def test_sql_twins_on_real_formats(macros):
    phones = ["+44 (0)7700 900123", "0044 7700 900123", "07700-900-123", "020 7946 0018", "447700900123", "12"]
    assert _sql(macros, "norm_phone(x)", phones) == [normalise_phone(p) for p in phones]
    addresses = ["Flat 3, 12 Albert Road, London", "3/12 Albert Rd", "Rose Cottage, Mill Lane", ", , 5 road road, x"]
    assert _sql(macros, "norm_address(x)", addresses) == [linkage_keys.address_line(a) for a in addresses]


def test_the_sql_hmac_is_lookup_hash(macros):
    params = linkage_keys.hmac_parameters(settings.HASH_KEY)
    [[ours, blank]] = macros.execute(
        f"SELECT {linkage_keys.hmac_sql(repr('phone'), repr('07700900123'))}, "
        f"{linkage_keys.hmac_sql(repr('phone'), repr(''))}",
        params,
    ).fetchall()
    assert ours == int(lookup_hash("phone", "07700900123")[:16], 16)
    assert blank is None


PEOPLE = [
    Identity("Zoë", "O'Neil", "", dt.date(1990, 5, 17), "+44 7700 900123", "Zoe@Example.org",
             "Flat 3, 12 Albert Road, London", "sw1a 1aa"),
    Identity("zoe", "ONEIL", "", dt.date(1990, 5, 17), "07700900123", "zoe@example.org", "3/12 Albert Rd", "SW1A1AA"),
    # Not printable ASCII: the Python fallback path; and values no other record holds.
    Identity("Zoé", "O\u2019Neil", "", dt.date(1990, 5, 17), "07700 900123", "zoe@example.org",
             "Flat 3, 12 Albert Road, Londön", "SW1A 1AA"),
    Identity("Nadia", "Okonkwo", "", None, "07700 900999", "", "", ""),
    # Letters that stay non-ASCII after normalising: hashed as UTF-8 in SQL, as in Python.
    Identity("Łucja", "محمد", "", dt.date(1985, 1, 9), "", "łucja@example.org", "", ""),
    Identity("ŁUCJA", "محمد", "", dt.date(1985, 1, 9), "", "Łucja@example.org", "", ""),
]  # fmt: skip


def _write(path: Path, people: list[Identity]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(bulk.INPUT_COLUMNS)
        for i, p in enumerate(people):
            dob = p.date_of_birth.isoformat() if p.date_of_birth else ""
            writer.writerow([f"r{i}", p.given_name, p.family_name, dob, p.postcode, p.address, p.phone, p.email])


def test_batch_keys_are_the_hubs_keys(tmp_path):
    source = tmp_path / "people.csv"
    _write(source, PEOPLE)
    con = bulk.private_connection()
    assert con.execute("SELECT current_setting('temp_directory')").fetchall() == [("",)], "may not spill to disk"
    bulk.load_csv(con, str(source))
    rows = sorted(bulk.build_linkage_keys(con, settings.HASH_KEY).to_pylist(), key=lambda row: row["rid"])
    for row, person in zip(rows, PEOPLE, strict=True):
        hub = linkage_keys.linkage_keys(person)
        for field in linkage_keys.KEY_FIELDS:
            value = row[field]
            if not hub[field]:
                assert value is None, ("blank in, blank out", field)
            elif field in linkage_keys.LIST_FIELDS:
                # Neighbours shared with no other name are left out of the batch: they cannot meet.
                assert set(value or []) <= {linkage_keys.key_to_int(k) for k in linkage_keys.near_keys(hub[field])}
            elif value == row["rid"]:
                assert field not in ("given", "family"), "a placeholder only for a value no other record holds"
            else:
                assert value == linkage_keys.key_to_int(hub[field]), field
    first, second, third, fourth, fifth, sixth = rows
    for field in ("given", "family", "dob", "phone", "email", "postcode", "address"):
        assert first[field] == second[field] == third[field], field
    assert fourth["phone"] == fourth["rid"] and fourth["dob"] is None and fourth["email"] is None
    assert fifth["given"] == sixth["given"] and fifth["family"] == sixth["family"] and fifth["email"] == sixth["email"]


def test_the_sql_hmac_hashes_any_text_as_utf8(macros):
    params = linkage_keys.hmac_parameters(settings.HASH_KEY)
    for value in ["łucja", "محمد", "zoe\\x41@example.org", "o'neil"]:
        sql = f"SELECT {linkage_keys.hmac_sql(repr('name'), '$value')}"
        [[ours]] = macros.execute(sql, {**params, "value": value}).fetchall()
        assert ours == int(lookup_hash("name", value)[:16], 16), value
