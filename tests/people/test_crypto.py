"""Identity is encrypted at rest under a data key of each survivor's own; look-ups use keyed hashes."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehub.people import crypto
from carehub.people.models import Identity, Survivor, lookups_for
from carehub.people.services import survivor_create
from tests import factories as f

IDENTITY = Identity(
    given_name="Wilhelmina",
    family_name="Zzyzxmarker",
    known_as="Billie",
    date_of_birth=dt.date(1987, 11, 3),
    phone="07700 900456",
    email="Wilhelmina.Zzyzx@example.org",
    address="221B Baker Street, London",
    postcode="NW1 6XE",
)
# Every way a plain value could show in a column: as typed, and as the look-up normalises it.
NEEDLES = [
    "Wilhelmina",
    "Zzyzxmarker",
    "Billie",
    "1987-11-03",
    "07700 900456",
    "07700900456",
    "7700900456",
    "Wilhelmina.Zzyzx@example.org",
    "221B Baker Street",
    "NW1 6XE",
    "NW16XE",
]


def raw_row(table: str, pk: int) -> list[bytes]:
    """A row as the database holds it, read past the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed table names only
        row = cursor.fetchone()
    return [bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row]


def assert_no_plain_value(values: list[bytes]) -> None:
    for value in values:
        # Base64 of the plain text would hide it from a substring search, so look inside any base64 too.
        decoded = [value]
        with contextlib.suppress(ValueError):
            decoded.append(base64.urlsafe_b64decode(value))
        for blob in decoded:
            for needle in NEEDLES:
                assert needle.casefold().encode() not in blob.lower(), needle


def plain_key(survivor: Survivor) -> bytes:
    """The unwrapped data key: what only the application, holding CAREHUB_FIELD_KEYS, can compute."""
    return crypto._kek().decrypt(bytes(survivor.data_key.wrapped))


# --- encryption at rest ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_identity_value_is_stored_in_the_clear():
    survivor = survivor_create(actor=None, identity=IDENTITY, equality={"ethnicity": "white_roma"})

    row = raw_row("people_survivor", survivor.pk)
    assert_no_plain_value(row)
    assert_no_plain_value(raw_row("people_datakey", survivor.data_key_id))

    # And it is real ciphertext under her own data key, which itself is stored only wrapped.
    [sealed] = [v for v in row if v.startswith(b"gAAAAA")]
    assert Identity.from_payload(json.loads(Fernet(plain_key(survivor)).decrypt(sealed))) == IDENTITY
    stored_key = b"".join(raw_row("people_datakey", survivor.data_key_id))
    assert plain_key(survivor) not in stored_key
    assert base64.urlsafe_b64decode(plain_key(survivor)) not in stored_key


@pytest.mark.django_db
def test_a_referrals_contact_details_are_stored_sealed():
    referral = f.ReferralFactory()
    contact = {"safe_phone": IDENTITY.phone, "email": IDENTITY.email, "address": IDENTITY.address}
    referral.contact_sealed = referral.survivor.seal_for(contact)
    referral.save(update_fields=["contact_sealed"])

    [raw] = [v for v in raw_row("referrals_referral", referral.pk) if v.startswith(b"gAAAAA")]
    assert_no_plain_value([raw])
    fresh = type(referral).objects.select_related("survivor__data_key").get(pk=referral.pk)
    assert fresh.survivor.unseal(fresh.contact_sealed) == contact


# --- round trip --------------------------------------------------------------------------------------------------

identities = st.builds(
    Identity,
    given_name=st.text(),
    family_name=st.text(),
    known_as=st.text(max_size=20),
    date_of_birth=st.none() | st.dates(),
    phone=st.text(max_size=30),
    email=st.text(max_size=60),
    address=st.text(),
    postcode=st.text(max_size=10),
)


@given(identity=identities)
def test_any_identity_round_trips_through_sealing(identity):
    wrapped = crypto.new_wrapped_data_key()
    assert Identity.from_payload(crypto.unseal(wrapped, crypto.seal(wrapped, identity.to_payload()))) == identity


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(identity=identities)
def test_any_identity_round_trips_through_the_database(identity):
    survivor = survivor_create(actor=None, identity=identity)
    assert Survivor.objects.select_related("data_key").get(pk=survivor.pk).identity == identity


# --- one key per survivor ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_survivor_has_her_own_data_key():
    one = survivor_create(actor=None, identity=IDENTITY)
    two = survivor_create(actor=None, identity=IDENTITY)

    assert bytes(one.data_key.wrapped) != bytes(two.data_key.wrapped)
    assert plain_key(one) != plain_key(two)
    # The same identity, sealed twice, leaves nothing in common to compare.
    assert bytes(one.identity_sealed) != bytes(two.identity_sealed)


@pytest.mark.django_db
def test_one_survivors_key_cannot_open_anothers_data():
    one = survivor_create(actor=None, identity=IDENTITY)
    two = survivor_create(actor=None, identity=Identity(given_name="Other"))

    with pytest.raises(InvalidToken):
        Fernet(plain_key(one)).decrypt(bytes(two.identity_sealed))
    with pytest.raises(crypto.KeyUnavailable):
        crypto.unseal(one.data_key.wrapped, two.identity_sealed)


@pytest.mark.django_db
def test_a_tampered_identity_fails_loudly_rather_than_passing_for_an_erasure():
    survivor = survivor_create(actor=None, identity=IDENTITY)
    token = bytearray(bytes(survivor.identity_sealed))
    token[-5] ^= 1
    Survivor.objects.filter(pk=survivor.pk).update(identity_sealed=bytes(token))
    with pytest.raises(crypto.KeyUnavailable):
        _ = Survivor.objects.get(pk=survivor.pk).identity


# --- keyed hash index --------------------------------------------------------------------------------------------

SAME_EMAIL = ["person@example.org", "Person@Example.ORG", "  person@example.org  ", "PERSON@EXAMPLE.ORG\t"]
SAME_PHONE = [
    "07700 900123",
    "07700900123",
    "(07700) 900-123",
    "+44 7700 900123",
    "+447700900123",
    "447700900123",
    "+44 (0)7700 900123",
    "0044 7700 900123",
]


def email_hash(value: str) -> str:
    return lookups_for(Identity(email=value))["email_lookup"]


def phone_hash(value: str) -> str:
    return lookups_for(Identity(phone=value))["phone_lookup"]


def test_one_email_in_any_spelling_has_one_hash():
    assert len({email_hash(v) for v in SAME_EMAIL}) == 1
    assert email_hash("person2@example.org") != email_hash(SAME_EMAIL[0])


def test_one_phone_number_in_any_spelling_has_one_hash():
    assert len({phone_hash(v) for v in SAME_PHONE}) == 1
    assert phone_hash("07700 900124") != phone_hash(SAME_PHONE[0])


def test_name_and_date_of_birth_match_across_case_accents_and_punctuation():
    born = dt.date(1990, 5, 17)
    one = lookups_for(Identity(family_name="O'Néill", date_of_birth=born))["name_dob_lookup"]
    two = lookups_for(Identity(family_name="o neill", date_of_birth=born))["name_dob_lookup"]
    assert one == two != ""
    assert lookups_for(Identity(family_name="O'Neill", date_of_birth=dt.date(1990, 5, 18)))["name_dob_lookup"] != one
    assert lookups_for(Identity(family_name="O'Neill"))["name_dob_lookup"] == "", "half a key must not match"


def test_the_hash_depends_on_the_hash_key(settings):
    before = email_hash("person@example.org")
    settings.HASH_KEY = "another-hash-key-for-another-deployment"
    after = email_hash("person@example.org")
    assert before != after
    assert after != hashlib.sha256(b"email:person@example.org").hexdigest(), "an unkeyed hash is a dictionary away"


def test_kinds_do_not_collide():
    assert crypto.lookup_hash("email", "07700900123") != crypto.lookup_hash("phone", "07700900123")


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_a_blank_never_matches_a_blank(blank):
    blanks = {"email_lookup": "", "phone_lookup": "", "name_dob_lookup": ""}
    assert lookups_for(Identity(email=blank, phone=blank, family_name=blank)) == blanks
    assert crypto.lookup_hash("email", blank.strip()) == ""


def test_a_phone_of_punctuation_only_is_blank():
    assert phone_hash("( ) - +") == ""


@pytest.mark.django_db
def test_survivors_are_found_by_any_spelling_of_their_email_or_phone():
    one = f.SurvivorFactory(email="Person@Example.org", phone="+44 (0)7700 900123")
    two = f.SurvivorFactory(email=" person@example.ORG", phone="07700-900-123")
    f.SurvivorFactory(email="someone@example.org", phone="07700 900999")
    assert set(Survivor.objects.filter(email_lookup=email_hash("PERSON@example.org"))) == {one, two}
    assert set(Survivor.objects.filter(phone_lookup=phone_hash("0044 7700 900123"))) == {one, two}


def test_an_unsealer_opens_what_unseal_opens_and_nothing_once_the_key_is_destroyed():
    wrapped = crypto.new_wrapped_data_key()
    tokens = [crypto.seal(wrapped, {"note": f"note {n}"}) for n in range(3)]
    unseal = crypto.unsealer(wrapped)
    assert [unseal(t) for t in tokens] == [crypto.unseal(wrapped, t) for t in tokens]
    assert unseal(None) == {}
    with pytest.raises(crypto.KeyUnavailable):
        unseal(crypto.seal(crypto.new_wrapped_data_key(), {"note": "another woman's"}))
    with pytest.raises(crypto.KeyDestroyed):
        crypto.unsealer(None)
