"""Issue 13 figure: a notification fan-out to 1,000 users takes under 2 s of background work.

Measures the task itself (fan_out_now: the notification rows and the opted-in e-mails, a quarter of the users
opted in, on Django's in-memory e-mail backend), as the worker runs it; the enqueue in the request is one row.

Usage: .venv/bin/python benchmarks/notify_bench.py [--database-url URL] [--users 1000] [--runs 5]
Without --database-url it uses a fresh SQLite file under CAREHUB_VAR_DIR. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/notify_bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0, interactive=False)

    from carehub.accounts.models import User
    from carehub.notifications.models import Notification, Preference
    from carehub.notifications.services import fan_out_now

    prefix = f"bench{time.time_ns()}"
    users = User.objects.bulk_create(
        [User(username=f"{prefix}-{i}", email=f"{prefix}-{i}@example.org") for i in range(args.users)]
    )
    ids = [u.pk for u in User.objects.filter(username__startswith=prefix).order_by("pk")]
    Preference.objects.bulk_create([Preference(user_id=i, email=True) for i in ids[::4]])
    seconds = []
    for run in range(args.runs):
        started = time.perf_counter()
        made = fan_out_now(
            recipient_ids=ids, kind="offer_arrived", text="An offer is waiting.", link="/", event_key=f"{prefix}:{run}"
        )
        seconds.append(time.perf_counter() - started)
        assert made == len(ids)
    from django.core import mail

    print(
        json.dumps(
            {
                "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                "users": len(users),
                "runs": args.runs,
                "median_s": round(statistics.median(seconds), 3),
                "max_s": round(max(seconds), 3),
                "notifications": Notification.objects.filter(event_key__startswith=prefix).count(),
                "emails": len(getattr(mail, "outbox", [])),
            }
        )
    )


if __name__ == "__main__":
    main()
