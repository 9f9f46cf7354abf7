"""Labelled synthetic referrals for testing and benchmarking record linkage: the true person of every record is known.

People are drawn with the demo's London names (heritages weighted by the 2021 census), dates of birth, postcodes,
phones and emails built from their names, as real addresses are. About a fifth of records are repeats of someone
seen before, re-keyed by another worker or another agency, with the corruption real referrals show:
- typing slips in names (a neighbouring key, a dropped, doubled or swapped letter), nicknames, a family name changed
  by marriage or separation, given and family names swapped, half of a double-barrelled name;
- a date of birth missing, with day and month transposed, or one part mistyped;
- a new phone, a new address and postcode (often both at once: survivors flee), a mistyped postcode, a new or no
  email, and the same address written another way ("Rd" for "Road", "3/12" for "Flat 3, 12").
The rates are set once here from what referral data look like, not tuned to any model; every rate is a module
constant so a benchmark can say what it measured against.

Names have a long tail. The demo's lists hold about 400 family names and 20 or 30 given names per heritage, while
the 400 commonest surnames cover well under half of the UK, and a short list of given names covers even less of
women aged 16 to 85. Drawn from the lists alone, one person in a hundred shares her full name and date of birth with
a stranger, many times the real rate, and no linker could tell those apart. So by default 60% of family names and
40% of given names are "tail" names: the first syllable of one of the heritage's names joined to the last syllable
of any heritage's name (Mistry + Okafor -> Misfor). Pass name_tail=0 for the lists alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import astuple, dataclass, fields, replace
from pathlib import Path

from carehub.synthetic import census
from carehub.synthetic.heritage import ETHNICITY_HERITAGES, HERITAGES, STREETS

REPEAT_SHARE = 0.2  # records that are a repeat of an earlier person
NAME_TAIL = 1.0  # scales P_TAIL_FAMILY and P_TAIL_GIVEN; 0 draws names from the demo's lists only
P_TAIL_FAMILY, P_TAIL_GIVEN = 0.6, 0.4
REFERENCE_DATE = dt.date(2025, 1, 1)
EMAIL_DOMAINS = ("gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "icloud.com", "example.org")

# Person-level gaps: what a first referral often lacks.
P_NO_DOB, P_NO_PHONE, P_NO_EMAIL, P_NO_ADDRESS, P_POSTCODE_ONLY = 0.05, 0.07, 0.3, 0.05, 0.03
# Corruption of a repeat record, relative to what the hub last knew of her.
P_GIVEN_TYPO, P_FAMILY_TYPO, P_NICKNAME, P_FAMILY_CHANGED, P_NAMES_SWAPPED = 0.12, 0.1, 0.05, 0.04, 0.02
P_DOB_MISSING, P_DOB_TRANSPOSED, P_DOB_TYPO = 0.07, 0.03, 0.04
P_FLED = 0.2  # new address and new phone together
P_MOVED, P_NEW_PHONE, P_PHONE_MISSING = 0.15, 0.2, 0.1
P_NEW_EMAIL, P_EMAIL_MISSING, P_EMAIL_TYPO = 0.15, 0.3, 0.02
P_POSTCODE_TYPO, P_ADDRESS_MISSING, P_ADDRESS_REWRITTEN = 0.03, 0.08, 0.15
P_CAPITALS = 0.05  # written in capitals by a system that shouts

# London postcode districts, outward codes only (enough for realistic sharing of districts and sectors).
POSTCODE_DISTRICTS: tuple[str, ...] = tuple(
    f"{area}{n}"
    for area, top in (
        ("E", 18), ("N", 22), ("NW", 11), ("SE", 28), ("SW", 20), ("W", 14), ("EC", 4), ("WC", 2), ("BR", 8),
        ("CR", 8), ("DA", 18), ("EN", 5), ("HA", 9), ("IG", 11), ("KT", 9), ("RM", 14), ("SM", 7), ("TW", 20),
        ("UB", 11),
    )
    for n in range(1, top + 1)
)  # fmt: skip
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
NICKNAMES: dict[str, tuple[str, ...]] = {
    "elizabeth": ("Liz", "Beth", "Lizzie"), "rebecca": ("Becky", "Becca"), "jessica": ("Jess",),
    "charlotte": ("Charlie", "Lottie"), "katarzyna": ("Kasia",), "margaret": ("Maggie", "Peggy"),
    "nicola": ("Nicky",), "joanne": ("Jo",), "samantha": ("Sam",), "victoria": ("Vicky",), "danielle": ("Dani",),
    "natalie": ("Nat",), "michelle": ("Shell",), "jennifer": ("Jen",), "alexandra": ("Alex", "Ola"),
    "olivia": ("Liv",), "amelia": ("Millie",), "hannah": ("Han",), "kathleen": ("Kath", "Kathy"),
    "bridget": ("Bridie",), "magdalena": ("Magda",), "agnieszka": ("Aga",), "aleksandra": ("Ola",),
    "francesca": ("Fran",), "gabriela": ("Gabi",), "valentina": ("Vale",), "funmilayo": ("Funmi",),
    "christopher": ("Chris",), "matthew": ("Matt",), "daniel": ("Dan",), "thomas": ("Tom",),
}  # fmt: skip
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
STREET_ABBREVIATIONS = {"Road": "Rd", "Street": "St", "Avenue": "Ave", "Lane": "Ln", "Close": "Cl", "Grove": "Gr"}


@dataclass(frozen=True)
class SyntheticRecord:
    """One referral's identity as a CSV row, with the true person it belongs to (never given to the linker)."""

    record_id: str
    given_name: str
    family_name: str
    date_of_birth: str
    postcode: str
    address: str
    phone: str
    email: str
    person_id: int

    def identity_fields(self) -> dict:
        """Her details as people.models.Identity takes them (`Identity(**record.identity_fields())`): kept here, so
        tests and benchmarks turn records into identities one way, without this module importing Django."""
        return {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": dt.date.fromisoformat(self.date_of_birth) if self.date_of_birth else None,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
            "postcode": self.postcode,
        }


INPUT_COLUMNS = tuple(f.name for f in fields(SyntheticRecord) if f.name != "person_id")


@dataclass(slots=True)
class _Person:
    """What the hub last knew of a person: repeats start from here, and moves and new phones stick.

    Slotted: ten million records keep about eight million of these in memory (half the size of a dict-backed one).
    """

    given: str
    family: str
    dob: dt.date | None
    phone_digits: str
    email: str
    house: str
    street: str
    flat: int
    district: str
    inward: str
    has_address: bool
    postcode_only: bool


def generate(
    n_records: int, seed: int = 0, repeat_share: float = REPEAT_SHARE, name_tail: float = NAME_TAIL
) -> Iterator[SyntheticRecord]:
    """`n_records` referrals, about `repeat_share` of them repeats of an earlier person; same seed, same records."""
    rng = random.Random(seed)
    heritages, cumulative = _heritage_weights()
    people: list[_Person] = []
    emails: set[str] = set()
    for index in range(n_records):
        if people and rng.random() < repeat_share:
            person_id = rng.randrange(len(people))
            person = people[person_id]
            row = _repeat(rng, person, emails)
        else:
            person_id = len(people)
            person = _new_person(rng, rng.choices(heritages, cum_weights=cumulative)[0], emails, name_tail)
            people.append(person)
            row = _render(rng, person)
        yield SyntheticRecord(f"R{index:07d}", *row, person_id=person_id)


def write_csv(
    path: Path, n_records: int, seed: int = 0, labels: Path | None = None, name_tail: float = NAME_TAIL
) -> None:
    """The input `carehub repeats dedupe` expects; with `labels`, the true person of each record in a second file."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(INPUT_COLUMNS)
        label_file = labels.open("w", newline="", encoding="utf-8") if labels else None
        try:
            label_writer = csv.writer(label_file) if label_file else None
            if label_writer:
                label_writer.writerow(("record_id", "person_id"))
            for record in generate(n_records, seed, name_tail=name_tail):
                writer.writerow(astuple(record)[:-1])
                if label_writer:
                    label_writer.writerow((record.record_id, record.person_id))
        finally:
            if label_file:
                label_file.close()


def _heritage_weights() -> tuple[list[int], list[float]]:
    index = {h.key: i for i, h in enumerate(HERITAGES)}
    weights = [0.0] * len(HERITAGES)
    for category, share in census.load().london_shares().items():
        for heritage, w in ETHNICITY_HERITAGES[category].items():
            weights[index[heritage]] += share * w
    return list(range(len(HERITAGES))), list(itertools.accumulate(weights))


def _new_person(rng: random.Random, heritage: int, emails: set[str], name_tail: float) -> _Person:
    h = HERITAGES[heritage]
    man = rng.random() < 0.08
    given_pool = h.men if man else h.women
    given = rng.choice(given_pool)
    if rng.random() < P_TAIL_GIVEN * name_tail:
        given = _tail_name(rng, given_pool, _ALL_MEN if man else _ALL_WOMEN)
    # London families mix: some family names come from another heritage, some are double-barrelled.
    family_pool = h.family if rng.random() < 0.88 else rng.choice(HERITAGES).family
    family = rng.choice(family_pool)
    if rng.random() < P_TAIL_FAMILY * name_tail:
        family = _tail_name(rng, family_pool, _ALL_FAMILY)
    if rng.random() < 0.03:
        family = f"{family}-{rng.choice(rng.choice(HERITAGES).family)}"
    age_days = int((16 + min(rng.gammavariate(3.0, 6.0), 70)) * 365.25)
    dob = None if rng.random() < P_NO_DOB else REFERENCE_DATE - dt.timedelta(days=age_days)
    phone = "" if rng.random() < P_NO_PHONE else _new_phone(rng)
    email = "" if rng.random() < P_NO_EMAIL else _new_email(rng, given, family, dob, emails)
    return _Person(
        given=given,
        family=family,
        dob=dob,
        phone_digits=phone,
        email=email,
        house=_house(rng),
        street=rng.choice(STREETS),
        flat=rng.randint(1, 40) if rng.random() < 0.35 else 0,
        district=rng.choice(POSTCODE_DISTRICTS),
        inward=_inward(rng),
        has_address=rng.random() >= P_NO_ADDRESS,
        postcode_only=rng.random() < P_POSTCODE_ONLY,
    )


_ALL_WOMEN = tuple(sorted({n for h in HERITAGES for n in h.women}))
_ALL_MEN = tuple(sorted({n for h in HERITAGES for n in h.men}))
_ALL_FAMILY = tuple(sorted({n for h in HERITAGES for n in h.family}))


def _tail_name(rng: random.Random, pool: tuple[str, ...], endings: tuple[str, ...]) -> str:
    """A rarer name: the first syllable of a name from `pool` joined to the last syllable of one from `endings`."""
    first, second = rng.choice(pool), rng.choice(endings)
    vowels = [i for i, c in enumerate(first.lower()) if c in "aeiouy" and i > 0]
    head = first[: vowels[0] + 2] if vowels else first[:3]
    vowels = [i for i, c in enumerate(second.lower()) if c in "aeiouy" and i > 0]
    tail = second[vowels[-1] - 1 :] if vowels and vowels[-1] > 1 else second[-3:]
    return head + tail.lower()


def _repeat(rng: random.Random, person: _Person, emails: set[str]) -> tuple[str, ...]:
    """A later referral of `person`: life changes (moves, phones) persist; typing slips do not."""
    fled = rng.random() < P_FLED
    if fled or rng.random() < P_MOVED:
        _move(rng, person)
    if (fled and rng.random() < 0.8) or rng.random() < P_NEW_PHONE:
        person.phone_digits = _new_phone(rng)
    if rng.random() < P_NEW_EMAIL:
        person.email = _new_email(rng, person.given, person.family, person.dob, emails)
    shown = replace(person)
    if rng.random() < P_FAMILY_CHANGED:
        shown.family = rng.choice(rng.choice(HERITAGES).family)
    elif "-" in shown.family and rng.random() < 0.5:
        shown.family = rng.choice(shown.family.split("-"))
    if rng.random() < P_NICKNAME:
        shown.given = _nickname(rng, shown.given)
    if rng.random() < P_GIVEN_TYPO:
        shown.given = typo(rng, shown.given)
    if rng.random() < P_FAMILY_TYPO:
        shown.family = typo(rng, shown.family)
    if rng.random() < P_NAMES_SWAPPED:
        shown.given, shown.family = shown.family, shown.given
    shown.dob = _corrupt_dob(rng, shown.dob)
    if rng.random() < P_PHONE_MISSING:
        shown.phone_digits = ""
    if rng.random() < P_EMAIL_MISSING:
        shown.email = ""
    elif shown.email and rng.random() < P_EMAIL_TYPO:
        local, domain = shown.email.split("@")
        shown.email = f"{typo(rng, local)}@{domain}"
    if rng.random() < P_POSTCODE_TYPO:
        shown.inward = shown.inward[:1] + typo_letters(rng, shown.inward[1:])
    if rng.random() < P_ADDRESS_MISSING:
        shown.has_address = False
    return _render(rng, shown, rewritten=rng.random() < P_ADDRESS_REWRITTEN)


def _render(rng: random.Random, p: _Person, rewritten: bool = False) -> tuple[str, ...]:
    """The person as one agency's system would write her down: formats vary, meaning does not."""
    postcode = address = ""
    if p.has_address:
        postcode = f"{p.district} {p.inward}" if rng.random() < 0.9 else f"{p.district}{p.inward}".lower()
        if not p.postcode_only:
            address = _address_line(rng, p, rewritten)
    given, family = p.given, p.family
    if rng.random() < P_CAPITALS:
        given, family = given.upper(), family.upper()
    return (
        given,
        family,
        p.dob.isoformat() if p.dob else "",
        postcode,
        address,
        _phone_format(rng, p.phone_digits),
        p.email,
    )


def _address_line(rng: random.Random, p: _Person, rewritten: bool) -> str:
    street = p.street
    if rewritten:
        for word, short in STREET_ABBREVIATIONS.items():
            street = street.replace(word, short)
        first = f"{p.flat}/{p.house} {street}" if p.flat else f"{p.house} {street}"
        return first if rng.random() < 0.5 else f"{first}, London"
    first = f"Flat {p.flat}, {p.house} {street}" if p.flat else f"{p.house} {street}"
    return f"{first}, London"


def _move(rng: random.Random, p: _Person) -> None:
    # Many moves stay nearby (a refuge or family in the same borough), so a district shared is weak evidence.
    if rng.random() >= 0.3:
        p.district = rng.choice(POSTCODE_DISTRICTS)
    p.inward, p.house, p.street = _inward(rng), _house(rng), rng.choice(STREETS)
    p.flat = rng.randint(1, 40) if rng.random() < 0.35 else 0
    p.has_address, p.postcode_only = True, False


def _corrupt_dob(rng: random.Random, dob: dt.date | None) -> dt.date | None:
    if dob is None or rng.random() < P_DOB_MISSING:
        return None
    roll = rng.random()
    if roll < P_DOB_TRANSPOSED and dob.day <= 12 and dob.day != dob.month:
        return dob.replace(day=dob.month, month=dob.day)
    if roll < P_DOB_TRANSPOSED + P_DOB_TYPO:
        part = rng.randrange(3)
        try:
            if part == 0:
                return dob.replace(day=max(1, min(28, dob.day + rng.choice((-1, 1, 10, -10)))))
            if part == 1:
                return dob.replace(month=1 + (dob.month + rng.randint(0, 10)) % 12)
            return dob.replace(year=dob.year + rng.choice((-1, 1, -10, 10)))
        except ValueError:  # 29 February in a year without one
            return dob.replace(day=28)
    return dob


def typo(rng: random.Random, word: str) -> str:
    """One typing slip: a neighbouring key, a dropped, doubled or transposed letter. Rarely the first letter."""
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word)) if rng.random() < 0.85 else 0
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + _neighbour(rng, word[i]) + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    i = min(i, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def typo_letters(rng: random.Random, letters: str) -> str:
    """One letter of a postcode's unit replaced by another valid one: "1AA" keyed as "1AB"."""
    i = rng.randrange(len(letters))
    return letters[:i] + rng.choice(INWARD_LETTERS) + letters[i + 1 :]


def _neighbour(rng: random.Random, char: str) -> str:
    lower = char.lower()
    for row in KEYBOARD_ROWS:
        j = row.find(lower)
        if j >= 0:
            options = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)]
            swapped = rng.choice(options)
            return swapped.upper() if char.isupper() else swapped
    return char


def _nickname(rng: random.Random, given: str) -> str:
    known = NICKNAMES.get(given.lower())
    if known:
        return rng.choice(known)
    return given[:4] if len(given) > 6 else given


def _new_phone(rng: random.Random) -> str:
    if rng.random() < 0.1:  # a London landline
        return f"020{rng.choice('378')}{rng.randrange(10**7):07d}"
    return f"07{rng.randint(4, 9)}{rng.randrange(10**8):08d}"


def _phone_format(rng: random.Random, digits: str) -> str:
    if not digits:
        return ""
    roll = rng.random()
    if roll < 0.55:
        return f"{digits[:5]} {digits[5:]}" if digits.startswith("07") else f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if roll < 0.8:
        return digits
    if roll < 0.95:
        return f"+44 {digits[1:5]} {digits[5:]}"
    return f"+44 (0){digits[1:]}"


def _new_email(rng: random.Random, given: str, family: str, dob: dt.date | None, taken: set[str]) -> str:
    """An address built from her name, as most are; unique, because a mailbox has one owner."""
    g, f = ascii_slug(given), ascii_slug(family)
    style = rng.random()
    if style < 0.35:
        local = f"{g}.{f}"
    elif style < 0.55:
        local = f"{g}{f}{rng.randint(1, 99)}"
    elif style < 0.7:
        local = f"{g[:1]}{f}"
    elif style < 0.85 and dob:
        local = f"{g}{dob.year % 100:02d}"
    else:
        local = f"{g}_{f[:3]}{rng.randint(1, 999)}"
    domain = rng.choice(EMAIL_DOMAINS)
    email = f"{local}@{domain}"
    while email in taken:
        email = f"{local}{rng.randint(1, 9999)}@{domain}"
    taken.add(email)
    return email


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits: email local parts built from names lose their accents and hyphens."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def _house(rng: random.Random) -> str:
    number = str(rng.randint(1, 220))
    return number + ("a" if rng.random() < 0.04 else "")


def _inward(rng: random.Random) -> str:
    return f"{rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
