"""The helplines every public page shows, from settings: numbers change, and a deployment must be able to follow.

Django-free, so that settings can parse CAREHUB_HELPLINES at start-up and refuse a value it cannot use: a helpline
panel silently showing a wrong number is worse than a server that will not start.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

DIALLABLE = re.compile(r"^\+?[0-9 ]{2,20}$")


@dataclass(frozen=True)
class Helpline:
    name: str
    number: str  # as people read it: "0808 2000 247"
    description: str = ""

    @property
    def dial(self) -> str:
        """The number for a tel: link, spaces removed."""
        return self.number.replace(" ", "")


DEFAULT_HELPLINES: tuple[Helpline, ...] = (
    Helpline("National Domestic Abuse Helpline", "0808 2000 247", "Free, 24 hours a day, every day."),
    Helpline("Rape Crisis 24/7 Support Line", "0808 500 2222", "Free, for anyone affected by sexual violence."),
    Helpline("Galop's LGBT+ Domestic Abuse Helpline", "0800 999 5428", "Free, for LGBT+ people."),
)


def parse(raw: str) -> tuple[Helpline, ...]:
    """CAREHUB_HELPLINES: a JSON list of {"name", "number", "description"}; empty means the defaults.

    Raises ValueError, naming what is wrong, for anything else.
    """
    if not raw.strip():
        return DEFAULT_HELPLINES
    try:
        items = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"CAREHUB_HELPLINES is not valid JSON: {exc.msg}") from None
    if not isinstance(items, list) or not items:
        raise ValueError("CAREHUB_HELPLINES must be a non-empty JSON list of helplines")
    return tuple(_helpline(item) for item in items)


def _helpline(item: object) -> Helpline:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not isinstance(item.get("number"), str):
        raise ValueError(f"each helpline needs a name and a number as text, not {item!r}")
    if not DIALLABLE.match(item["number"]):
        raise ValueError(f"the helpline number {item['number']!r} is not a phone number (digits and spaces only)")
    return Helpline(name=item["name"], number=item["number"], description=str(item.get("description", "")))
