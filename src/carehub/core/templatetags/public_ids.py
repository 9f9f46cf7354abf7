"""`{{ case.public_id|display_id }}`: a record's public identifier as people read it (core.public_ids.display).

Pages name cases, offers and the like by public identifier only; a primary key in a page would count the sealed
records created in between.
"""

from __future__ import annotations

from django import template

from carehub.core import public_ids

register = template.Library()


@register.filter
def display_id(public_id: str) -> str:
    return public_ids.display(public_id or "")
