"""What a worker typed into the one search box, read as one kind of search.

A survivor on the phone reads out her reference ("C H, B C D F, G H J K"), or gives her name and date of birth, a
phone number, or her postcode and name. The box takes any of these; this module decides which it is. Nothing here
touches the database or keeps what was typed: the parsed query lives for one request.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from carehub.referrals.models import REFERENCE_ALPHABET


class Kind(StrEnum):
    """The kind of search: the only thing about a search that the audit trail records, beside its result count."""

    REFERENCE = "reference"
    NAME_DOB = "name_dob"
    PHONE = "phone"
    POSTCODE_NAME = "postcode_name"
    UNCLEAR = "unclear"


_REFERENCE = re.compile(rf"^(?:CH)?([{REFERENCE_ALPHABET}]{{8}})$")
_DATE_DMY = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[\d\s()\-]+$")
_MIN_PHONE_DIGITS = 10
_NAME_WORD = re.compile(r"[^\W\d_][\w'\-]*")


@dataclass(frozen=True)
class Query:
    kind: Kind
    reference: str = ""
    names: tuple[str, ...] = ()
    date_of_birth: dt.date | None = None
    phone: str = ""
    postcode: str = ""


def parse(text: str) -> Query:
    """Read the box: a reference first (it is exact), then a phone number, then a name with a date or a postcode."""
    text = (text or "").strip()
    reference = _reference(text)
    if reference:
        return Query(Kind.REFERENCE, reference=reference)
    if _PHONE.match(text) and len(re.sub(r"\D", "", text)) >= _MIN_PHONE_DIGITS:
        return Query(Kind.PHONE, phone=text)
    date_of_birth, text = _take_date(text)
    postcode, text = _take_postcode(text)
    names = tuple(_NAME_WORD.findall(text))
    if names and date_of_birth:
        return Query(Kind.NAME_DOB, names=names, date_of_birth=date_of_birth, postcode=postcode)
    if names and postcode:
        return Query(Kind.POSTCODE_NAME, names=names, postcode=postcode)
    return Query(Kind.UNCLEAR)


def _reference(text: str) -> str:
    """ "ch-bcdf-ghjk", "CH BCDF GHJK" and "bcdfghjk" are all CH-BCDF-GHJK: read aloud, the dashes get lost."""
    compact = re.sub(r"[\s\-]", "", text).upper()
    match = _REFERENCE.match(compact)
    if not match:
        return ""
    body = match.group(1)
    return f"CH-{body[:4]}-{body[4:]}"


def _take_date(text: str) -> tuple[dt.date | None, str]:
    for pattern, order in ((_DATE_ISO, (0, 1, 2)), (_DATE_DMY, (2, 1, 0))):
        match = pattern.search(text)
        if match:
            parts = [int(match.group(i + 1)) for i in order]
            try:
                found = dt.date(*parts)
            except ValueError:
                return None, text
            return found, text[: match.start()] + " " + text[match.end() :]
    return None, text


def _take_postcode(text: str) -> tuple[str, str]:
    match = _POSTCODE.search(text)
    if not match:
        return "", text
    return (match.group(1) + match.group(2)).upper(), text[: match.start()] + " " + text[match.end() :]
