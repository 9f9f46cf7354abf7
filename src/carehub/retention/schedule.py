"""The retention schedule: each rule, its trigger date, and the date a survivor's records fall due.

Plain functions over dates and settings, no queries (due.py asks the database for the facts). The rules are
settings.RETENTION_SCHEDULE (documented there); a survivor's records are due on the LATEST date any rule gives
her, because every rule says "keep at least until": keeping a record one rule still needs would be the wrong
mistake to make in a service that must answer, years later, for what it did to protect a woman and her children.

How the children rule reads `children_ages` (free text from the agency form, "3 and 7", "6 months, 4", "unborn"):
- each number is an age in years, or in months or weeks when the word after it says so;
- "unborn", "pregnant", "expecting" or "due" is a child not yet born: counted as born a year after the referral;
- a child aged A on the referral's day was born no later than that day minus A years, so she is 25 no later than
  the referral's day plus (25 - A) years: the youngest age gives the latest, and that is the trigger;
- anything else in the text (words, ranges, question marks), or fewer ages than `children_count`, means the ages
  cannot all be read: the rule then keeps the records `children_unknown_years` after the referral, or for as long as
  the readable ages say, whichever is later, and never less than the adult rule.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ADULT = "adult"
SEALED = "sealed_pathway"
CHILDREN = "children"
CHILDREN_UNKNOWN = "children_unknown"
UNREFERRED = "no_referral"

TRIGGERS = {
    ADULT: "the latest closure of her cases (or her latest referral, if none became a case)",
    SEALED: "the latest closure of her sealed-pathway case (or her latest sealed referral)",
    CHILDREN: "the day the youngest child named on a referral turns the age set (from the ages given then)",
    CHILDREN_UNKNOWN: "a referral naming children whose ages cannot all be read: that referral's date",
    UNREFERRED: "a survivor record with no referral and no case: when it was created, or last corrected",
}


@dataclass(frozen=True)
class Schedule:
    adult_case_years: int = 6
    children_until_age: int = 25
    children_unknown_years: int = 25
    sealed_pathway_years: int = 6
    audit_event_years: int = 30
    # A survivor record that no referral or case ever came to rest on (an intake abandoned after her identity was
    # written, a record left behind when her referral was re-pointed): nothing to support her with, so kept briefly.
    unreferred_record_years: int = 1

    @property
    def shortest_years(self) -> int:
        """The fewest years any record is kept: nothing younger than this can be due, whatever else holds."""
        return min(self.adult_case_years, self.sealed_pathway_years)

    def describe(self) -> list[tuple[str, str, str]]:
        """(rule, how long, from when): what the command prints before it runs."""
        return [
            (ADULT, f"{self.adult_case_years} years", TRIGGERS[ADULT]),
            (SEALED, f"{self.sealed_pathway_years} years", TRIGGERS[SEALED]),
            (CHILDREN, f"until the youngest child is {self.children_until_age}", TRIGGERS[CHILDREN]),
            (CHILDREN_UNKNOWN, f"{self.children_unknown_years} years at least", TRIGGERS[CHILDREN_UNKNOWN]),
            (UNREFERRED, f"{self.unreferred_record_years} years", TRIGGERS[UNREFERRED]),
            ("audit_events", f"{self.audit_event_years} years after each event, never deleted by a run", "the event"),
        ]


def current() -> Schedule:
    """The schedule in settings, checked: whole positive years, and audit events outliving every record rule."""
    raw = dict(getattr(settings, "RETENTION_SCHEDULE", {}) or {})
    known = set(Schedule.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ImproperlyConfigured(f"RETENTION_SCHEDULE has unknown rules: {sorted(unknown)}")
    for name, value in raw.items():
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ImproperlyConfigured(f"RETENTION_SCHEDULE[{name!r}] must be a whole number of years above 0")
    schedule = Schedule(**raw)
    longest_record = max(
        schedule.adult_case_years,
        schedule.sealed_pathway_years,
        schedule.children_unknown_years,
        schedule.unreferred_record_years,
        schedule.children_until_age + 1,  # an unborn child counts as born a year after the referral
    )
    if schedule.audit_event_years <= longest_record:
        raise ImproperlyConfigured(
            "RETENTION_SCHEDULE['audit_event_years'] must be longer than every record rule: the trail answers for "
            "records after they are gone"
        )
    return schedule


def years_after(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February becomes 28 February in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


_WORDS_0_TO_20 = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty"
)
_NUMBER_WORDS = {word: number for number, word in enumerate(_WORDS_0_TO_20.split(" "))}
_UNBORN = {"unborn", "pregnant", "expecting", "due"}
_MONTHS = {"month", "months", "mth", "mths", "mo", "mos", "m"}
_WEEKS = {"week", "weeks", "wk", "wks", "w"}
_YEARS = {"year", "years", "yr", "yrs", "y", "yo", "old"}
_FILLER = {"and", "aged", "age", "ages", "&", ",", "/", ";", "+"}
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z]+|[^\sa-z\d]")


@dataclass(frozen=True)
class ChildrenAges:
    """What the ages text says: the ages read (in years; -1 for a child not yet born) and whether all were read."""

    ages: tuple[float, ...]
    complete: bool


def read_ages(text: str, count: int | None) -> ChildrenAges:
    """Read `children_ages` as the module docstring says. Conservative: anything unread makes it incomplete."""
    tokens = _TOKEN.findall((text or "").lower())
    ages: list[float] = []
    complete = True
    index = 0
    while index < len(tokens):
        token = tokens[index]
        number = float(token) if token[0].isdigit() else _NUMBER_WORDS.get(token)
        if number is not None:
            unit = tokens[index + 1] if index + 1 < len(tokens) else ""
            if unit in _MONTHS:
                number, index = number / 12, index + 1
            elif unit in _WEEKS:
                number, index = number / 52, index + 1
            elif unit in _YEARS:
                index += 1
            ages.append(number)
        elif token in _UNBORN:
            ages.append(-1.0)
        elif token not in _FILLER and token not in _YEARS:
            complete = False  # a word it does not know: "teenager", "toddler", "twins", "?"
        index += 1
    if count and len(ages) < count:
        complete = False
    if not ages and (count or text.strip()):
        complete = False
    return ChildrenAges(tuple(ages), complete)


def children_due(schedule: Schedule, received: dt.date, text: str, count: int | None) -> tuple[dt.date, str]:
    """The date one referral's children rule keeps her records until, and which rule set it."""
    read = read_ages(text, count)
    dates = []
    if read.ages:
        youngest = min(read.ages)
        # Whole years to add: the youngest's remaining years to the age, rounded up so a fraction never shortens it.
        remaining = schedule.children_until_age - youngest
        dates.append(years_after(received, int(-(-remaining // 1))))
    if not read.complete:
        dates.append(years_after(received, schedule.children_unknown_years))
    rule = CHILDREN if read.complete else CHILDREN_UNKNOWN
    return max(dates), rule


@dataclass(frozen=True)
class Facts:
    """What the schedule needs to know about one survivor (due.py reads it from the database)."""

    last_closed: dt.date | None
    last_received: dt.date | None
    last_marac: dt.date | None
    sealed: bool
    # (received, children_count, children_ages) of each referral that names children
    children: tuple[tuple[dt.date, int | None, str], ...] = ()


def due_date(schedule: Schedule, facts: Facts) -> tuple[dt.date | None, str]:
    """The day her records fall due and the rule that set it (the latest date of every rule that applies).

    None when there is nothing to count from (no referral, case or MARAC date): such a record is never due.
    """
    triggers = [d for d in (facts.last_closed, facts.last_received, facts.last_marac) if d is not None]
    if not triggers:
        return None, ""
    base_rule = SEALED if facts.sealed else ADULT
    years = schedule.sealed_pathway_years if facts.sealed else schedule.adult_case_years
    due, rule = years_after(max(triggers), years), base_rule
    for received, count, text in facts.children:
        child_due, child_rule = children_due(schedule, received, text, count)
        if child_due > due:
            due, rule = child_due, child_rule
    return due, rule


def unreferred_due(schedule: Schedule, created: dt.date, last_corrected: dt.date | None) -> dt.date:
    """The day a survivor record with no referral and no case falls due: `unreferred_record_years` after it was
    created or, when her details were corrected since, after the latest correction (someone was still working on
    it). Such a record has no case to close and no referral to date from, so without this rule it would never be due.
    """
    trigger = max(d for d in (created, last_corrected) if d is not None)
    return years_after(trigger, schedule.unreferred_record_years)
