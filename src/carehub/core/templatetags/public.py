"""`{% public_help %}`: the helplines and "cover your tracks" advice that every public page carries."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("includes/public_help.html")
def public_help() -> dict:
    # Read at render time, not import time, so a test (or a settings override) sees its own numbers.
    return {"helplines": settings.HELPLINES}
