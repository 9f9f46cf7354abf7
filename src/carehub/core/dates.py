"""Calendar arithmetic in London time, shared by every app that counts months (repeats, cases, the extract)."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same London wall-clock time `months` calendar months later; the 31st becomes the month's last day."""
    return months_later(timezone.localtime(moment), months)


def months_later(local: dt.datetime, months: int) -> dt.datetime:
    """`local` carries London's zone, so replacing the date keeps the wall-clock time and finds the right offset."""
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    return local.replace(year=year, month=month, day=min(local.day, calendar.monthrange(year, month)[1]))
