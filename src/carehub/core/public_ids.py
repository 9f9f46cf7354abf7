"""Opaque public identifiers for records that people see in pages, URLs, exports and the audit trail.

Database keys come from one sequence per table, shared by sealed and ordinary records: a worker who sees case 100
and then case 102 would learn that something, perhaps a sealed case, was created in between. Pages therefore never
show a primary key; they show a public identifier drawn at random, which says nothing about order or count.

Twelve characters of Crockford's base32 (no I, L, O or U, so nothing is misread on the phone) give 32**12, about
1.2e18, values: at ten million records a new draw collides about once in 10**11 draws, and the unique constraint
turns that rare case into an error rather than a shared identifier.
"""

from __future__ import annotations

import random
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12


def new_public_id(rng: random.Random | None = None) -> str:
    """A fresh identifier; pass a seeded `rng` only for deterministic synthetic data (the demo seeder)."""
    if rng is None:
        return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "".join(rng.choice(ALPHABET) for _ in range(LENGTH))


def display(public_id: str) -> str:
    """Grouped in fours for reading aloud: 7K3QM9XD2PRA reads 7K3Q-M9XD-2PRA."""
    return "-".join(public_id[i : i + 4] for i in range(0, len(public_id), 4))


def normalise(text: str) -> str:
    """What a person typed or read back (any case, dashes, spaces, O for 0, I or L for 1) as the stored form."""
    cleaned = "".join(text.split()).replace("-", "").upper()
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def parse(text: str) -> str | None:
    """What came in (a URL or form field) as the stored form, or None when it cannot be a public identifier.

    Lookups use this rather than `normalise` alone, so anything malformed (too long, a stray character, a NUL that
    PostgreSQL would refuse) answers as a missing record without reaching the database.
    """
    cleaned = normalise(text)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def fill_missing(app_label: str, *model_names: str, batch: int = 5_000):
    """A RunPython function for a migration that adds `public_id` to existing tables: every row without one gets its
    own random identifier, in batches. (A default on AddField would give every existing row the same value, so the
    column is added nullable, filled by this, then made unique and required.)

    PostgreSQL queues a deferred foreign-key check for each row updated and refuses the ALTER TABLE that follows in
    the same migration while any are pending; checked at once instead, they are done before it.
    """

    def fill(apps, schema_editor) -> None:
        postgres = schema_editor.connection.vendor == "postgresql"
        if postgres:
            schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in model_names:
            model = apps.get_model(app_label, name)
            rows = model.objects.filter(public_id__isnull=True).only("pk")
            while chunk := list(rows[:batch]):
                for row in chunk:
                    row.public_id = new_public_id()
                model.objects.bulk_update(chunk, ["public_id"])
        if postgres:
            schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")

    return fill


def unique_named_as_altered(app_label: str, *model_names: str):
    """A RunPython function for a squashed migration that makes `public_id` unique with its table: on PostgreSQL,
    gives each model's unique constraint the name the migrations it replaces gave it.

    Those added the column nullable and made it unique later (see `fill_missing`), and Django names a constraint it
    adds to an existing column `<table>_public_id_<hash>_uniq`; made with the table (or the column), PostgreSQL names
    it `<table>_public_id_key`. Django finds either by introspection, but every database should have the same names
    whichever migrations built it (schema dumps, scripts and tests compare them). SQLite's constraints have no names.
    """

    def rename(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in model_names:
            model = apps.get_model(app_label, name)
            table, column = model._meta.db_table, model._meta.get_field("public_id").column
            [current] = schema_editor._constraint_names(model, [column], unique=True, primary_key=False)
            wanted = schema_editor._create_index_name(table, [column], suffix="_uniq")
            if current != wanted:
                quote = schema_editor.quote_name
                schema_editor.execute(
                    f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(current)} TO {quote(wanted)}", params=None
                )

    return rename
