"""`carehub backup verify` on PostgreSQL: a main dump restored with a newer key dump keeps erased survivors erased
and its audit chains verify; the same main dump without it (or with an older key dump) fails, naming how many
would come back. The "live" database is a scratch one, so the dumps hold committed rows (tests/retention/scratch.py).
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from carehub.people.models import DataKey, Identity
from carehub.people.services import survivor_create, survivor_erase
from carehub.retention.backup import KEY_TABLE
from tests.retention.scratch import PG_BIN, pg_args, run_on, scratch_database

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are PostgreSQL dumps"),
]


def _dump(path, *extra: str) -> None:
    import subprocess

    from django.db import connection as live

    settings = live.settings_dict
    subprocess.run(
        [PG_BIN / "pg_dump", "--format=custom", *extra, *pg_args(settings), "--file", str(path), settings["NAME"]],
        check=True, capture_output=True,
    )  # fmt: skip


def _verify(*args: str) -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command("backup", "verify", *args, stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def test_backup_verify_keeps_erased_survivors_erased(tmp_path):
    main, keys_then, keys_now = tmp_path / "main.dump", tmp_path / "keys-then.dump", tmp_path / "keys-now.dump"

    def work():
        survivors = [
            survivor_create(actor=None, identity=Identity(given_name="Backup", family_name=f"Person{i}"))
            for i in range(4)
        ]
        survivor_erase(actor=None, survivor=survivors[0], reason="erased before the main dump")
        _dump(main)
        _dump(keys_then, "--data-only", f"--table={KEY_TABLE}")
        survivor_erase(actor=None, survivor=survivors[1], reason="erased after the main dump")
        _dump(keys_now, "--data-only", f"--table={KEY_TABLE}")
        results = {
            "with the newer key dump": _verify("--dump", str(main), "--keys", str(keys_now)),
            "without a key dump": _verify("--dump", str(main)),
            "with the older key dump": _verify("--dump", str(main), "--keys", str(keys_then)),
        }
        live_keys = DataKey.objects.filter(wrapped__isnull=True).count()
        return results, live_keys

    with scratch_database(tmp_path) as scratch:
        results, destroyed = run_on(scratch, work)
    assert destroyed == 2
    ok, text = results["with the newer key dump"]
    assert ok, text
    assert "The restored audit trail is intact" in text
    assert "All 2 survivors erased in the live database stay unreadable in the restored copy." in text
    assert "Restored identities open with the current keys (2 sampled)." in text
    assert "The backup PASSED verification." in text
    for case in ("without a key dump", "with the older key dump"):
        ok, text = results[case]
        assert not ok, case
        assert "1 of the 2 survivors erased in the live database would be readable again" in text
        assert "FAILED" in text


def test_backup_verify_refuses_what_is_not_a_file(tmp_path):
    ok, text = _verify("--dump", str(tmp_path / "missing.dump"))
    assert not ok
    assert "is not a file" in text
